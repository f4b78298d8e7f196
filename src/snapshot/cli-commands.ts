/**
 * `cowkv snapshot inspect FILE [--json]` and `cowkv snapshot verify FILE [--deep]`, registered
 * on the server's commander program (src/cli.ts loads this module).
 * Why here: the snapshot layer owns the format; the CLI only routes words to it.
 * Exit status: 0 when the file is valid, 1 when it is not (verify's verdict, and inspect's
 * when it cannot read the file). The code is handed to `onExitCode` (default: process.exitCode,
 * which cli.ts turns into its outcome); only main.ts exits the process.
 * Output goes through the root program's configured writeOut, errors included: cli.ts captures
 * it and main.ts prints it to stdout on exit code 0 and to stderr otherwise.
 */

import type { Command } from 'commander';

import { formatReport, inspectSnapshot, verifySnapshot } from './inspect.js';

export const EXIT_CODE_VALID = 0;
export const EXIT_CODE_INVALID = 1;

export interface SnapshotCommandOutcome {
  readonly exitCode: number;
  /** For standard output. */
  readonly output: string;
  /** For standard error. */
  readonly errorOutput: string;
}

/** `snapshot inspect`: the report (or JSON), or the refusal. */
export function runInspectCommand(filePath: string, options: { readonly json?: boolean } = {}): SnapshotCommandOutcome {
  const result = inspectSnapshot(filePath);
  if (result.status === 'invalid') return { exitCode: EXIT_CODE_INVALID, output: '', errorOutput: `${result.message}\n` };
  const output = options.json === true ? JSON.stringify(result.report, null, 2) : formatReport(result.report);
  return { exitCode: EXIT_CODE_VALID, output: `${output}\n`, errorOutput: '' };
}

/** `snapshot verify`: one verdict line (plus deep checks), exit code 0 or 1. */
export function runVerifyCommand(filePath: string, options: { readonly deep?: boolean } = {}): SnapshotCommandOutcome {
  const result = verifySnapshot(filePath, options);
  if (result.status === 'invalid') return { exitCode: EXIT_CODE_INVALID, output: '', errorOutput: `${result.message}\n` };
  const { header, trailer } = result.report;
  const checksums = header.checksums ? 'checksums verified' : 'no checksums in file (rdbchecksum no)';
  const lines = [
    `OK ${filePath}: ${trailer.recordCount} pages in ${trailer.blockCount} blocks, ${checksums}`,
    ...result.deepChecks.map((check) => `OK ${check}`),
  ];
  return { exitCode: EXIT_CODE_VALID, output: `${lines.join('\n')}\n`, errorOutput: '' };
}

export interface RegisterSnapshotCommandsOptions {
  /** Receives the command's exit code; default sets process.exitCode. */
  readonly onExitCode?: (code: number) => void;
}

/** Adds `snapshot inspect` and `snapshot verify` to the program. */
export function registerSnapshotCommands(program: Command, options: RegisterSnapshotCommandsOptions = {}): void {
  const onExitCode = options.onExitCode ?? ((code: number) => {
    process.exitCode = code;
  });
  const report = (command: Command, outcome: SnapshotCommandOutcome): void => {
    const writeOut = rootOf(command).configureOutput().writeOut ?? ((text: string) => process.stdout.write(text));
    writeOut(`${outcome.output}${outcome.errorOutput}`);
    onExitCode(outcome.exitCode);
  };
  const snapshot = program.command('snapshot').description('inspect or verify snapshot files');
  snapshot
    .command('inspect')
    .description('show what a snapshot file holds (header, pages, keys per database)')
    .argument('<file>', 'the snapshot file')
    .option('--json', 'print the report as JSON')
    .action(function inspectAction(this: Command, filePath: string, flags: { json?: boolean }) {
      report(this, runInspectCommand(filePath, { json: flags.json === true }));
    });
  snapshot
    .command('verify')
    .description('check every checksum and count; exit status 0 if the file would load, 1 if not')
    .argument('<file>', 'the snapshot file')
    .option('--deep', 'also rebuild the heap, check its integrity and attach the keyspace')
    .action(function verifyAction(this: Command, filePath: string, flags: { deep?: boolean }) {
      report(this, runVerifyCommand(filePath, { deep: flags.deep === true }));
    });
}

function rootOf(command: Command): Command {
  let current = command;
  while (current.parent !== null) current = current.parent;
  return current;
}
