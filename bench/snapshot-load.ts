/**
 * Load at start-up: how long cowkv takes to come back from its snapshot of N keys, against
 * redis-server coming back from its RDB of the same data, on the same machine in the same run.
 *
 *   for each server (cowkv, redis if installed):
 *     start empty (timed: the baseline start-up cost), fill N keys with pipelined raw RESP
 *     (the same keys and values for both), SAVE, stop
 *   restartCount rounds, each restarting cowkv then redis on their directories: time from spawn
 *   until PING answers +PONG and DBSIZE == N (Redis answers -LOADING meanwhile; cowkv listens
 *   after loading), and read the server's own "DB loaded from disk: <s> seconds" line
 *
 * Rounds alternate the servers so each pair ran under the same machine load (this machine is
 * shared; a slow moment then hits both). Issue 3's target: cowkv loads at least 3x faster than
 * Redis. The ratio is reported on both measures (spawn-to-ready, the servers' own load time)
 * as the median of the per-round ratios, never asserted.
 * Why its own spawning helpers: it restarts a server on a directory it keeps (bench/lib's
 * servers get a fresh directory each), and the bench must not depend on files in flux.
 * Parameters (BENCH_<NAME> overrides): keyCount (smoke 20,000, full 2,000,000), keyBytes 16,
 * valueBytes 100, restartCount (smoke 1, full 3), pageSizeBytes for cowkv (default 4096),
 * cowkvHugePages (default 0; 1 starts cowkv with GLIBC_TUNABLES=glibc.malloc.hugetlb=1, so
 * glibc asks for transparent huge pages for the heap's segments: most of cowkv's load time is
 * the kernel faulting in fresh 4 KiB pages, and where THP is "madvise" only this asks for it.
 * Opt-in because it is a deployment choice; Redis (jemalloc) is not affected by it).
 * Run: npx tsc -p tsconfig.json && node dist/bench/snapshot-load.js (BENCH_MODE=smoke for CI).
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { BENCH_SEED, fixedKey, median, parameter, Prng, report, round } from './harness.js';
import { BENCH_HOST, COWKV_MAIN_PATH, freePort, isRedisServerInstalled } from './lib/server-process.js';
import { serverCommandLine } from '../src/server/launch-profile.js';

/** Commands per pipelined write while filling. */
const FILL_BATCH_COMMAND_COUNT = 10_000;
/** A server must answer within this long after spawn (a 2M-key load included). */
const READY_TIMEOUT_MS = 300_000;
const READY_POLL_INTERVAL_MS = 5;
const STOP_TIMEOUT_MS = 30_000;
/** One RESP reply must arrive within this long. */
const REPLY_TIMEOUT_MS = 120_000;

/** dist/src/main.js, seen from dist/bench/. */

type ServerKind = 'cowkv' | 'redis';

interface Dataset {
  readonly keyCount: number;
  readonly keyBytes: number;
  readonly valueBytes: number;
}

interface LoadRun {
  readonly readyMs: number;
  /** The server's own "DB loaded from disk" time, if it printed one. */
  readonly loadLogMs: number | null;
}

interface ServerResult {
  readonly kind: ServerKind;
  readonly emptyStartMs: number;
  readonly fillOpsPerSec: number;
  readonly saveMs: number;
  readonly fileBytes: number;
  readonly runs: readonly LoadRun[];
}

// ---- processes ----------------------------------------------------------------------------------

interface Spawned {
  readonly child: ChildProcess;
  readonly port: number;
  readonly startNs: bigint;
  output(): string;
  stop(): Promise<void>;
}

/** glibc's tunable that makes malloc madvise its mmapped chunks for transparent huge pages. */
const GLIBC_HUGE_PAGES_TUNABLE = 'glibc.malloc.hugetlb=1';

interface SpawnOptions {
  readonly pageSizeBytes: number;
  /** cowkv only: start it with GLIBC_HUGE_PAGES_TUNABLE. */
  readonly isHugePages: boolean;
}

/** The environment for a server: cowkv with the huge-pages tunable if asked. */
function serverEnvironment(kind: ServerKind, isHugePages: boolean): NodeJS.ProcessEnv {
  if (kind !== 'cowkv' || !isHugePages) return process.env;
  const tunables = process.env['GLIBC_TUNABLES'];
  return { ...process.env, GLIBC_TUNABLES: tunables === undefined || tunables === '' ? GLIBC_HUGE_PAGES_TUNABLE : `${tunables}:${GLIBC_HUGE_PAGES_TUNABLE}` };
}

async function spawnServer(kind: ServerKind, directory: string, options: SpawnOptions): Promise<Spawned> {
  const { pageSizeBytes } = options;
  const port = await freePort();
  const common = ['--port', String(port), '--bind', BENCH_HOST, '--dir', directory, '--save', ''];
  const { file, args } = kind === 'redis'
    ? { file: 'redis-server', args: [...common, '--dbfilename', 'dump.rdb', '--appendonly', 'no'] }
    : serverCommandLine(COWKV_MAIN_PATH, [...common, '--dbfilename', 'dump.snap', '--page-size', String(pageSizeBytes)]);
  const startNs = process.hrtime.bigint();
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: serverEnvironment(kind, options.isHugePages) });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  return { child, port, startNs, output: () => output, stop };
}

// ---- a minimal RESP client ----------------------------------------------------------------------

/** Reads whole replies off a socket; enough RESP2 for +, -, : and $ replies. */
class Connection {
  readonly #socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  #waiter: (() => void) | null = null;
  #isClosed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
      this.#waiter?.();
    });
    socket.on('close', () => {
      this.#isClosed = true;
      this.#waiter?.();
    });
    socket.on('error', () => undefined); // 'close' follows
  }

  static open(port: number): Promise<Connection | null> {
    return new Promise((resolve) => {
      const socket = createConnection({ host: BENCH_HOST, port });
      socket.once('connect', () => resolve(new Connection(socket)));
      socket.once('error', () => resolve(null));
    });
  }

  write(bytes: Buffer): void {
    this.#socket.write(bytes);
  }

  /** The next reply as text ('+PONG', '-LOADING ...', ':42', '$3 abc'), or null if closed. */
  async reply(): Promise<string | null> {
    for (;;) {
      const parsed = parseReply(this.#buffer);
      if (parsed !== null) {
        this.#buffer = this.#buffer.subarray(parsed.length);
        return parsed.text;
      }
      if (this.#isClosed) return null;
      await this.#waitForData();
    }
  }

  /** Waits until `count` replies of exactly `expected` bytes each have arrived; false if not. */
  async expectReplies(count: number, expected: Buffer): Promise<boolean> {
    const totalBytes = count * expected.length;
    while (this.#buffer.length < totalBytes && !this.#isClosed) await this.#waitForData();
    if (this.#buffer.length < totalBytes) return false;
    for (let offset = 0; offset < totalBytes; offset += expected.length) {
      if (this.#buffer.compare(expected, 0, expected.length, offset, offset + expected.length) !== 0) return false;
    }
    this.#buffer = this.#buffer.subarray(totalBytes);
    return true;
  }

  async command(argv: readonly string[]): Promise<string | null> {
    this.write(encode(argv.map((word) => Buffer.from(word))));
    return this.reply();
  }

  close(): void {
    this.#socket.destroy();
  }

  #waitForData(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`No reply within ${REPLY_TIMEOUT_MS} ms`)), REPLY_TIMEOUT_MS);
      this.#waiter = () => {
        clearTimeout(timer);
        this.#waiter = null;
        resolve();
      };
    });
  }
}

function parseReply(buffer: Buffer): { text: string; length: number } | null {
  const lineEnd = buffer.indexOf('\r\n');
  if (lineEnd < 0) return null;
  const line = buffer.toString('latin1', 0, lineEnd);
  if (line[0] !== '$') return { text: line, length: lineEnd + 2 };
  const bulkLength = Number(line.slice(1));
  if (bulkLength < 0) return { text: '$-1', length: lineEnd + 2 };
  const end = lineEnd + 2 + bulkLength + 2;
  if (buffer.length < end) return null;
  return { text: `$${bulkLength} ${buffer.toString('latin1', lineEnd + 2, lineEnd + 2 + bulkLength)}`, length: end };
}

function encode(argv: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)];
  for (const word of argv) parts.push(Buffer.from(`$${word.length}\r\n`), word, Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

// ---- the measurements ---------------------------------------------------------------------------

/** Polls until PING answers +PONG and DBSIZE is `keyCount`; returns ms since spawn. */
async function waitUntilLoaded(server: Spawned, keyCount: number): Promise<number> {
  const deadlineNs = server.startNs + BigInt(READY_TIMEOUT_MS) * 1_000_000n;
  while (process.hrtime.bigint() < deadlineNs) {
    if (server.child.exitCode !== null) throw new Error(`Server exited with code ${server.child.exitCode}:\n${server.output()}`);
    const connection = await Connection.open(server.port);
    if (connection !== null) {
      try {
        if ((await connection.command(['PING'])) === '+PONG' && (await connection.command(['DBSIZE'])) === `:${keyCount}`) {
          return Number(process.hrtime.bigint() - server.startNs) / 1e6;
        }
      } finally {
        connection.close();
      }
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_INTERVAL_MS));
  }
  throw new Error(`Server not ready with ${keyCount} keys within ${READY_TIMEOUT_MS} ms:\n${server.output()}`);
}

/** SET key value for every key, FILL_BATCH_COMMAND_COUNT per write; the same bytes for both servers. */
async function fill(connection: Connection, dataset: Dataset): Promise<number> {
  const prng = new Prng(BENCH_SEED);
  const value = Buffer.alloc(dataset.valueBytes);
  const ok = Buffer.from('+OK\r\n');
  const startNs = process.hrtime.bigint();
  for (let first = 0; first < dataset.keyCount; first += FILL_BATCH_COMMAND_COUNT) {
    const count = Math.min(FILL_BATCH_COMMAND_COUNT, dataset.keyCount - first);
    const commands: Buffer[] = [];
    for (let index = first; index < first + count; index += 1) {
      prng.fill(value);
      commands.push(encode([Buffer.from('SET'), fixedKey(index, dataset.keyBytes), value]));
    }
    connection.write(Buffer.concat(commands));
    if (!(await connection.expectReplies(count, ok))) throw new Error(`A SET before key ${first + count} was not answered +OK`);
  }
  return dataset.keyCount / (Number(process.hrtime.bigint() - startNs) / 1e9);
}

/** "DB loaded from disk: 1.234 seconds" (Redis's line; cowkv prints the same). */
function loadLogMs(output: string): number | null {
  const match = /DB loaded from disk: ([\d.]+) seconds/.exec(output);
  return match === null ? null : Number(match[1]) * 1000;
}

interface Prepared {
  readonly kind: ServerKind;
  readonly directory: string;
  readonly emptyStartMs: number;
  readonly fillOpsPerSec: number;
  readonly saveMs: number;
  readonly fileBytes: number;
}

/** Starts `kind` empty, fills it, SAVEs and stops it; the directory keeps the file. */
async function prepareServer(kind: ServerKind, dataset: Dataset, spawnOptions: SpawnOptions): Promise<Prepared> {
  const directory = mkdtempSync(path.join(os.tmpdir(), `cowkv-bench-load-${kind}-`));
  const fileName = kind === 'redis' ? 'dump.rdb' : 'dump.snap';
  const first = await spawnServer(kind, directory, spawnOptions);
  try {
    const emptyStartMs = await waitUntilLoaded(first, 0);
    const connection = await Connection.open(first.port);
    if (connection === null) throw new Error(`Cannot connect to ${kind}`);
    const fillOpsPerSec = await fill(connection, dataset);
    const saveStartNs = process.hrtime.bigint();
    const saved = await connection.command(['SAVE']);
    const saveMs = Number(process.hrtime.bigint() - saveStartNs) / 1e6;
    if (saved !== '+OK') throw new Error(`${kind} SAVE answered ${saved}`);
    connection.close();
    await first.stop();
    return { kind, directory, emptyStartMs, fillOpsPerSec, saveMs, fileBytes: statSync(path.join(directory, fileName)).size };
  } catch (error) {
    await first.stop();
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
}

/** One restart of a prepared server: spawn to loaded, and its own load-time line. */
async function restartServer(prepared: Prepared, dataset: Dataset, spawnOptions: SpawnOptions): Promise<LoadRun> {
  const server = await spawnServer(prepared.kind, prepared.directory, spawnOptions);
  try {
    const readyMs = await waitUntilLoaded(server, dataset.keyCount);
    return { readyMs, loadLogMs: loadLogMs(server.output()) };
  } finally {
    await server.stop();
  }
}

async function measureServers(kinds: readonly ServerKind[], dataset: Dataset, options: SpawnOptions & { restartCount: number }): Promise<ServerResult[]> {
  const prepared: Prepared[] = [];
  try {
    for (const kind of kinds) prepared.push(await prepareServer(kind, dataset, options));
    const runs = prepared.map((): LoadRun[] => []);
    for (let round = 0; round < options.restartCount; round += 1) {
      for (const [index, server] of prepared.entries()) runs[index].push(await restartServer(server, dataset, options));
    }
    return prepared.map((server, index) => ({
      kind: server.kind,
      emptyStartMs: server.emptyStartMs,
      fillOpsPerSec: server.fillOpsPerSec,
      saveMs: server.saveMs,
      fileBytes: server.fileBytes,
      runs: runs[index],
    }));
  } finally {
    for (const server of prepared) rmSync(server.directory, { recursive: true, force: true });
  }
}

// ---- main ---------------------------------------------------------------------------------------

function summary(result: ServerResult): { readyMs: number; loadLogMs: number | null; mbPerSec: number } {
  const readyMs = median(result.runs.map((run) => run.readyMs));
  const logged = result.runs.map((run) => run.loadLogMs).filter((value): value is number => value !== null);
  const loadLogMs = logged.length === 0 ? null : median(logged);
  return { readyMs, loadLogMs, mbPerSec: result.fileBytes / (1024 * 1024) / (readyMs / 1000) };
}

function printTable(results: readonly ServerResult[], dataset: Dataset): void {
  console.log(`\nLoad at start-up: ${dataset.keyCount} keys, ${dataset.keyBytes} B keys, ${dataset.valueBytes} B values (median of restarts)`);
  console.log('server  file MB   empty start ms  spawn->ready ms  own load log ms  file MB/s  fill ops/s  SAVE ms');
  for (const result of results) {
    const shown = summary(result);
    console.log([
      result.kind.padEnd(6),
      (result.fileBytes / 1e6).toFixed(1).padStart(8),
      result.emptyStartMs.toFixed(0).padStart(15),
      shown.readyMs.toFixed(0).padStart(16),
      (shown.loadLogMs === null ? '-' : shown.loadLogMs.toFixed(0)).padStart(16),
      shown.mbPerSec.toFixed(0).padStart(10),
      result.fillOpsPerSec.toFixed(0).padStart(11),
      result.saveMs.toFixed(0).padStart(8),
    ].join(' '));
  }
}

/** Median over rounds of redis / cowkv for one measure; null without Redis or the measure. */
function pairedRatio(results: readonly ServerResult[], measure: (run: LoadRun) => number | null): number | null {
  if (results.length < 2) return null;
  const ratios: number[] = [];
  for (const [round, cowkvRun] of results[0].runs.entries()) {
    const cowkvValue = measure(cowkvRun);
    const redisValue = measure(results[1].runs[round]);
    if (cowkvValue !== null && redisValue !== null && cowkvValue > 0) ratios.push(redisValue / cowkvValue);
  }
  return ratios.length === 0 ? null : round(median(ratios), 2);
}

async function main(): Promise<void> {
  const dataset: Dataset = {
    keyCount: parameter('keyCount', { smoke: 20_000, full: 2_000_000 }),
    keyBytes: parameter('keyBytes', { smoke: 16, full: 16 }),
    valueBytes: parameter('valueBytes', { smoke: 100, full: 100 }),
  };
  const restartCount = parameter('restartCount', { smoke: 1, full: 3 });
  const pageSizeBytes = parameter('pageSizeBytes', { smoke: 4096, full: 4096 });
  const cowkvHugePages = parameter('cowkvHugePages', { smoke: 0, full: 0 });
  const kinds: ServerKind[] = isRedisServerInstalled() ? ['cowkv', 'redis'] : ['cowkv'];
  if (kinds.length === 1) console.log('redis-server is not installed: measuring cowkv only');
  const results = await measureServers(kinds, dataset, { restartCount, pageSizeBytes, isHugePages: cowkvHugePages === 1 });
  if (cowkvHugePages === 1) console.log(`cowkv ran with GLIBC_TUNABLES=${GLIBC_HUGE_PAGES_TUNABLE}`);
  printTable(results, dataset);

  const readyRatio = pairedRatio(results, (run) => run.readyMs);
  const loadLogRatio = pairedRatio(results, (run) => run.loadLogMs);
  if (readyRatio !== null) {
    console.log(`\nRedis / cowkv, median of per-round ratios: spawn->ready ${readyRatio}x, own load time ${loadLogRatio ?? '-'}x (target: cowkv at least 3x faster)`);
  }
  report('snapshot-load', {
    parameters: { ...dataset, restartCount, pageSizeBytes, cowkvHugePages },
    results: {
      servers: results.map((result) => ({ ...result, ...summary(result) })),
      redisOverCowkvReadyRatio: readyRatio,
      redisOverCowkvLoadLogRatio: loadLogRatio,
    },
    // The work: the same keys, and files of these sizes, loaded to this many keys.
    checksum: results.map((result) => `${result.kind}:${result.fileBytes}:${result.runs.length * dataset.keyCount}`).join(','),
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
