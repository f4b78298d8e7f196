/**
 * The command line: `cowkv [config-file] [--<config-name> <value> ...]`, `--help`, `--version`,
 * and subcommands (`cowkv snapshot inspect|verify FILE`, registered by src/snapshot).
 * Why redis-server's grammar for options: every config parameter works as a flag with its
 * redis.conf name, and a flag takes every following word up to the next `--` (so
 * `--save 900 1 300 10`, `--save ""`, `--bind 127.0.0.1 ::1` mean what they mean to
 * redis-server). Commander 14 builds the program (help, version, subcommands); the option words
 * themselves are split here because commander cannot express "all words up to the next --".
 * No side effects besides reading the config file: the outcome says what main.ts should do
 * (run with a validated ServerConfig, or exit with a code and a message); only main.ts exits.
 * Commander and the snapshot subcommands are imported only when the words may need them (help,
 * version, or a first word that is not an option: a subcommand or a config file): starting a
 * server from options alone does not pay for loading them (issue 3: start-up time).
 */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import {
  CONFIG_PARAMETERS,
  buildServerConfig,
  parseConfigText,
} from './server/config.js';
import type { ConfigDirective, ServerConfig } from './server/config.js';

export type CliOutcome =
  /** Start the server. */
  | { readonly kind: 'run'; readonly config: ServerConfig; readonly configFilePath: string | null }
  /** Print `output` (stdout when code 0, else stderr) and exit with `code`. */
  | { readonly kind: 'exit'; readonly code: number; readonly output: string };

function helpAfterText(): string {
  const lines = CONFIG_PARAMETERS.map((parameter) => {
    const shown = parameter.defaultText === '' ? '""' : parameter.defaultText;
    return `  --${parameter.name.padEnd(28)} ${parameter.help} (default: ${shown})`;
  });
  return [
    '',
    'Configuration (every redis.conf directive below also works as --<name> <value...>):',
    ...lines,
    '',
    'Examples:',
    '  cowkv --port 6380',
    '  cowkv /etc/cowkv.conf --loglevel verbose',
    '  cowkv --save "" --maxmemory 1gb --page-size 16kb',
  ].join('\n');
}

/**
 * The commander program: help, version, the config-file argument, and the subcommands other
 * layers register (`snapshot inspect|verify`). A subcommand's exit code goes to `onExitCode`.
 */
export async function buildProgram(version: string, onExitCode: (code: number) => void = () => undefined): Promise<Command> {
  const [{ Command }, { registerSnapshotCommands }] = await Promise.all([import('commander'), import('./snapshot/cli-commands.js')]);
  const program = new Command('cowkv')
    .description('A Redis-compatible in-memory key-value server with copy-on-write background snapshots')
    .version(version, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'print this help')
    .argument('[config-file]', 'a redis.conf-style configuration file')
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .addHelpText('after', helpAfterText());
  registerSnapshotCommands(program, { onExitCode });
  return program;
}

/** Splits `[config-file] --name words... --name words...` as redis-server does. */
export function splitArguments(argv: readonly string[]): { configFile: string | null; directives: ConfigDirective[] } | { error: string } {
  let index = 0;
  let configFile: string | null = null;
  if (argv.length > 0 && !argv[0].startsWith('--')) {
    configFile = argv[0];
    index = 1;
  }
  const directives: ConfigDirective[] = [];
  while (index < argv.length) {
    const flag = argv[index];
    if (!flag.startsWith('--') || flag.length === 2) {
      return { error: `Unexpected argument '${flag}': options are --<config-name> <value>` };
    }
    const args: string[] = [];
    for (index++; index < argv.length && !argv[index].startsWith('--'); index++) args.push(argv[index]);
    directives.push({ name: flag.slice(2).toLowerCase(), args, origin: `option ${flag}` });
  }
  return { configFile, directives };
}

/** Reads and validates everything; the outcome tells main.ts what to do. */
export async function parseCommandLine(argv: readonly string[], version: string): Promise<CliOutcome> {
  const mayWantCommander = argv.some((word) => ['-h', '--help', '-v', '--version'].includes(word))
    || (argv.length > 0 && !argv[0].startsWith('--'));
  if (mayWantCommander) {
    let subcommandExitCode = 0;
    const program = await buildProgram(version, (code) => { subcommandExitCode = code; });
    const subcommandNames = new Set(program.commands.map((command) => command.name()));
    const wantsCommander = argv.some((word) => ['-h', '--help', '-v', '--version'].includes(word))
      || (argv.length > 0 && subcommandNames.has(argv[0]));
    if (wantsCommander) return runCommander(program, argv, () => subcommandExitCode);
  }

  const split = splitArguments(argv);
  if ('error' in split) return { kind: 'exit', code: 1, output: `${split.error}\nRun cowkv --help for usage.` };
  let directives: ConfigDirective[] = [];
  let configFilePath: string | null = null;
  if (split.configFile !== null) {
    configFilePath = path.resolve(split.configFile);
    let text: string;
    try {
      text = readFileSync(configFilePath, 'utf8');
    } catch (error) {
      return { kind: 'exit', code: 1, output: `Cannot read config file "${split.configFile}": ${(error as Error).message}` };
    }
    const parsed = parseConfigText(text, split.configFile);
    if ('error' in parsed) return { kind: 'exit', code: 1, output: parsed.error };
    directives = parsed.directives;
  }
  const built = buildServerConfig([...directives, ...split.directives]);
  if (built.status !== 'ok') return { kind: 'exit', code: 1, output: `Invalid configuration: ${built.message}` };
  return { kind: 'run', config: built.config, configFilePath };
}

/** Every command of the program, depth first (subcommands of subcommands too). */
function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap((child) => allCommands(child))];
}

/** Help, version and subcommands: commander runs them; its exits become outcomes. */
async function runCommander(program: Command, argv: readonly string[], exitCodeOf: () => number): Promise<CliOutcome> {
  let output = '';
  let errorOutput = '';
  for (const command of allCommands(program)) {
    command.exitOverride();
    command.configureOutput({ writeOut: (text) => { output += text; }, writeErr: (text) => { errorOutput += text; } });
  }
  const { CommanderError } = await import('commander');
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      return { kind: 'exit', code: error.exitCode, output: error.exitCode === 0 ? output : errorOutput || error.message };
    }
    return { kind: 'exit', code: 1, output: (error as Error).message };
  }
  return { kind: 'exit', code: exitCodeOf(), output: `${output}${errorOutput}` };
}
