/**
 * The Node floor: the server CPU per request of a Node process that does nothing but answer
 * PING (no parser, no store, no dispatch), against cowkv and redis-server answering the same
 * `redis-benchmark -t ping_mbulk` load, in alternating rounds.
 * Why: issue 5 asks cowkv for no more CPU per request than Redis. This measures how much of
 * the gap is Node itself: if a bare Node server already costs more than Redis, that part is
 * out of reach of anything cowkv's own code can do.
 *   bare   one Node process, the server's node flags, reads landing in a reused buffer (the
 *          same read-into-buffer.ts cowkv uses), one write of n "+PONG" replies per read that
 *          held n requests; counting requests assumes ping_mbulk's fixed 14-byte request
 *   cowkv  the real server
 *   redis  redis-server (skipped when not installed)
 * Reported per pipeline depth: median ops/s and CPU µs per request of each server, and the
 * ratios to Redis. Never asserted (a timed test would be flaky here).
 * Parameters (BENCH_<NAME> overrides): requests (smoke 20,000, full 400,000), rounds (smoke 1,
 * full 3), clients 50; pipelines from BENCH_PIPELINES (default "1,16").
 * Run: npx tsc -p tsconfig.json && node dist/bench/node-floor.js
 * The bare server is this file run with `--serve PORT`.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

import { median, parameter, report, round } from './harness.js';
import { cpuTimeBetween, readCpuTime } from './lib/proc-stat.js';
import { isRedisBenchmarkInstalled, runRedisBenchmark } from './lib/redis-benchmark.js';
import { benchServerNodeFlags, BENCH_HOST, freePort, isRedisServerInstalled, startBenchServer } from './lib/server-process.js';
import { readIntoBuffer } from '../src/server/read-into-buffer.js';

/** redis-benchmark's ping_mbulk request: *1\r\n$4\r\nPING\r\n. */
const PING_REQUEST_BYTES = 14;
const PONG = Buffer.from('+PONG\r\n');
const READ_BUFFER_BYTES = 16 * 1024;
/** Replies for up to this many requests per read are precomputed; more are written in slices. */
const REPLIES_MAX = 1024;
const READY_ATTEMPTS_MAX = 200;
const READY_POLL_MS = 50;

/** The bare server: answers every complete ping_mbulk request with +PONG, nothing else. */
function serve(port: number): void {
  const replies = Buffer.alloc(PONG.length * REPLIES_MAX);
  for (let index = 0; index < REPLIES_MAX; index++) PONG.copy(replies, index * PONG.length);
  const server = net.createServer({ pauseOnConnect: true }, (accepted) => {
    const buffer = Buffer.alloc(READ_BUFFER_BYTES);
    let carryBytes = 0;
    const socket = readIntoBuffer(accepted, {
      nextBuffer: () => buffer,
      onBytes: (_bytes, byteCount) => {
        const total = carryBytes + byteCount;
        let count = Math.floor(total / PING_REQUEST_BYTES);
        carryBytes = total - count * PING_REQUEST_BYTES;
        while (count > 0) {
          const slice = Math.min(count, REPLIES_MAX);
          socket.write(replies.subarray(0, slice * PONG.length));
          count -= slice;
        }
      },
    });
    socket.on('error', () => socket.destroy());
  });
  server.listen(port, BENCH_HOST);
}

interface Target {
  readonly name: 'bare' | 'cowkv' | 'redis';
  readonly pid: number;
  readonly port: number;
  stop(): Promise<void>;
}

async function startBare(): Promise<Target> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [...benchServerNodeFlags(), fileURLToPath(import.meta.url), '--serve', String(port)], {
    stdio: 'ignore',
  });
  for (let attempt = 0; attempt < READY_ATTEMPTS_MAX; attempt++) {
    const isUp = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: BENCH_HOST, port }, () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (isUp) break;
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  return {
    name: 'bare', pid: child.pid!, port,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

async function measure(target: Target, pipeline: number, requestCount: number): Promise<{ opsPerSec: number; cpuUsPerRequest: number }> {
  const before = readCpuTime(target.pid);
  const rows = await runRedisBenchmark({
    port: target.port, tests: 'ping_mbulk', requestCount, keyspaceCount: 0, dataBytes: 3, clientCount: 50, pipelineCount: pipeline,
  });
  const after = readCpuTime(target.pid);
  const cpuMs = before !== null && after !== null ? cpuTimeBetween(before, after).totalMs : Number.NaN;
  return { opsPerSec: rows[0].requestsPerSecond, cpuUsPerRequest: (cpuMs * 1000) / requestCount };
}

async function main(): Promise<void> {
  const serveIndex = process.argv.indexOf('--serve');
  if (serveIndex >= 0) {
    serve(Number(process.argv[serveIndex + 1]));
    return;
  }
  if (!isRedisBenchmarkInstalled()) throw new Error('node-floor needs redis-benchmark (apt-get install -y redis-tools)');
  const requestCount = parameter('requests', { smoke: 20_000, full: 400_000 });
  const roundCount = parameter('rounds', { smoke: 1, full: 3 });
  const pipelines = (process.env['BENCH_PIPELINES'] ?? '1,16').split(',').map(Number);
  const targets: Target[] = [await startBare()];
  const cowkv = await startBenchServer({ kind: 'cowkv', extraArgs: ['--save', ''] });
  targets.push({ name: 'cowkv', pid: cowkv.pid, port: cowkv.port, stop: cowkv.stop });
  if (isRedisServerInstalled()) {
    const redis = await startBenchServer({ kind: 'redis', extraArgs: ['--save', ''] });
    targets.push({ name: 'redis', pid: redis.pid, port: redis.port, stop: redis.stop });
  }
  const results: Record<string, Record<string, { opsPerSec: number; cpuUsPerRequest: number }>> = {};
  try {
    // Warm-up: V8 compiles the servers' hot paths before anything is measured.
    for (const target of targets) await measure(target, 16, requestCount);
    for (const pipeline of pipelines) {
      const samples = new Map<string, { ops: number[]; cpu: number[] }>(targets.map((target) => [target.name, { ops: [], cpu: [] }]));
      for (let index = 0; index < roundCount; index++) {
        for (const target of targets) {
          const sample = await measure(target, pipeline, requestCount);
          samples.get(target.name)!.ops.push(sample.opsPerSec);
          samples.get(target.name)!.cpu.push(sample.cpuUsPerRequest);
        }
      }
      results[`P${pipeline}`] = Object.fromEntries([...samples].map(([name, { ops, cpu }]) => [name, { opsPerSec: round(median(ops), 0), cpuUsPerRequest: round(median(cpu), 3) }]));
    }
  } finally {
    for (const target of targets) await target.stop();
  }
  process.stdout.write(`\nping_mbulk, ${requestCount} requests, 50 clients, medians of ${roundCount} alternating rounds\n`);
  process.stdout.write('pipeline  server  ops/s      CPU µs/request  CPU ÷ Redis\n');
  for (const [pipeline, byServer] of Object.entries(results)) {
    const redisCpu = byServer['redis']?.cpuUsPerRequest;
    for (const [name, row] of Object.entries(byServer)) {
      const ratio = redisCpu === undefined ? '-' : (row.cpuUsPerRequest / redisCpu).toFixed(2);
      process.stdout.write(`${pipeline.padEnd(8)}  ${name.padEnd(6)}  ${String(row.opsPerSec).padEnd(9)}  ${row.cpuUsPerRequest.toFixed(3).padEnd(14)}  ${ratio}\n`);
    }
  }
  report('node-floor', { parameters: { requestCount, roundCount, pipelines }, results, checksum: Object.keys(results).length });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
