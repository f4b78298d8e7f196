/**
 * Benchmark: cowkv against Redis under redis-benchmark (issue 5's measurement).
 * Runs `redis-benchmark -t <test> -n N -r 1000000 -d 64 -c 50 -P <p>` for each test
 * (set, get, incr, mset) and each pipeline depth (1 and 16) against cowkv
 * (`node dist/src/main.js --save ""`) and Debian's redis-server (`--save "" --appendonly no`),
 * alternating the servers round by round (cowkv, redis, cowkv, redis, ...), each round on a fresh
 * server process. Per test it records:
 *   - ops/s and the client-side latency summary (p50, p99, max) from redis-benchmark's CSV;
 *   - the server's CPU time per request: utime + stime from /proc/<pid>/stat before and after
 *     the test, divided by the requests (one MSET of 10 keys is one request, as redis-benchmark
 *     counts it).
 * and reports medians across rounds and the ratios cowkv/Redis against the targets: ops/s
 * >= 0.9x at -P 1 and >= 1.0x at -P 16, CPU per request <= 1.0x.
 * Why one test per redis-benchmark invocation: so CPU time can be attributed to a test.
 * Output: one JSON line per (server, round, pipeline) run (harness `report`), one summary JSON
 * line, and a Markdown table on stderr. Bounded: every redis-benchmark run has -n and a timeout;
 * servers listen on 127.0.0.1 only and are stopped on every path.
 * Modes: BENCH_MODE=smoke (-n 2000, 1 round: seconds, CI), full (-n 1000000, 3 rounds: several
 * minutes). Overrides: BENCH_REQUEST_COUNT, BENCH_ROUND_COUNT, BENCH_TESTS ('set,get'),
 * BENCH_PIPELINES ('1,16'), BENCH_SERVERS ('cowkv,redis'). Without redis-benchmark the bench
 * prints why and exits 0; without redis-server it measures cowkv alone. Nothing is asserted.
 */
import { createConnection } from 'node:net';
import { BENCH_MODE, median, parameter, report, round, textParameter } from './harness.js';
import { clockTicksPerSecondValue, cpuTimeBetween, readCpuTime } from './lib/proc-stat.js';
import { isRedisBenchmarkInstalled, redisBenchmarkArgs, runRedisBenchmark } from './lib/redis-benchmark.js';
import type { RedisBenchmarkOptions } from './lib/redis-benchmark.js';
import { BENCH_HOST, isRedisServerInstalled, startBenchServer } from './lib/server-process.js';
import type { BenchServer, ServerKind } from './lib/server-process.js';

const REQUEST_COUNT = parameter('requestCount', { smoke: 2_000, full: 1_000_000 });
const ROUND_COUNT = parameter('roundCount', { smoke: 1, full: 3 });
const KEYSPACE_COUNT = parameter('keyspaceCount', { smoke: 1_000_000, full: 1_000_000 });
const DATA_BYTES = parameter('dataBytes', { smoke: 64, full: 64 });
const CLIENT_COUNT = parameter('clientCount', { smoke: 50, full: 50 });
const TESTS = textParameter('tests', { smoke: 'set,get,incr,mset', full: 'set,get,incr,mset' }).split(',');
const PIPELINES = textParameter('pipelines', { smoke: '1,16', full: '1,16' }).split(',').map(Number);
const SERVERS = textParameter('servers', { smoke: 'cowkv,redis', full: 'cowkv,redis' }).split(',') as ServerKind[];

/** Targets from issue 5: ops/s ratio per pipeline depth, and CPU per request. */
const OPS_RATIO_TARGET_BY_PIPELINE: ReadonlyMap<number, number> = new Map([[1, 0.9], [16, 1.0]]);
const CPU_RATIO_TARGET = 1.0;

interface TestSample {
  readonly server: ServerKind;
  readonly round: number;
  readonly pipeline: number;
  readonly test: string;
  readonly opsPerSecond: number;
  readonly cpuUsPerRequest: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly latencyMaxMs: number;
}

function benchmarkOptions(port: number, test: string, pipeline: number): RedisBenchmarkOptions {
  return {
    port,
    tests: test,
    requestCount: REQUEST_COUNT,
    keyspaceCount: KEYSPACE_COUNT,
    dataBytes: DATA_BYTES,
    clientCount: CLIENT_COUNT,
    pipelineCount: pipeline,
  };
}

/** One test against a running server: redis-benchmark's row plus the server's CPU time. */
async function measureTest(server: BenchServer, round: number, pipeline: number, test: string): Promise<TestSample> {
  const cpuBefore = readCpuTime(server.pid);
  const rows = await runRedisBenchmark(benchmarkOptions(server.port, test, pipeline));
  const cpuAfter = readCpuTime(server.pid);
  const cpuMs = cpuBefore !== null && cpuAfter !== null ? cpuTimeBetween(cpuBefore, cpuAfter).totalMs : Number.NaN;
  const row = rows[0];
  return {
    server: server.kind,
    round,
    pipeline,
    test: row.test,
    opsPerSecond: row.requestsPerSecond,
    cpuUsPerRequest: round3((cpuMs * 1000) / REQUEST_COUNT),
    latencyP50Ms: row.latencyP50Ms,
    latencyP99Ms: row.latencyP99Ms,
    latencyMaxMs: row.latencyMaxMs,
  };
}

function round3(value: number): number {
  return round(value, 3);
}

/** DBSIZE over a raw socket: the run's checksum (proof that the writes landed). */
async function dbSize(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: BENCH_HOST, port }, () => socket.write('*1\r\n$6\r\nDBSIZE\r\n'));
    let received = '';
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const match = /^:(\d+)\r\n/.exec(received);
      if (match !== null) {
        socket.destroy();
        resolve(Number(match[1]));
      } else if (received.includes('\r\n')) {
        socket.destroy();
        reject(new Error(`Unexpected DBSIZE reply: ${JSON.stringify(received)}`));
      }
    });
  });
}

/** One fresh server, every pipeline depth and test; one JSON line per pipeline depth. */
async function runServerRound(kind: ServerKind, round: number): Promise<TestSample[]> {
  const server = await startBenchServer({ kind });
  const samples: TestSample[] = [];
  try {
    for (const pipeline of PIPELINES) {
      const runSamples: TestSample[] = [];
      for (const test of TESTS) runSamples.push(await measureTest(server, round, pipeline, test));
      samples.push(...runSamples);
      report('server-throughput', {
        parameters: {
          server: kind, round, pipeline, requestCount: REQUEST_COUNT, keyspaceCount: KEYSPACE_COUNT,
          dataBytes: DATA_BYTES, clientCount: CLIENT_COUNT,
          command: `redis-benchmark ${redisBenchmarkArgs(benchmarkOptions(server.port, TESTS.join(','), pipeline)).join(' ')}`,
        },
        results: Object.fromEntries(runSamples.map((sample) => [sample.test, {
          opsPerSecond: sample.opsPerSecond,
          cpuUsPerRequest: sample.cpuUsPerRequest,
          latencyP50Ms: sample.latencyP50Ms,
          latencyP99Ms: sample.latencyP99Ms,
          latencyMaxMs: sample.latencyMaxMs,
        }])),
        checksum: await dbSize(server.port),
      });
    }
  } finally {
    await server.stop();
  }
  return samples;
}

interface CellSummary {
  readonly opsPerSecond: number;
  readonly cpuUsPerRequest: number;
  readonly latencyP99Ms: number;
  /** Median across rounds of each round's longest latency. */
  readonly latencyMaxMs: number;
  /** The longest latency any client saw in any round. */
  readonly latencyWorstMs: number;
}

function summarize(samples: readonly TestSample[]): CellSummary | null {
  if (samples.length === 0) return null;
  return {
    opsPerSecond: round(median(samples.map((sample) => sample.opsPerSecond)), 0),
    cpuUsPerRequest: round3(median(samples.map((sample) => sample.cpuUsPerRequest))),
    latencyP99Ms: round3(median(samples.map((sample) => sample.latencyP99Ms))),
    latencyMaxMs: round3(median(samples.map((sample) => sample.latencyMaxMs))),
    latencyWorstMs: round3(Math.max(...samples.map((sample) => sample.latencyMaxMs))),
  };
}

function ratio(numerator: number | undefined, denominator: number | undefined): number {
  if (numerator === undefined || denominator === undefined || denominator === 0) return Number.NaN;
  return round(numerator / denominator, 2);
}

function verdict(value: number, isMet: boolean): string {
  return Number.isNaN(value) ? 'n/a' : `${value}x ${isMet ? 'ok' : 'MISS'}`;
}

/** Medians per (pipeline, test), ratios, a summary JSON line and the Markdown table. */
function printSummary(samples: readonly TestSample[]): void {
  const lines = [
    `server-throughput (${BENCH_MODE}): redis-benchmark -n ${REQUEST_COUNT} -r ${KEYSPACE_COUNT} -d ${DATA_BYTES} -c ${CLIENT_COUNT}, ${ROUND_COUNT} round(s), medians`,
    '',
    '| -P | test | cowkv ops/s | redis ops/s | ops ratio | cowkv CPU µs/req | redis CPU µs/req | CPU ratio | cowkv p99 / max (worst) ms | redis p99 / max (worst) ms |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const summaryRows: object[] = [];
  for (const pipeline of PIPELINES) {
    const testNames = [...new Set(samples.filter((sample) => sample.pipeline === pipeline).map((sample) => sample.test))];
    for (const test of testNames) {
      const cell = (server: ServerKind): CellSummary | null =>
        summarize(samples.filter((sample) => sample.server === server && sample.pipeline === pipeline && sample.test === test));
      const cowkv = cell('cowkv');
      const redis = cell('redis');
      const opsRatio = ratio(cowkv?.opsPerSecond, redis?.opsPerSecond);
      const cpuRatio = ratio(cowkv?.cpuUsPerRequest, redis?.cpuUsPerRequest);
      const opsTarget = OPS_RATIO_TARGET_BY_PIPELINE.get(pipeline) ?? 1.0;
      summaryRows.push({ pipeline, test, cowkv, redis, opsRatio, opsRatioTarget: opsTarget, cpuRatio, cpuRatioTarget: CPU_RATIO_TARGET });
      const latency = (summary: CellSummary | null): string =>
        summary === null ? 'n/a' : `${summary.latencyP99Ms} / ${summary.latencyMaxMs} (${summary.latencyWorstMs})`;
      lines.push(
        `| ${pipeline} | ${test} | ${cowkv?.opsPerSecond ?? 'n/a'} | ${redis?.opsPerSecond ?? 'n/a'} | ${verdict(opsRatio, opsRatio >= opsTarget)} `
        + `| ${cowkv?.cpuUsPerRequest ?? 'n/a'} | ${redis?.cpuUsPerRequest ?? 'n/a'} | ${verdict(cpuRatio, cpuRatio <= CPU_RATIO_TARGET)} `
        + `| ${latency(cowkv)} | ${latency(redis)} |`,
      );
    }
  }
  lines.push('', `Targets: ops ratio >= ${[...OPS_RATIO_TARGET_BY_PIPELINE].map(([p, t]) => `${t} at -P ${p}`).join(', ')}; CPU ratio <= ${CPU_RATIO_TARGET}. CPU is sampled in ${1000 / clockTicksPerSecondValue()} ms ticks: small -n makes it coarse.`);
  report('server-throughput-summary', {
    parameters: { requestCount: REQUEST_COUNT, roundCount: ROUND_COUNT, tests: TESTS, pipelines: PIPELINES, servers: SERVERS },
    results: { rows: summaryRows },
    checksum: samples.length,
  });
  process.stderr.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  if (!isRedisBenchmarkInstalled()) {
    process.stderr.write('server-throughput: redis-benchmark is not installed; nothing to measure\n');
    return;
  }
  const servers = SERVERS.filter((kind) => kind !== 'redis' || isRedisServerInstalled());
  if (servers.length < SERVERS.length) process.stderr.write('server-throughput: redis-server is not installed; measuring cowkv alone\n');
  const samples: TestSample[] = [];
  for (let round = 1; round <= ROUND_COUNT; round++) {
    for (const kind of servers) samples.push(...(await runServerRound(kind, round)));
  }
  printSummary(samples);
}

main().catch((error: unknown) => {
  process.stderr.write(`server-throughput failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
