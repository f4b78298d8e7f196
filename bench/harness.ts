/**
 * Benchmark harness: parameters with smoke/full sizes, a fixed-seed PRNG, latency histograms,
 * GC-pause and event-loop-stall monitors, and one JSON line per run.
 * Why: every benchmark must be repeatable (same seed, same work), must not rot (smoke mode runs
 * in CI on tiny inputs), and must report a checksum of the work so it can be neither optimized
 * away nor silently changed. Timings are reported, never asserted.
 * Invariants: `BENCH_MODE=smoke|full` (default full when run by hand, smoke in `npm run
 * bench:smoke`); any parameter can be overridden with `BENCH_<NAME>` (upper snake case).
 * Not here: what is measured (one file per benchmark in bench/).
 */
import { createHistogram, monitorEventLoopDelay, PerformanceObserver, type RecordableHistogram } from 'node:perf_hooks';

export type BenchMode = 'smoke' | 'full';

export const BENCH_MODE: BenchMode = process.env['BENCH_MODE'] === 'smoke' ? 'smoke' : 'full';

/** A numeric parameter: its smoke or full value, or `BENCH_<NAME>` from the environment. */
export function parameter(name: string, values: { smoke: number; full: number }): number {
  const envName = `BENCH_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
  const fromEnv = process.env[envName];
  if (fromEnv !== undefined && fromEnv !== '') {
    const value = Number(fromEnv);
    if (!Number.isFinite(value)) throw new Error(`${envName} must be a number, got "${fromEnv}"`);
    return value;
  }
  return values[BENCH_MODE];
}

/** A string parameter with the same override rule. */
export function textParameter(name: string, values: { smoke: string; full: string }): string {
  const envName = `BENCH_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
  return process.env[envName] || values[BENCH_MODE];
}

/** xorshift32: a tiny deterministic PRNG, so every run does the same work. */
export class Prng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0 || 0x9e3779b9;
  }
  nextU32(): number {
    let x = this.#state;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.#state = x;
    return x;
  }
  /** Integer in [0, bound). */
  below(bound: number): number {
    return this.nextU32() % bound;
  }
  fill(target: Uint8Array): void {
    for (let i = 0; i < target.length; i++) target[i] = this.nextU32() & 0xff;
  }
}

export const BENCH_SEED = 0xc0ffee;

/** A fixed-width key: `key:` + zero-padded decimal, exactly `lengthBytes` long. */
export function fixedKey(index: number, lengthBytes: number): Buffer {
  return writeFixedKey(Buffer.alloc(lengthBytes), index);
}

/**
 * Writes the fixed-width key for `index` into `target` (all of it) without allocating: a
 * server sees keys as slices of its read buffer, so a benchmark loop should not add garbage of
 * its own that the store under test would be blamed for.
 */
export function writeFixedKey(target: Buffer, index: number): Buffer {
  target.fill(0x30);
  target.write('key:', 0, 'latin1');
  let position = target.length - 1;
  for (let rest = index; rest > 0 && position >= 4; rest = Math.floor(rest / 10)) target[position--] = 0x30 + (rest % 10);
  return target;
}

/** Records GC pauses (durations of 'gc' performance entries) while running. */
export class GcMonitor {
  #observer: PerformanceObserver;
  #pausesMs: number[] = [];
  constructor() {
    this.#observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) this.#pausesMs.push(entry.duration);
    });
    this.#observer.observe({ entryTypes: ['gc'] });
  }
  /**
   * Pause statistics. On a shared machine a pause's wall time includes time the thread was
   * descheduled, so the p99 and the count over 5 ms say more than the single worst pause.
   */
  stop(): { gcCount: number; gcPauseMaxMs: number; gcPauseP99Ms: number; gcPausesOver5Ms: number; gcPauseTotalMs: number } {
    this.#observer.disconnect();
    const sorted = [...this.#pausesMs].sort((a, b) => a - b);
    const totalMs = sorted.reduce((sum, pauseMs) => sum + pauseMs, 0);
    return {
      gcCount: sorted.length,
      gcPauseMaxMs: round(sorted.at(-1) ?? 0),
      gcPauseP99Ms: round(sorted[Math.floor(sorted.length * 0.99)] ?? 0),
      gcPausesOver5Ms: sorted.filter((pauseMs) => pauseMs > 5).length,
      gcPauseTotalMs: round(totalMs),
    };
  }
}

/** Event-loop stalls, as perf_hooks measures them (resolution 1 ms). */
export class LoopStallMonitor {
  #histogram = monitorEventLoopDelay({ resolution: 1 });
  constructor() {
    this.#histogram.enable();
  }
  stop(): { loopStallMaxMs: number; loopStallP99Ms: number } {
    this.#histogram.disable();
    return {
      loopStallMaxMs: round(this.#histogram.max / 1e6),
      loopStallP99Ms: round(this.#histogram.percentile(99) / 1e6),
    };
  }
}

/** A latency histogram in microseconds. */
export function latencyHistogram(): RecordableHistogram {
  return createHistogram({ lowest: 1, highest: 60_000_000, figures: 3 });
}

export function summarizeLatencyUs(histogram: RecordableHistogram): { p50Us: number; p99Us: number; maxUs: number } {
  return {
    p50Us: histogram.percentile(50),
    p99Us: histogram.percentile(99),
    maxUs: histogram.max,
  };
}

/** Yields to the event loop (so stall monitors and GC observers get a turn). */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** One JSON line on stdout: the machine-readable result of one run. */
export function report(name: string, fields: { parameters: object; results: object; checksum: number | string }): void {
  process.stdout.write(
    `${JSON.stringify({ bench: name, mode: BENCH_MODE, node: process.version, at: new Date().toISOString(), ...fields })}\n`,
  );
}

export function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Median of a list of numbers (benchmarks on a shared machine report medians). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
