/**
 * The client processes of the snapshot benchmark, forked by run-target.ts: a write `load`
 * (random-key SET overwrites, modestly pipelined, at a fixed rate or flat out) and a latency
 * `probe` (one GET at a time, about every millisecond).
 * Why separate processes: the load and the probe must not share an event loop with each other,
 * with the bench's INFO poller, or with the server, or a stall in one would be charged to another.
 * Invariants: both use the seed they are given, so every strategy gets the same key sequence;
 * times are epoch milliseconds (performance.timeOrigin + now), comparable across processes on
 * one machine; the load counts one reply per '\n' because every SET reply is a single line.
 * Protocol: parent sends `ClientStart`, child answers `{ type: 'ready' }`, parent sends
 * `{ type: 'stop' }`, child answers `ClientResult` and exits.
 * Not here: what the numbers mean (see metrics.ts).
 */
import { performance } from 'node:perf_hooks';
import { Prng, fixedKey } from '../harness.js';
import { RespConnection, encodeCommand } from '../lib/resp-connection.js';
import { SetEncoder } from './set-encoder.js';

export interface ClientStart {
  readonly type: 'start';
  readonly role: 'load' | 'probe';
  readonly host: string;
  readonly port: number;
  readonly seed: number;
  readonly keyCount: number;
  readonly keyLengthBytes: number;
  readonly valueSizeBytes: number;
  /** Load only: SETs per second, 0 = as fast as the server answers. */
  readonly writeRatePerSec: number;
  /** Load only: most SETs in flight on the connection. */
  readonly pipelineDepth: number;
  /** Bucket 0 starts here (epoch ms). */
  readonly originMs: number;
  readonly bucketMs: number;
}

export interface ClientResult {
  readonly type: 'result';
  /** Load: replies received per bucket. */
  readonly opsPerBucket: number[];
  readonly errorCount: number;
  /** Probe: [sentAtMs relative to origin, latencyUs] pairs. */
  readonly probeSamples: Array<[number, number]>;
}

/** How often the probe sends, at most (it waits for each reply first). */
export const PROBE_INTERVAL_MS = 1;
/** How many SETs the load encodes per socket write, at most. */
const LOAD_BATCH_MAX = 64;
/** At a fixed rate, how much missed work (in ms of load) the load makes up for after a stall. */
const LOAD_BACKLOG_MAX_MS = 100;

function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

async function runLoad(start: ClientStart, connection: RespConnection, stopped: () => boolean): Promise<ClientResult> {
  const prng = new Prng(start.seed);
  const baseValue = Buffer.alloc(start.valueSizeBytes);
  prng.fill(baseValue);
  const encoder = new SetEncoder(start.keyLengthBytes, baseValue);
  const opsPerBucket: number[] = [];
  // `lanes` batches of at most `batchMax` SETs each keep about pipelineDepth SETs in flight.
  const batchMax = Math.max(1, Math.min(LOAD_BATCH_MAX, start.pipelineDepth));
  let errorCount = 0;
  /** Writes sent or given up on (see LOAD_BACKLOG_MAX_MS): the rate limiter's count. */
  let sentCount = 0;
  const beganMs = nowMs();
  const record = (count: number): void => {
    const bucket = Math.max(0, Math.floor((nowMs() - start.originMs) / start.bucketMs));
    opsPerBucket[bucket] = (opsPerBucket[bucket] ?? 0) + count;
  };
  const sendOne = async (): Promise<void> => {
    while (!stopped()) {
      let allowed = batchMax;
      if (start.writeRatePerSec > 0) {
        let dueCount = Math.floor(((nowMs() - beganMs) / 1000) * start.writeRatePerSec) - sentCount;
        // Writes missed during a stall are made up for only LOAD_BACKLOG_MAX_MS worth, so a long
        // stall (SAVE, a slow start under machine load) does not turn into a long burst.
        const backlogMaxCount = Math.ceil((start.writeRatePerSec * LOAD_BACKLOG_MAX_MS) / 1000);
        if (dueCount > backlogMaxCount) {
          sentCount += dueCount - backlogMaxCount;
          dueCount = backlogMaxCount;
        }
        if (dueCount <= 0) {
          await new Promise((resolve) => setTimeout(resolve, 1));
          continue;
        }
        allowed = Math.min(allowed, dueCount);
      }
      const batch = encoder.encode(allowed, () => prng.below(start.keyCount), prng);
      sentCount += allowed;
      const reply = await connection.sendBatch(batch, allowed);
      errorCount += reply.errorCount;
      record(allowed);
    }
  };
  const lanes = Math.ceil(start.pipelineDepth / batchMax);
  await Promise.all(Array.from({ length: lanes }, () => sendOne()));
  connection.close();
  return { type: 'result', opsPerBucket: Array.from(opsPerBucket, (count) => count ?? 0), errorCount, probeSamples: [] };
}

async function runProbe(start: ClientStart, connection: RespConnection, stopped: () => boolean): Promise<ClientResult> {
  const prng = new Prng(start.seed ^ 0x5bd1e995);
  const probeSamples: Array<[number, number]> = [];
  let errorCount = 0;
  while (!stopped()) {
    const key = fixedKey(prng.below(start.keyCount), start.keyLengthBytes);
    const sentMs = nowMs();
    const reply = await connection.sendBatch(encodeCommand(['GET', key]), 1);
    const latencyUs = (nowMs() - sentMs) * 1000;
    errorCount += reply.errorCount;
    probeSamples.push([Math.round((sentMs - start.originMs) * 1000) / 1000, Math.round(latencyUs)]);
    await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
  }
  connection.close();
  return { type: 'result', opsPerBucket: [], errorCount, probeSamples };
}

function main(): void {
  let isStopped = false;
  process.on('message', (message: ClientStart | { type: 'stop' }) => {
    if (message.type === 'stop') {
      isStopped = true;
      return;
    }
    const start = message;
    const run = start.role === 'load' ? runLoad : runProbe;
    const result = RespConnection.open(start.host, start.port).then((connection) => {
      process.send!({ type: 'ready' });
      return run(start, connection, () => isStopped);
    });
    void result.then(
      (value) => process.send!(value, () => process.disconnect()),
      (error: unknown) => {
        process.stderr.write(`snapshot-compare ${message.role} client failed: ${String(error)}\n`);
        process.exitCode = 1;
        process.disconnect();
      },
    );
  });
}

main();
