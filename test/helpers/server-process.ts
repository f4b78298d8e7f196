/**
 * Starts the real compiled server (`node dist/src/main.js --port 0 ...`) as a child process
 * and learns its port from the `Ready to accept connections tcp port=<n>` log line.
 * Tests that use it need dist/ built first (`npm test` builds; by hand: npx tsc -p tsconfig.json).
 * stop() sends SIGTERM and waits for the exit; a server that does not start within
 * START_TIMEOUT_MS fails the test with its output.
 */

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { serverCommandLine } from '../../src/server/launch-profile.js';

export const START_TIMEOUT_MS = 20_000;
export const STOP_TIMEOUT_MS = 10_000;

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MAIN_PATH = path.join(REPO_ROOT, 'dist', 'src', 'main.js');

export interface ServerProcess {
  readonly port: number;
  /** The server's `dir` (snapshots are written there). */
  readonly directory: string;
  readonly child: ChildProcess;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, then wait for the exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** Resolves when the process exits by itself (e.g. after SHUTDOWN). */
  exited(): Promise<number | null>;
}

/** A fresh temp directory for a server's snapshots, so tests never share or litter files. */
export function makeDataDirectory(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'cowkv-test-'));
}

/**
 * `args` are extra command-line words, e.g. ['--requirepass', 'secret'], optionally starting
 * with a config file path. Unless they name a `--dir`, the server gets its own fresh temp
 * directory (its `dir`, after any config file's), reported as `directory`.
 */
export async function startServer(args: readonly string[] = []): Promise<ServerProcess> {
  if (!existsSync(MAIN_PATH)) throw new Error(`${MAIN_PATH} is missing: build first with npx tsc -p tsconfig.json`);
  const dirIndex = args.indexOf('--dir');
  const directory = dirIndex >= 0 ? args[dirIndex + 1] : makeDataDirectory();
  const dirArgs = dirIndex >= 0 ? [] : ['--dir', directory];
  // A config file (a first word that is not an option) must stay first, as for redis-server.
  const configFile = args.length > 0 && !args[0].startsWith('--') ? [args[0]] : [];
  const options = args.slice(configFile.length);
  const launch = serverCommandLine(MAIN_PATH, [...configFile, '--port', '0', ...dirArgs, ...options]);
  const child = spawn(launch.file, launch.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  const exitPromise = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Server did not start within ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
    const check = (): void => {
      const match = /Ready to accept connections tcp port=(\d+)/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', check);
    void exitPromise.then((code) => {
      clearTimeout(timer);
      reject(new Error(`Server exited with code ${code} before it was ready:\n${output}`));
    });
  });
  return {
    port,
    directory,
    child,
    output: () => output,
    exited: () => exitPromise,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const code = await exitPromise;
      clearTimeout(timer);
      return code;
    },
  };
}
