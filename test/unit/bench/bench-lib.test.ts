/**
 * Unit tests for bench/lib: redis-benchmark CSV parsing, /proc/<pid>/stat parsing, and the
 * server launcher (against cowkv when dist/ is built, and redis-server when installed).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { cpuTimeBetween, parseProcStat, readCpuTime } from '../../../bench/lib/proc-stat.js';
import { parseRedisBenchmarkCsv, redisBenchmarkArgs } from '../../../bench/lib/redis-benchmark.js';
import { COWKV_MAIN_PATH, freePort, isRedisServerInstalled, startBenchServer } from '../../../bench/lib/server-process.js';

const CSV_7 = [
  '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"',
  '"SET","28169.01","1.330","0.224","0.831","3.551","10.647","10.959"',
  '"MSET (10 keys)","26315.79","1.597","0.464","1.511","2.791","3.383","3.807"',
  '',
].join('\n');

describe('parseRedisBenchmarkCsv', () => {
  test('reads every column of redis-benchmark 7 CSV rows and skips the header', () => {
    const rows = parseRedisBenchmarkCsv(CSV_7);
    expect(rows).toEqual([
      { test: 'SET', requestsPerSecond: 28169.01, latencyAvgMs: 1.33, latencyMinMs: 0.224, latencyP50Ms: 0.831, latencyP95Ms: 3.551, latencyP99Ms: 10.647, latencyMaxMs: 10.959 },
      { test: 'MSET (10 keys)', requestsPerSecond: 26315.79, latencyAvgMs: 1.597, latencyMinMs: 0.464, latencyP50Ms: 1.511, latencyP95Ms: 2.791, latencyP99Ms: 3.383, latencyMaxMs: 3.807 },
    ]);
  });

  test('ignores progress output overwritten with carriage returns', () => {
    const rows = parseRedisBenchmarkCsv('SET: rps=1234.0 (overall: 1000.0) avg_msec=1.0\r"GET","100.00","1","1","1","1","1","2"\n');
    expect(rows.map((row) => [row.test, row.requestsPerSecond, row.latencyMaxMs])).toEqual([['GET', 100, 2]]);
  });

  test('reads the old two-column format with latencies as NaN', () => {
    const [row] = parseRedisBenchmarkCsv('"PING_INLINE","61349.69"\n');
    expect(row.requestsPerSecond).toBe(61349.69);
    expect(row.latencyMaxMs).toBeNaN();
  });

  test('refuses a data line with a non-numeric field', () => {
    expect(() => parseRedisBenchmarkCsv('"SET","fast"\n')).toThrow(/Unexpected redis-benchmark CSV line/);
  });
});

describe('redisBenchmarkArgs', () => {
  test('names 127.0.0.1, every option, -r only when a keyspace is given, and --csv', () => {
    const base = { port: 7000, tests: 'set', requestCount: 10, keyspaceCount: 0, dataBytes: 64, clientCount: 5, pipelineCount: 16 };
    expect(redisBenchmarkArgs(base)).toEqual(['-h', '127.0.0.1', '-p', '7000', '-t', 'set', '-n', '10', '-d', '64', '-c', '5', '-P', '16', '--csv']);
    expect(redisBenchmarkArgs({ ...base, keyspaceCount: 100 })).toContain('-r');
  });
});

describe('parseProcStat', () => {
  test('reads utime and stime in ticks even when the command name has spaces and parentheses', () => {
    // Fields: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
    const text = '1234 (my (odd) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 1 0 5 0\n';
    expect(parseProcStat(text, 100)).toEqual({ userMs: 2500, systemMs: 750, totalMs: 3250 });
  });

  test('returns null for text that is not a stat line', () => {
    expect(parseProcStat('nonsense', 100)).toBeNull();
    expect(parseProcStat('1 (x) S', 100)).toBeNull();
  });

  test('readCpuTime() sees this process use CPU, and nothing for a pid that does not exist', () => {
    const before = readCpuTime(process.pid);
    let sink = 0;
    for (let i = 0; i < 3e7; i++) sink += i % 7;
    const after = readCpuTime(process.pid);
    expect(sink).toBeGreaterThan(0);
    if (before === null || after === null) return expect(existsSync('/proc/self/stat')).toBe(false);
    expect(cpuTimeBetween(before, after).totalMs).toBeGreaterThanOrEqual(0);
    expect(after.totalMs).toBeGreaterThan(0);
    expect(readCpuTime(2 ** 30)).toBeNull();
  });
});

describe('server-process', () => {
  test('freePort() returns a usable port number', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);
  });

  test('isRedisServerInstalled() answers a boolean', () => {
    expect(typeof isRedisServerInstalled()).toBe('boolean');
  });
});

describe('startBenchServer', () => {
  test.runIf(existsSync(COWKV_MAIN_PATH))('starts cowkv on 127.0.0.1, reports its pid, and stop() ends it and removes its dir', async () => {
    const server = await startBenchServer({ kind: 'cowkv' });
    try {
      expect(server.port).toBeGreaterThan(0);
      expect(readCpuTime(server.pid)).not.toBeNull();
      expect(existsSync(server.directory)).toBe(true);
    } finally {
      await server.stop();
    }
    expect(server.child.exitCode !== null || server.child.signalCode !== null).toBe(true);
    expect(existsSync(server.directory)).toBe(false);
  });

  test.runIf(isRedisServerInstalled())('keeps a directory the caller names', async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'bench-lib-test-'));
    try {
      const server = await startBenchServer({ kind: 'redis', directory });
      expect(server.directory).toBe(directory);
      await server.stop();
      expect(existsSync(directory)).toBe(true);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  test.runIf(isRedisServerInstalled())('starts redis-server the same way', async () => {
    const server = await startBenchServer({ kind: 'redis' });
    await server.stop();
    expect(server.child.exitCode !== null || server.child.signalCode !== null).toBe(true);
  });
});
