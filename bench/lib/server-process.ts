/**
 * Starts the servers a benchmark compares — cowkv (`node dist/src/main.js`) and Debian's
 * redis-server — as child processes on free 127.0.0.1 ports, waits until they answer PING, and
 * stops them.
 * Why: benches that compare servers (server-throughput, snapshot-compare, ...) need the same
 * start/stop/readiness logic, and the same settings for both sides (no snapshots, no AOF unless
 * asked), so the comparison is fair and nothing is left running or written into the repo.
 * Invariants: servers bind only 127.0.0.1; each gets a fresh temp `dir`, removed on stop()
 * (unless the caller names its own `directory`, which is kept);
 * stop() always ends the child (SIGTERM, then SIGKILL after STOP_TIMEOUT_MS). The server run as
 * cowkv is always the compiled dist/src/main.js (build first), found from the repository root,
 * started with the server's own node flags (src/server/launch-profile.ts), which
 * BENCH_COWKV_NODE_FLAGS replaces for an A/B run (space-separated; '' for none).
 * Not here: what the benches send (see redis-benchmark.ts for the redis-benchmark runner).
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { SERVER_NODE_FLAGS, serverCommandLine } from '../../src/server/launch-profile.js';

export const BENCH_HOST = '127.0.0.1';
/** How long a server may take to answer its first PING. */
export const START_TIMEOUT_MS = 30_000;
/** How long stop() waits after SIGTERM before SIGKILL. */
export const STOP_TIMEOUT_MS = 10_000;
const READY_POLL_INTERVAL_MS = 50;

/** The repository root: the nearest folder above this file holding package.json. */
function repositoryRoot(): string {
  let directory = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(directory, 'package.json')) && path.dirname(directory) !== directory) directory = path.dirname(directory);
  return directory;
}

/** cowkv's compiled entry, dist/src/main.js (whether this file runs from dist/ or from source). */
export const COWKV_MAIN_PATH = path.join(repositoryRoot(), 'dist', 'src', 'main.js');

export type ServerKind = 'cowkv' | 'redis';

export interface BenchServerOptions {
  readonly kind: ServerKind;
  /** Extra words after the defaults, e.g. ['--save', '900 1'] (later options win, as in redis-server). */
  readonly extraArgs?: readonly string[];
  /** cowkv's entry to run instead of COWKV_MAIN_PATH (e.g. another build, to compare two). */
  readonly mainPath?: string;
  /** Extra node flags for cowkv, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof']. */
  readonly nodeArgs?: readonly string[];
  /** Where the server's stdout/stderr go: kept in memory (default) or inherited. */
  readonly output?: 'capture' | 'inherit';
  /**
   * The server's `dir`, kept after stop() (e.g. to restart on the same snapshot). Default: a
   * fresh temp dir, removed by stop().
   */
  readonly directory?: string;
}

export interface BenchServer {
  readonly kind: ServerKind;
  readonly pid: number;
  readonly port: number;
  /** The server's `dir` (a temp dir removed by stop(), unless the caller gave one). */
  readonly directory: string;
  readonly child: ChildProcess;
  /** What the server printed so far (empty with output 'inherit'). */
  output(): string;
  /** SIGTERM (SIGKILL after STOP_TIMEOUT_MS), wait for the exit, remove the temp dir (not a given one). */
  stop(): Promise<void>;
}

/** True when `redis-server` is on the PATH. */
export function isRedisServerInstalled(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** A port that was free a moment ago (the kernel's choice for port 0). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, BENCH_HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function commandLine(options: BenchServerOptions, port: number, directory: string): { file: string; args: string[] } {
  const common = ['--port', String(port), '--bind', BENCH_HOST, '--dir', directory, '--save', '', '--appendonly', 'no'];
  if (options.kind === 'redis') return { file: 'redis-server', args: [...common, ...(options.extraArgs ?? [])] };
  const mainPath = options.mainPath ?? COWKV_MAIN_PATH;
  if (!existsSync(mainPath)) throw new Error(`Cannot start cowkv: ${mainPath} is missing (build first: npm run build)`);
  // cowkv has no AOF; `--appendonly no` is accepted by redis-server only, so leave it out.
  const cowkvArgs = ['--port', String(port), '--bind', BENCH_HOST, '--dir', directory, '--save', ''];
  return serverCommandLine(mainPath, [...cowkvArgs, ...(options.extraArgs ?? []), ...benchServerExtraArgs()], [...(options.nodeArgs ?? []), ...benchServerNodeFlags()]);
}

/**
 * Extra cowkv command-line words for an A/B run, from BENCH_COWKV_ARGS (space-separated), e.g.
 * BENCH_COWKV_ARGS='--warmup-commands 50000'. Unset: none.
 */
export function benchServerExtraArgs(): string[] {
  return (process.env['BENCH_COWKV_ARGS'] ?? '').split(' ').filter((word) => word !== '');
}

/**
 * The node flags benches run cowkv (or its store, in process) with: the server's own, or
 * BENCH_COWKV_NODE_FLAGS for an A/B run (space-separated; '' for none).
 */
export function benchServerNodeFlags(): string[] {
  const override = process.env['BENCH_COWKV_NODE_FLAGS'];
  return override === undefined ? [...SERVER_NODE_FLAGS] : override.split(' ').filter((flag) => flag !== '');
}

/** Starts one server and resolves once it answers PING. */
export async function startBenchServer(options: BenchServerOptions): Promise<BenchServer> {
  const port = await freePort();
  const isOwnDirectory = options.directory === undefined;
  const directory = options.directory ?? mkdtempSync(path.join(os.tmpdir(), `cowkv-bench-${options.kind}-`));
  const { file, args } = commandLine(options, port, directory);
  const inherit = options.output === 'inherit';
  const child = spawn(file, args, { stdio: inherit ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnFailed = new Promise<Error>((resolve) => child.once('error', resolve));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    if (isOwnDirectory) rmSync(directory, { recursive: true, force: true });
  };
  const ready = await Promise.race([
    waitForPong(port),
    spawnFailed.then((error) => `cannot spawn ${file}: ${error.message}`),
    exited.then(() => `exited with code ${child.exitCode} before it was ready`),
  ]);
  if (ready !== true || child.pid === undefined) {
    await stop();
    throw new Error(`Cannot start ${options.kind} on port ${port}: ${ready === true ? 'no pid' : ready}\n${output}`);
  }
  return { kind: options.kind, pid: child.pid, port, directory, child, output: () => output, stop };
}

/** Polls PING until +PONG or START_TIMEOUT_MS; resolves true or a reason. */
async function waitForPong(port: number): Promise<true | string> {
  const deadlineMs = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadlineMs) {
    if (await pingOnce(port)) return true;
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_INTERVAL_MS));
  }
  return `no PONG within ${START_TIMEOUT_MS} ms`;
}

function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: BENCH_HOST, port });
    let received = '';
    const finish = (isPong: boolean): void => {
      socket.destroy();
      resolve(isPong);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n')) finish(received.startsWith('+PONG'));
    });
  });
}
