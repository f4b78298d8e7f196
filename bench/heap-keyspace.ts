/**
 * Benchmark: the paged heap and keyspace against a `Map<string, Buffer>` and against Redis.
 * Measures, on one dataset (default 2,000,000 keys of 16 bytes with 100-byte values):
 *   1. heap bytes per key (cowkv) vs Redis 7's `used_memory` per key for the same data;
 *   2. the longest GC pause and event-loop stall during random overwrites (default 5,000,000 on
 *      5,000,000 keys), cowkv vs a Map holding the same data;
 *   3. in-process GET and SET operations per second on the dataset;
 *   4. the write barrier's cost: SET throughput with a snapshot epoch open vs closed;
 *   5. a control: the same yielding loop with no store (plain arithmetic in batches as long as
 *      cowkv's), for as long as all cowkv runs' measured overwrites together. Its longest
 *      cycle is what this machine does to any event loop, the floor under (2).
 * Why: the heap's reasons to exist are memory per key and GC pauses that do not grow with the
 * dataset (DESIGN.md); this is where those claims are checked.
 * How: each variant runs in its own child process (`--variant cowkv|map|control`) so one's garbage never
 * lands in the other's GC, with the server's node flags (src/server/launch-profile.ts); Redis runs as a real redis-server on 127.0.0.1 when it is installed
 * (bench/lib starts it).
 * Usage: `npm run bench:heap` (full), `BENCH_MODE=smoke ...` (tiny, CI). Prints one JSON line per
 * variant and a table. Nothing is asserted.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  BENCH_SEED, GcMonitor, LoopStallMonitor, Prng, fixedKey, parameter, report, round, writeFixedKey, yieldToLoop,
} from './harness.js';
import { createHeap } from '../src/cow/paged-heap.js';
import { Store } from '../src/store/store.js';
import { PauseWatchdog } from './lib/pause-watchdog.js';
import { RespConnection, encodeCommand, infoNumber, parseInfo } from './lib/resp-connection.js';
import { BENCH_HOST, benchServerNodeFlags, isRedisServerInstalled, startBenchServer } from './lib/server-process.js';

const KEY_BYTES = parameter('keyBytes', { smoke: 16, full: 16 });
const VALUE_BYTES = parameter('valueBytes', { smoke: 100, full: 100 });
const MEMORY_KEY_COUNT = parameter('memoryKeyCount', { smoke: 20_000, full: 2_000_000 });
const OVERWRITE_KEY_COUNT = parameter('overwriteKeyCount', { smoke: 20_000, full: 5_000_000 });
const OVERWRITE_COUNT = parameter('overwriteCount', { smoke: 20_000, full: 5_000_000 });
const OPS_COUNT = parameter('opsCount', { smoke: 20_000, full: 2_000_000 });
/** Overwrites run before the measured ones, unmeasured for the target: the JIT compiles the
 *  overwrite path (the fill only ran the insert path) and the process settles after the fill's
 *  burst of page faults. Their stall is still reported, as `warmupLoopStallMaxMs`. */
const WARMUP_COUNT = parameter('warmupOverwriteCount', { smoke: 2_000, full: 200_000 });
const PAGE_SIZE_BYTES = parameter('pageSizeBytes', { smoke: 4096, full: 4096 });
/** Operations between yields to the event loop: about one pipelined read's worth, as a server would run. */
const BATCH_OPS = 256;
/** The cowkv pause variant runs this many times (fresh processes): the machine is shared and a
 *  stall maximum is one sample, so every run's maximum is reported. */
const PAUSE_RUNS = parameter('pauseRuns', { smoke: 1, full: 3 });

interface VariantResult {
  readonly variant: string;
  readonly results: Record<string, number | string>;
  readonly checksum: number;
}

// ---- the keyspaces under test --------------------------------------------------------------

interface Keyspace {
  set(key: Buffer, value: Buffer): void;
  get(key: Buffer): number; // value length, -1 if missing (so the work can't be skipped)
}

function cowkvKeyspace(): { keyspace: Keyspace; store: Store } {
  const heap = createHeap({ pageSizeBytes: PAGE_SIZE_BYTES, maxMemoryBytes: 0 });
  const store = Store.create(heap, { databases: 16, hashSeed: BENCH_SEED });
  const keyspace: Keyspace = {
    set(key, value) {
      const result = store.set(0, key, value);
      if (result.status !== 'ok') throw new Error(`SET failed: ${result.status}`);
    },
    get(key) {
      const result = store.lookupString(0, key);
      return result.status === 'ok' ? result.length : -1;
    },
  };
  return { keyspace, store };
}

function mapKeyspace(): Keyspace {
  const map = new Map<string, Buffer>();
  return {
    set(key, value) {
      // A server would hold a copy of the request's bytes, not the request buffer itself.
      map.set(key.toString('latin1'), Buffer.from(value));
    },
    get(key) {
      const value = map.get(key.toString('latin1'));
      return value === undefined ? -1 : value.length;
    },
  };
}

/** One reused key buffer: see writeFixedKey. */
const keyScratch = Buffer.alloc(KEY_BYTES);

async function fill(keyspace: Keyspace, keyCount: number, prng: Prng): Promise<void> {
  const value = Buffer.alloc(VALUE_BYTES);
  for (let index = 0; index < keyCount; index++) {
    prng.fill(value.subarray(0, 8));
    keyspace.set(writeFixedKey(keyScratch, index), value);
    if (index % BATCH_OPS === 0) await yieldToLoop();
  }
}

/** A loop cycle (a batch plus the yield after it) longer than SLOW_CYCLE_MS. */
interface SlowCycle {
  readonly atOp: number;
  readonly wallMs: number;
  /** CPU time of the whole process in that cycle: far below wallMs means it was not running. */
  readonly cpuMs: number;
  /** The kernel's share of cpuMs (page faults, memory management, I/O). */
  readonly systemCpuMs: number;
  readonly involuntaryContextSwitches: number;
  readonly minorPageFaults: number;
  /** How late the watchdog thread (on the other core) woke in that cycle; see pause-watchdog.ts. */
  readonly watchdogLateMs: number;
}

/** A slow cycle counts as the machine's when the watchdog was late by all but this much of it. */
const MACHINE_PAUSE_SLACK_MS = 2;

const SLOW_CYCLE_MS = 5;
/** Slow cycles kept for the report (the count covers all of them). */
const SLOW_CYCLES_KEPT = 8;

/**
 * Watches each loop cycle's wall time and, for the slow ones, what the process did meanwhile
 * (getrusage) and how late a watchdog thread on the other core woke (pause-watchdog.ts). Little
 * CPU time means the thread waited for a core; a watchdog as late as the cycle means the whole
 * machine was paused (the VM reports that as CPU time); the rest is the process's own work.
 */
class SlowCycleRecorder {
  readonly cycles: SlowCycle[] = [];
  count = 0;
  /** Slow cycles during which the watchdog thread was about as late: the machine paused. */
  machinePauseCount = 0;
  /** The longest cycle during which the watchdog woke on time: the process's own stall. */
  longestOwnCycleMs = 0;
  readonly #watchdog: PauseWatchdog;
  #lastMs = performance.now();
  #lastUsage = process.resourceUsage();

  constructor(watchdog: PauseWatchdog) {
    this.#watchdog = watchdog;
    watchdog.takeLongestLateMs();
  }

  cycleEnded(atOp: number): void {
    const nowMs = performance.now();
    const wallMs = nowMs - this.#lastMs;
    const watchdogLateMs = this.#watchdog.takeLongestLateMs();
    const usage = process.resourceUsage();
    const last = this.#lastUsage;
    const cpuMs = (usage.userCPUTime + usage.systemCPUTime - last.userCPUTime - last.systemCPUTime) / 1000;
    // The watchdog as late as the cycle, and no second thread of ours busy (which could have
    // kept it off the other core): nothing of this process ran, the machine was paused.
    const isMachinePause = wallMs > MACHINE_PAUSE_SLACK_MS && watchdogLateMs >= wallMs - MACHINE_PAUSE_SLACK_MS &&
      cpuMs <= wallMs + MACHINE_PAUSE_SLACK_MS;
    if (!isMachinePause && wallMs > this.longestOwnCycleMs) this.longestOwnCycleMs = wallMs;
    if (wallMs > SLOW_CYCLE_MS) {
      if (isMachinePause) this.machinePauseCount += 1;
      this.count += 1;
      if (this.cycles.length < SLOW_CYCLES_KEPT) {
        this.cycles.push({
          atOp,
          wallMs: round(wallMs, 1),
          cpuMs: round(cpuMs, 1),
          systemCpuMs: round((usage.systemCPUTime - last.systemCPUTime) / 1000, 1),
          involuntaryContextSwitches: usage.involuntaryContextSwitches - last.involuntaryContextSwitches,
          minorPageFaults: usage.minorPageFault - last.minorPageFault,
          watchdogLateMs: round(watchdogLateMs, 1),
        });
      }
    }
    this.#lastUsage = usage;
    this.#lastMs = nowMs;
  }

  /** The figures a variant reports about its slow cycles. */
  summary(): Record<string, number | string> {
    return {
      slowCycleCount: this.count,
      slowCyclesMachinePaused: this.machinePauseCount,
      longestOwnCycleMs: round(this.longestOwnCycleMs),
      slowCycles: this.describe(),
    };
  }

  /** `op@wall/cpu ms (system cpu, ics, faults, watchdog lateness)` for each kept cycle. */
  describe(): string {
    return this.cycles
      .map((cycle) => `${cycle.atOp}@${cycle.wallMs}/${cycle.cpuMs}ms(sys ${cycle.systemCpuMs}ms,${cycle.involuntaryContextSwitches}ics,${cycle.minorPageFaults}flt,wd ${cycle.watchdogLateMs}ms)`)
      .join(' ');
  }
}

/** Random overwrites in batches, yielding between batches; returns ops/s. */
async function overwrite(
  keyspace: Keyspace, keyCount: number, count: number, prng: Prng, slowCycles: SlowCycleRecorder | null = null,
): Promise<number> {
  const value = Buffer.alloc(VALUE_BYTES);
  const startNs = process.hrtime.bigint();
  for (let done = 0; done < count; done++) {
    value.writeUInt32LE(prng.nextU32(), 0);
    keyspace.set(writeFixedKey(keyScratch, prng.below(keyCount)), value);
    if (done % BATCH_OPS === 0) {
      await yieldToLoop();
      slowCycles?.cycleEnded(done);
    }
  }
  return count / (Number(process.hrtime.bigint() - startNs) / 1e9);
}

function readRandom(keyspace: Keyspace, keyCount: number, count: number, prng: Prng): { opsPerSec: number; checksum: number } {
  let checksum = 0;
  const startNs = process.hrtime.bigint();
  for (let done = 0; done < count; done++) checksum += keyspace.get(writeFixedKey(keyScratch, prng.below(keyCount)));
  return { opsPerSec: count / (Number(process.hrtime.bigint() - startNs) / 1e9), checksum };
}

// ---- child-process variants ------------------------------------------------------------------

async function runMemoryVariant(): Promise<VariantResult> {
  const { keyspace, store } = cowkvKeyspace();
  const empty = store.heap.stats();
  await fill(keyspace, MEMORY_KEY_COUNT, new Prng(BENCH_SEED));
  const stats = store.heap.stats();
  const usedBytes = stats.pagesInUse * stats.pageSizeBytes - empty.pagesInUse * empty.pageSizeBytes;
  return {
    variant: 'cowkv-memory',
    results: {
      keyCount: MEMORY_KEY_COUNT,
      bytesPerKeyPagesInUse: round(usedBytes / MEMORY_KEY_COUNT, 1),
      bytesPerKeySegments: round(stats.heapBytes / MEMORY_KEY_COUNT, 1),
      bytesPerKeyAllocated: round((stats.bytesAllocated - empty.bytesAllocated) / MEMORY_KEY_COUNT, 1),
      fragmentationRatio: round(stats.fragmentationRatio),
    },
    checksum: store.dbSize(0),
  };
}

async function runPauseVariant(kind: 'cowkv' | 'map'): Promise<VariantResult> {
  const created = kind === 'cowkv' ? cowkvKeyspace() : { keyspace: mapKeyspace(), store: null };
  const keyspace = created.keyspace;
  const prng = new Prng(BENCH_SEED);
  await fill(keyspace, OVERWRITE_KEY_COUNT, prng);
  // Started before the warm-up, so that booting its thread is not inside the measured cycles.
  const watchdog = new PauseWatchdog();
  const warmupStalls = new LoopStallMonitor();
  // With a recorder of its own, so the JIT has seen the measured loop's exact shape; in two
  // calls, so that its end (timing, return) has run before the measured call too: after one
  // call V8 deoptimized overwrite() at its end, and the measured call began interpreted, with
  // a 7 ms cycle while it was recompiled (--trace-deopt).
  for (let half = 0; half < 2; half++) {
    await overwrite(keyspace, OVERWRITE_KEY_COUNT, WARMUP_COUNT / 2, prng, new SlowCycleRecorder(watchdog));
  }
  const warmupLoopStallMaxMs = warmupStalls.stop().loopStallMaxMs;
  const gc = new GcMonitor();
  const stalls = new LoopStallMonitor();
  const slowCycles = new SlowCycleRecorder(watchdog);
  const overwriteOpsPerSec = await overwrite(keyspace, OVERWRITE_KEY_COUNT, OVERWRITE_COUNT, prng, slowCycles);
  const gcResult = gc.stop();
  const stallResult = stalls.stop();
  // After the monitors: ending a thread blocks the loop for a few ms.
  await watchdog.stop();
  const setOpsPerSec = await overwrite(keyspace, OVERWRITE_KEY_COUNT, OPS_COUNT, prng);
  const reads = readRandom(keyspace, OVERWRITE_KEY_COUNT, OPS_COUNT, prng);
  const results: Record<string, number | string> = {
    keyCount: OVERWRITE_KEY_COUNT,
    overwriteCount: OVERWRITE_COUNT,
    ...gcResult,
    ...stallResult,
    ...slowCycles.summary(),
    warmupOverwriteCount: WARMUP_COUNT,
    warmupLoopStallMaxMs,
    overwriteOpsPerSec: Math.round(overwriteOpsPerSec),
    setOpsPerSec: Math.round(setOpsPerSec),
    getOpsPerSec: Math.round(reads.opsPerSec),
    rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
  if (created.store !== null) Object.assign(results, await barrierCost(created.store, prng));
  return { variant: kind, results, checksum: reads.checksum };
}

/**
 * The control: batches of plain arithmetic, each about `batchMs` long, with the same yield, the
 * same monitors and watchdog as the overwrite loop, for `durationMs`. Nothing of the store runs.
 */
async function runControlVariant(durationMs: number, batchMs: number): Promise<VariantResult> {
  const scratch = new Float64Array(4096);
  let state = BENCH_SEED;
  const work = (iterations: number): void => {
    for (let index = 0; index < iterations; index++) {
      state = (Math.imul(state, 1103515245) + 12345) | 0;
      scratch[index & 4095] = state;
    }
  };
  // Calibrate: iterations per batch so that one batch takes about batchMs (after a JIT warm-up).
  work(1_000_000);
  const probeIterations = 200_000;
  const probeStartMs = performance.now();
  work(probeIterations);
  const iterationsPerBatch = Math.max(1, Math.round((probeIterations * batchMs) / Math.max(0.001, performance.now() - probeStartMs)));
  const watchdog = new PauseWatchdog();
  await yieldToLoop();
  const gc = new GcMonitor();
  const stalls = new LoopStallMonitor();
  const slowCycles = new SlowCycleRecorder(watchdog);
  const endMs = performance.now() + durationMs;
  let batchCount = 0;
  while (performance.now() < endMs) {
    work(iterationsPerBatch);
    await yieldToLoop();
    slowCycles.cycleEnded(batchCount);
    batchCount++;
  }
  const gcResult = gc.stop();
  const stallResult = stalls.stop();
  await watchdog.stop();
  return {
    variant: 'control',
    results: {
      durationMs: Math.round(durationMs),
      batchMs: round(batchMs, 3),
      batchCount,
      ...gcResult,
      ...stallResult,
      ...slowCycles.summary(),
    },
    checksum: Math.round(state),
  };
}

/** SET throughput with a snapshot epoch open (pages copied on first write) vs closed. */
async function barrierCost(store: Store, prng: Prng): Promise<Record<string, number>> {
  const timedSets = (count: number): number => {
    const value = Buffer.alloc(VALUE_BYTES);
    const startNs = process.hrtime.bigint();
    for (let done = 0; done < count; done++) {
      value.writeUInt32LE(prng.nextU32(), 0);
      store.set(0, writeFixedKey(keyScratch, prng.below(OVERWRITE_KEY_COUNT)), value);
    }
    return count / (Number(process.hrtime.bigint() - startNs) / 1e9);
  };
  await yieldToLoop();
  const closedOpsPerSec = timedSets(OPS_COUNT);
  store.heap.openEpoch();
  const openOpsPerSec = timedSets(OPS_COUNT);
  const stats = store.heap.stats();
  store.heap.closeEpoch();
  return {
    barrierClosedSetOpsPerSec: Math.round(closedOpsPerSec),
    barrierOpenSetOpsPerSec: Math.round(openOpsPerSec),
    barrierOpenOverClosed: round(openOpsPerSec / closedOpsPerSec),
    barrierPagesCopied: stats.pagesCopied,
    barrierShadowPeakMiB: round((stats.shadowPagesPeak * stats.pageSizeBytes) / 2 ** 20, 1),
  };
}

// ---- Redis, for bytes per key ------------------------------------------------------------------

async function redisBytesPerKey(): Promise<VariantResult | null> {
  if (!isRedisServerInstalled()) return null;
  const server = await startBenchServer({ kind: 'redis' });
  const connection = await RespConnection.open(BENCH_HOST, server.port);
  try {
    const usedMemory = async (): Promise<number> =>
      infoNumber(parseInfo(await connection.command(['INFO', 'memory'])), 'used_memory') ?? Number.NaN;
    const before = await usedMemory();
    const prng = new Prng(BENCH_SEED);
    const value = Buffer.alloc(VALUE_BYTES);
    const batch: Buffer[] = [];
    for (let index = 0; index < MEMORY_KEY_COUNT; index++) {
      prng.fill(value.subarray(0, 8));
      batch.push(encodeCommand(['SET', fixedKey(index, KEY_BYTES), value]));
      if (batch.length === 1000 || index === MEMORY_KEY_COUNT - 1) {
        const { errorCount } = await connection.sendBatch(Buffer.concat(batch), batch.length);
        if (errorCount > 0) throw new Error(`redis-server refused ${errorCount} SETs`);
        batch.length = 0;
      }
    }
    const after = await usedMemory();
    return {
      variant: 'redis-memory',
      results: { keyCount: MEMORY_KEY_COUNT, bytesPerKeyUsedMemory: round((after - before) / MEMORY_KEY_COUNT, 1) },
      checksum: after - before,
    };
  } finally {
    connection.close();
    await server.stop();
  }
}

// ---- driver ------------------------------------------------------------------------------------

function runChild(variant: string, variantArgs: readonly string[] = []): Promise<VariantResult> {
  return new Promise((resolve, reject) => {
    // The server's node flags (launch-profile.ts): the pause figures are meant to be the
    // server's, and the Map gets the same for a fair comparison.
    const nodeFlags = ['--max-old-space-size=16384', ...benchServerNodeFlags()];
    const child = spawn(process.execPath, [...nodeFlags, fileURLToPath(import.meta.url), '--variant', variant, ...variantArgs], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`Variant ${variant} exited with code ${code}`));
      resolve(JSON.parse(output.trim().split('\n').pop() ?? '{}') as VariantResult);
    });
  });
}

async function main(): Promise<void> {
  const variantIndex = process.argv.indexOf('--variant');
  if (variantIndex !== -1) {
    const variant = process.argv[variantIndex + 1];
    const result =
      variant === 'cowkv-memory' ? await runMemoryVariant()
        : variant === 'control' ? await runControlVariant(Number(process.argv[variantIndex + 2]), Number(process.argv[variantIndex + 3]))
          : await runPauseVariant(variant === 'map' ? 'map' : 'cowkv');
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const parameters = {
    KEY_BYTES, VALUE_BYTES, MEMORY_KEY_COUNT, OVERWRITE_KEY_COUNT, OVERWRITE_COUNT, WARMUP_COUNT, OPS_COUNT, PAGE_SIZE_BYTES, PAUSE_RUNS,
    NODE_FLAGS: benchServerNodeFlags().join(' '),
  };
  const results: VariantResult[] = [await runChild('cowkv-memory')];
  const pauseRuns: VariantResult[] = [];
  for (let run = 0; run < PAUSE_RUNS; run++) pauseRuns.push(await runChild('cowkv'));
  // The control runs as long as all cowkv runs' measured overwrites, in batches as long as theirs.
  const measuredMs = pauseRuns.reduce((sum, run) => sum + (OVERWRITE_COUNT / Number(run.results['overwriteOpsPerSec'])) * 1000, 0);
  const batchMs = measuredMs / pauseRuns.length / (OVERWRITE_COUNT / BATCH_OPS);
  results.push(withPerRunMaxima(pauseRuns), await runChild('map'), await runChild('control', [String(measuredMs), String(batchMs)]));
  const redis = await redisBytesPerKey();
  if (redis !== null) results.push(redis);
  for (const result of results) report(`heap-keyspace/${result.variant}`, { parameters, results: result.results, checksum: result.checksum });
  printTable(results);
}

/** The first run's figures, plus every run's GC pause and stall maxima (comma-separated). */
function withPerRunMaxima(runs: readonly VariantResult[]): VariantResult {
  const each = (field: string): string => runs.map((run) => run.results[field]).join(', ');
  return {
    ...runs[0],
    results: {
      ...runs[0].results,
      gcPauseMaxMsPerRun: each('gcPauseMaxMs'),
      loopStallMaxMsPerRun: each('loopStallMaxMs'),
      warmupLoopStallMaxMsPerRun: each('warmupLoopStallMaxMs'),
      longestOwnCycleMsPerRun: each('longestOwnCycleMs'),
      slowCyclesMachinePausedPerRun: each('slowCyclesMachinePaused'),
      slowCyclesPerRun: runs.map((run) => `${run.results['slowCycleCount']}: ${run.results['slowCycles'] || '-'}`).join('; '),
    },
  };
}

function printTable(results: readonly VariantResult[]): void {
  const byVariant = new Map(results.map((result) => [result.variant, result.results]));
  const cowkv = byVariant.get('cowkv') ?? {};
  const map = byVariant.get('map') ?? {};
  const memory = byVariant.get('cowkv-memory') ?? {};
  const redis = byVariant.get('redis-memory');
  const control = byVariant.get('control') ?? {};
  const lines = [
    '| measure | cowkv | Map<string, Buffer> | Redis 7 |',
    '| --- | --- | --- | --- |',
    `| bytes/key (${MEMORY_KEY_COUNT} keys, ${KEY_BYTES} B keys, ${VALUE_BYTES} B values) | ${memory['bytesPerKeyPagesInUse']} (pages in use) | | ${redis?.['bytesPerKeyUsedMemory'] ?? 'not installed'} (used_memory) |`,
    `| longest GC pause, ${OVERWRITE_COUNT} overwrites on ${OVERWRITE_KEY_COUNT} keys (ms; each cowkv run) | ${cowkv['gcPauseMaxMsPerRun']} | ${map['gcPauseMaxMs']} | |`,
    `| GC pause p99 (ms), pauses over 5 ms | ${cowkv['gcPauseP99Ms']}, ${cowkv['gcPausesOver5Ms']} of ${cowkv['gcCount']} | ${map['gcPauseP99Ms']}, ${map['gcPausesOver5Ms']} of ${map['gcCount']} | |`,
    `| longest event-loop stall (ms; each cowkv run) | ${cowkv['loopStallMaxMsPerRun']} | ${map['loopStallMaxMs']} | |`,
    `| loop cycles over ${SLOW_CYCLE_MS} ms, per cowkv run: count: op@wall/CPU ms (system CPU, involuntary context switches, minor faults) | ${cowkv['slowCyclesPerRun']} | ${map['slowCycleCount']} | |`,
    `| of those, the machine's (the watchdog thread was as late), per cowkv run | ${cowkv['slowCyclesMachinePausedPerRun']} | ${map['slowCyclesMachinePaused']} | |`,
    `| longest loop cycle with the watchdog on time: the process's own stall (ms; each cowkv run) | ${cowkv['longestOwnCycleMsPerRun']} | ${map['longestOwnCycleMs']} | |`,
    `| event-loop stall p99 (ms) | ${cowkv['loopStallP99Ms']} | ${map['loopStallP99Ms']} | |`,
    `| control, no store (${control['durationMs']} ms of ${control['batchMs']} ms arithmetic batches, same yields): longest stall, p99 (ms); cycles over ${SLOW_CYCLE_MS} ms | ${control['loopStallMaxMs']}, ${control['loopStallP99Ms']}; ${control['slowCycleCount']}: ${control['slowCycles'] || '-'} | | |`,
    `| longest stall in the ${WARMUP_COUNT} warm-up overwrites, not measured for the target (ms) | ${cowkv['warmupLoopStallMaxMsPerRun']} | ${map['warmupLoopStallMaxMs']} | |`,
    `| SET ops/s in process | ${cowkv['setOpsPerSec']} | ${map['setOpsPerSec']} | |`,
    `| GET ops/s in process | ${cowkv['getOpsPerSec']} | ${map['getOpsPerSec']} | |`,
    `| SET ops/s, epoch open / closed | ${cowkv['barrierOpenOverClosed']} (${cowkv['barrierPagesCopied']} pages copied) | | |`,
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
}

await main();
