/**
 * One measured snapshot: start a fresh server, fill it, start the load and probe processes, poll
 * RSS and INFO, take the snapshot (SAVE, or BGSAVE and wait for it to finish), keep the load
 * running a while after, then collect everything raw.
 * Why a fresh server per snapshot: every strategy then starts from the same bytes (same seed,
 * same fill order) and the same heap layout, and one snapshot's leftovers (shadow pool, RSS that
 * never shrinks) cannot colour the next.
 * Invariants: the poller has at most one INFO in flight, on its own connection, so a blocked
 * server (SAVE) delays samples instead of piling requests up; RSS comes from /proc and is read
 * even while the server is blocked; all times are ms relative to `originMs` (when the clients
 * started).
 * Not here: summaries and series (metrics.ts), charts and files (charts.ts, report-files.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Prng } from '../harness.js';
import { BENCH_HOST, startBenchServer, type BenchServer, type ServerKind } from '../lib/server-process.js';
import type { ClientResult, ClientStart } from './client-process.js';
import { RespConnection, infoNumber, isError, parseInfo } from '../lib/resp-connection.js';
import { SetEncoder } from './set-encoder.js';

/** What one run snapshots, and how. */
export interface Target {
  /** Unique in a report, e.g. `cowkv-cow` or `sweep-cow-16kb`. */
  readonly id: string;
  readonly label: string;
  readonly server: ServerKind;
  readonly command: 'SAVE' | 'BGSAVE';
  /** cowkv's snapshot-strategy for BGSAVE (ignored for SAVE and Redis). */
  readonly strategy: 'cow' | 'stw' | 'copy' | null;
  /** cowkv's --page-size (ignored for Redis). */
  readonly pageSizeText: string;
}

export interface RunParameters {
  readonly keyCount: number;
  readonly keyLengthBytes: number;
  readonly valueSizeBytes: number;
  readonly writeRatePerSec: number;
  readonly pipelineDepth: number;
  readonly seed: number;
  /** Load running before the snapshot starts (the first quarter is warm-up). */
  readonly beforeMs: number;
  /** Load running after the snapshot ends. */
  readonly afterMs: number;
  readonly pollIntervalMs: number;
  readonly bucketMs: number;
  /** Give up waiting for a BGSAVE after this long. */
  readonly snapshotTimeoutMs: number;
}

export interface PollSample {
  readonly atMs: number;
  readonly rssBytes: number;
  /** INFO current_cow_size when this sample's INFO answered, else null (server busy). */
  readonly cowBytes: number | null;
}

export interface TargetRun {
  readonly target: Target;
  /** When both client processes were connected and running. */
  readonly clientsReadyMs: number;
  readonly snapshotStartMs: number;
  readonly snapshotEndMs: number;
  readonly endMs: number;
  readonly fillMs: number;
  readonly rssBeforeBytes: number;
  readonly opsPerBucket: number[];
  readonly loadErrorCount: number;
  readonly probeSamples: Array<[number, number]>;
  readonly pollSamples: PollSample[];
  /** INFO persistence after the snapshot, every field as text. */
  readonly persistenceInfo: Record<string, string>;
  /** Redis: INFO stats latest_fork_usec; cowkv: null. */
  readonly latestForkUs: number | null;
  /** Size of the snapshot file the server wrote. */
  readonly fileBytes: number | null;
  readonly usedMemoryBytes: number | null;
}

/** SETs per pipelined batch while filling, and batches in flight. */
const FILL_BATCH_COUNT = 1000;
const FILL_BATCHES_IN_FLIGHT = 4;
const CLIENT_SCRIPT_PATH = path.join(path.dirname(fileURLToPath(import.meta.url)), 'client-process.js');

function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

function sleep(durationMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, durationMs));
}

/** VmRSS of a process in bytes, or 0 when /proc cannot tell. */
export function readRssBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return match === null ? 0 : Number(match[1]) * 1024;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0; // the process has exited
    throw error;
  }
}

/** Fills keys 0..keyCount-1 with seeded values, pipelined; reports progress as a fraction. */
async function fill(connection: RespConnection, parameters: RunParameters, onProgress: (fraction: number) => void): Promise<void> {
  const prng = new Prng(parameters.seed);
  const baseValue = Buffer.alloc(parameters.valueSizeBytes);
  prng.fill(baseValue);
  const encoder = new SetEncoder(parameters.keyLengthBytes, baseValue);
  const inFlight: Array<Promise<{ errorCount: number }>> = [];
  for (let first = 0; first < parameters.keyCount; first += FILL_BATCH_COUNT) {
    const count = Math.min(FILL_BATCH_COUNT, parameters.keyCount - first);
    inFlight.push(connection.sendBatch(encoder.encode(count, (position) => first + position, prng), count));
    if (inFlight.length >= FILL_BATCHES_IN_FLIGHT) {
      const done = await inFlight.shift()!;
      if (done.errorCount > 0) throw new Error(`Fill failed: ${done.errorCount} SET errors`);
      onProgress(first / parameters.keyCount);
    }
  }
  for (const pending of inFlight) {
    const done = await pending;
    if (done.errorCount > 0) throw new Error(`Fill failed: ${done.errorCount} SET errors`);
  }
  onProgress(1);
}

interface ClientHandle {
  readonly child: ChildProcess;
  readonly result: Promise<ClientResult>;
}

async function startClient(start: ClientStart): Promise<ClientHandle> {
  const child = fork(CLIENT_SCRIPT_PATH, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => { resolveReady = resolve; });
  const result = new Promise<ClientResult>((resolve, reject) => {
    child.on('message', (message: { type: string }) => {
      if (message.type === 'ready') resolveReady();
      else if (message.type === 'result') resolve(message as ClientResult);
    });
    child.once('exit', (code) => reject(new Error(`${start.role} client exited with code ${code} before reporting`)));
  });
  result.catch(() => {}); // observed by the caller after stop; this keeps an early exit from being unhandled
  child.send(start);
  await Promise.race([ready, result]);
  return { child, result };
}

/** Polls RSS every interval and INFO persistence whenever the previous INFO has answered. */
class Poller {
  readonly samples: PollSample[] = [];
  #timer: NodeJS.Timeout;
  #isInfoPending = false;
  #lastInProgress: { sentMs: number; answeredMs: number; inProgress: boolean } | null = null;

  constructor(readonly connection: RespConnection, readonly pid: number, readonly originMs: number, intervalMs: number) {
    this.#timer = setInterval(() => this.#poll(), intervalMs);
  }

  /** The last answered rdb_bgsave_in_progress, with when its INFO was sent and answered. */
  get lastInProgress(): { sentMs: number; answeredMs: number; inProgress: boolean } | null {
    return this.#lastInProgress;
  }

  latestRssBytes(): number {
    return this.samples.length === 0 ? readRssBytes(this.pid) : this.samples[this.samples.length - 1].rssBytes;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #poll(): void {
    const atMs = nowMs() - this.originMs;
    const rssBytes = readRssBytes(this.pid);
    if (this.#isInfoPending) {
      this.samples.push({ atMs, rssBytes, cowBytes: null });
      return;
    }
    this.#isInfoPending = true;
    void this.connection.command(['INFO', 'persistence']).then((reply) => {
      this.#isInfoPending = false;
      const fields = parseInfo(reply);
      const answeredMs = nowMs() - this.originMs;
      this.samples.push({ atMs, rssBytes, cowBytes: infoNumber(fields, 'current_cow_size') });
      const inProgress = infoNumber(fields, 'rdb_bgsave_in_progress');
      if (inProgress !== null) this.#lastInProgress = { sentMs: atMs, answeredMs, inProgress: inProgress === 1 };
    });
  }
}

function serverArgs(target: Target): string[] {
  if (target.server === 'redis') return [];
  return ['--page-size', target.pageSizeText, '--snapshot-strategy', target.strategy ?? 'cow'];
}

/** Sends the snapshot command; resolves with its end time (ms after origin). */
async function takeSnapshot(control: RespConnection, poller: Poller, target: Target, startMs: number, parameters: RunParameters): Promise<number> {
  const reply = await control.command([target.command]);
  if (isError(reply)) throw new Error(`${target.label}: ${target.command} failed: ${reply.error}`);
  if (target.command === 'SAVE') return nowMs() - poller.originMs;
  // BGSAVE: done when an INFO sent after the BGSAVE reply says nothing is in progress.
  const repliedMs = nowMs() - poller.originMs;
  const deadlineMs = repliedMs + parameters.snapshotTimeoutMs;
  for (;;) {
    const last = poller.lastInProgress;
    if (last !== null && last.sentMs > repliedMs && !last.inProgress) return Math.max(startMs, last.answeredMs);
    if (nowMs() - poller.originMs > deadlineMs) throw new Error(`${target.label}: BGSAVE still running after ${parameters.snapshotTimeoutMs} ms`);
    await sleep(parameters.pollIntervalMs / 2);
  }
}

function snapshotFileBytes(server: BenchServer): number | null {
  for (const name of ['dump.rdb', 'dump.snap']) {
    const filePath = path.join(server.directory, name);
    if (existsSync(filePath)) return statSync(filePath).size;
  }
  return null;
}

/** Runs one target from server start to server stop. */
export async function runTarget(target: Target, parameters: RunParameters, onPhase: (phase: string) => void): Promise<TargetRun> {
  const server = await startBenchServer({ kind: target.server, extraArgs: serverArgs(target) });
  try {
    const control = await RespConnection.open(BENCH_HOST, server.port);
    const fillStartMs = nowMs();
    onPhase('fill 0%');
    await fill(control, parameters, (fraction) => onPhase(`fill ${Math.round(fraction * 100)}%`));
    const fillMs = nowMs() - fillStartMs;
    const originMs = nowMs();
    const common = {
      type: 'start' as const, host: BENCH_HOST, port: server.port, seed: parameters.seed, keyCount: parameters.keyCount,
      keyLengthBytes: parameters.keyLengthBytes, valueSizeBytes: parameters.valueSizeBytes, writeRatePerSec: parameters.writeRatePerSec,
      pipelineDepth: parameters.pipelineDepth, originMs, bucketMs: parameters.bucketMs,
    };
    const pollConnection = await RespConnection.open(BENCH_HOST, server.port);
    const poller = new Poller(pollConnection, server.pid, originMs, parameters.pollIntervalMs);
    const load = await startClient({ ...common, role: 'load' });
    const probe = await startClient({ ...common, role: 'probe' });
    const clientsReadyMs = nowMs() - originMs;
    onPhase('load before snapshot');
    await sleep(parameters.beforeMs);
    const rssBeforeBytes = readRssBytes(server.pid);
    const snapshotStartMs = nowMs() - originMs;
    onPhase(`${target.command} running`);
    const snapshotEndMs = await takeSnapshot(control, poller, target, snapshotStartMs, parameters);
    onPhase('load after snapshot');
    await sleep(parameters.afterMs);
    for (const client of [load, probe]) client.child.send({ type: 'stop' });
    const [loadResult, probeResult] = await Promise.all([load.result, probe.result]);
    const endMs = nowMs() - originMs;
    poller.stop();
    pollConnection.close();
    const persistenceInfo = Object.fromEntries(parseInfo(await control.command(['INFO', 'persistence'])));
    const statsInfo = parseInfo(await control.command(['INFO', 'stats']));
    const usedMemoryBytes = infoNumber(parseInfo(await control.command(['INFO', 'memory'])), 'used_memory');
    control.close();
    return {
      target, clientsReadyMs, snapshotStartMs, snapshotEndMs, endMs, fillMs, rssBeforeBytes,
      opsPerBucket: loadResult.opsPerBucket, loadErrorCount: loadResult.errorCount + probeResult.errorCount,
      probeSamples: probeResult.probeSamples, pollSamples: poller.samples, persistenceInfo,
      latestForkUs: target.server === 'redis' ? infoNumber(statsInfo, 'latest_fork_usec') : null,
      fileBytes: snapshotFileBytes(server), usedMemoryBytes,
    };
  } finally {
    await server.stop();
  }
}
