/**
 * Runs redis-benchmark (the tool shipped with Redis) against a server and parses its `--csv`
 * output into one row per test: requests per second and the latency summary (avg, min, p50,
 * p95, p99, max in ms) that the client saw.
 * Why: "as fast as Redis" means something only when measured with the tool Redis users measure
 * with; CSV is redis-benchmark 7's stable machine-readable output (its human summary changes
 * between versions).
 * Invariants: only 127.0.0.1 by default; every run is bounded (`-n` requests, a timeout that
 * kills the client); a run that exits non-zero or prints no rows is an error with its output.
 * Not here: starting servers (server-process.ts) or judging the numbers (the benches).
 */
import { spawn, spawnSync } from 'node:child_process';

/** Longest a single redis-benchmark invocation may run before it is killed. */
export const REDIS_BENCHMARK_TIMEOUT_MS = 15 * 60_000;

export interface RedisBenchmarkOptions {
  readonly port: number;
  readonly host?: string;
  /** Comma-separated test names (`-t`), e.g. 'set' or 'set,get'. */
  readonly tests: string;
  readonly requestCount: number;
  /** `-r`: random keys in [0, keyspaceCount); 0 leaves it out (one key). */
  readonly keyspaceCount: number;
  readonly dataBytes: number;
  readonly clientCount: number;
  readonly pipelineCount: number;
  readonly extraArgs?: readonly string[];
}

export interface RedisBenchmarkRow {
  /** As redis-benchmark names it, e.g. 'SET', 'MSET (10 keys)'. */
  readonly test: string;
  readonly requestsPerSecond: number;
  readonly latencyAvgMs: number;
  readonly latencyMinMs: number;
  readonly latencyP50Ms: number;
  readonly latencyP95Ms: number;
  readonly latencyP99Ms: number;
  readonly latencyMaxMs: number;
}

/** True when `redis-benchmark` is on the PATH. */
export function isRedisBenchmarkInstalled(): boolean {
  return spawnSync('redis-benchmark', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** The argument list for one run (exported for the report, so a run can be repeated by hand). */
export function redisBenchmarkArgs(options: RedisBenchmarkOptions): string[] {
  const args = [
    '-h', options.host ?? '127.0.0.1', '-p', String(options.port),
    '-t', options.tests,
    '-n', String(options.requestCount),
    '-d', String(options.dataBytes),
    '-c', String(options.clientCount),
    '-P', String(options.pipelineCount),
  ];
  if (options.keyspaceCount > 0) args.push('-r', String(options.keyspaceCount));
  return [...args, ...(options.extraArgs ?? []), '--csv'];
}

/** Splits one CSV line of redis-benchmark's output (quoted fields, no embedded quotes). */
function csvFields(line: string): string[] {
  return line.split(',').map((field) => field.trim().replace(/^"(.*)"$/, '$1'));
}

/**
 * Rows of redis-benchmark `--csv` output. Lines that are not data (the header, progress lines
 * written with '\r', blank lines) are skipped; a data line with a non-numeric field is an error.
 * Accepts both the 7.x format (8 columns) and the older 2-column `"test","rps"` format (latency NaN).
 */
export function parseRedisBenchmarkCsv(text: string): RedisBenchmarkRow[] {
  const rows: RedisBenchmarkRow[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.slice(rawLine.lastIndexOf('\r') + 1).trim();
    if (!line.startsWith('"') || line.startsWith('"test"')) continue;
    const fields = csvFields(line);
    const numbers = fields.slice(1).map(Number);
    if (numbers.length === 0 || numbers.some((value) => !Number.isFinite(value))) {
      throw new Error(`Unexpected redis-benchmark CSV line: ${line}`);
    }
    const at = (index: number): number => numbers[index] ?? Number.NaN;
    rows.push({
      test: fields[0],
      requestsPerSecond: at(0),
      latencyAvgMs: at(1),
      latencyMinMs: at(2),
      latencyP50Ms: at(3),
      latencyP95Ms: at(4),
      latencyP99Ms: at(5),
      latencyMaxMs: at(6),
    });
  }
  return rows;
}

/** Runs redis-benchmark once and returns its rows (one per test in `tests`). */
export async function runRedisBenchmark(options: RedisBenchmarkOptions): Promise<RedisBenchmarkRow[]> {
  const args = redisBenchmarkArgs(options);
  const child = spawn('redis-benchmark', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
  const timer = setTimeout(() => child.kill('SIGKILL'), REDIS_BENCHMARK_TIMEOUT_MS);
  const code = await new Promise<number | string>((resolve) => {
    child.once('error', (error) => resolve(error.message));
    child.once('close', (exitCode, signal) => resolve(exitCode ?? String(signal)));
  });
  clearTimeout(timer);
  const rows = code === 0 ? parseRedisBenchmarkCsv(stdout) : [];
  if (rows.length === 0) {
    throw new Error(`redis-benchmark ${args.join(' ')} failed (exit ${code}):\n${stdout}\n${stderr}`);
  }
  return rows;
}
