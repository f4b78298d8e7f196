/**
 * Turns one raw TargetRun into the figures the report shows: a summary per snapshot (pause,
 * duration, pages copied, peak extra memory, bytes written, MB/s, throughput before/during/after,
 * probe latency) and per-bucket series (ops/s, probe p50/p99/max, extra memory, shadow bytes).
 * Why apart from the run: the numbers are derived, so they can be recomputed from the JSON and
 * unit-tested without a server.
 * Invariants: series times are ms relative to the snapshot start (0 = SAVE/BGSAVE sent), so
 * strategies line up on one axis; throughput counts replies in whole buckets; "extra memory" is
 * RSS minus RSS just before the snapshot, plus, for Redis, the fork child's copied pages
 * (current_cow_size / rdb_last_cow_size), which live outside the parent's RSS.
 * Not here: running anything (run-target.ts), drawing (charts.ts).
 */
import type { TargetRun } from './run-target.js';

export interface SnapshotSummary {
  readonly id: string;
  readonly label: string;
  readonly server: string;
  readonly command: string;
  readonly strategy: string | null;
  readonly pageSizeText: string;
  /** cowkv: snapshot_start_pause_us; Redis: latest_fork_usec; SAVE: the whole save blocks. */
  readonly startPauseUs: number | null;
  readonly durationMs: number;
  readonly pagesCopied: number | null;
  readonly copiedBytes: number | null;
  /** cowkv: snapshot_shadow_bytes_peak; Redis BGSAVE: rdb_last_cow_size (the child's copied pages). */
  readonly shadowPeakBytes: number | null;
  readonly peakExtraMemoryBytes: number;
  readonly bytesWritten: number | null;
  readonly writeMbPerSec: number | null;
  readonly opsPerSecBefore: number;
  readonly opsPerSecDuring: number;
  readonly opsPerSecAfter: number;
  /** opsPerSecDuring / opsPerSecBefore. */
  readonly duringFraction: number;
  /** Client SETs completed while the snapshot ran. */
  readonly opsDuring: number;
  /** Bytes copied by copy-on-write per value byte clients wrote during the snapshot. */
  readonly copyAmplification: number | null;
  readonly probeP50UsBefore: number | null;
  /** The same server and load before the snapshot: the machine's and server's own noise floor. */
  readonly probeP99UsBefore: number | null;
  readonly probeMaxUsBefore: number | null;
  readonly probeP99UsDuring: number | null;
  readonly probeMaxUsDuring: number | null;
  readonly probeMaxUsRun: number | null;
  readonly probeCount: number;
  readonly loadErrorCount: number;
  readonly fillMs: number;
  readonly usedMemoryBytes: number | null;
}

export interface SeriesPoint {
  readonly id: string;
  readonly label: string;
  /** Bucket start, ms relative to the snapshot start. */
  readonly tMs: number;
  readonly opsPerSec: number | null;
  readonly probeP50Ms: number | null;
  readonly probeP99Ms: number | null;
  readonly probeMaxMs: number | null;
  readonly extraMemoryMb: number | null;
  readonly cowMb: number | null;
}

const MB = 1024 * 1024;

/** Quantile by nearest rank of an ascending array (null when empty). */
export function quantile(sortedAscending: readonly number[], fraction: number): number | null {
  if (sortedAscending.length === 0) return null;
  const rank = Math.min(sortedAscending.length - 1, Math.max(0, Math.ceil(fraction * sortedAscending.length) - 1));
  return sortedAscending[rank];
}

/** Ops per second over buckets [firstBucket, endBucket) (null if the range is empty). */
export function opsPerSecOver(opsPerBucket: readonly number[], firstBucket: number, endBucket: number, bucketMs: number): number {
  const first = Math.max(0, firstBucket);
  if (endBucket <= first) return 0;
  let total = 0;
  for (let bucket = first; bucket < endBucket; bucket++) total += opsPerBucket[bucket] ?? 0;
  return total / (((endBucket - first) * bucketMs) / 1000);
}

function infoField(run: TargetRun, name: string): number | null {
  const text = run.persistenceInfo[name];
  if (text === undefined) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** Redis's fork child holds its copied pages outside the parent's RSS; cowkv's shadow pages are inside. */
function childCopyBytes(run: TargetRun, cowBytes: number | null): number {
  if (run.target.server !== 'redis' || run.target.command !== 'BGSAVE') return 0;
  return cowBytes ?? 0;
}

function peakExtraMemoryBytes(run: TargetRun): number {
  let peakBytes = 0;
  let cowPeakBytes = 0;
  for (const sample of run.pollSamples) {
    if (sample.atMs < run.snapshotStartMs || sample.atMs > run.snapshotEndMs + 100) continue;
    cowPeakBytes = Math.max(cowPeakBytes, sample.cowBytes ?? 0);
    peakBytes = Math.max(peakBytes, sample.rssBytes - run.rssBeforeBytes);
  }
  // Redis refreshes current_cow_size about once a second; its final figure is rdb_last_cow_size.
  const lastCowBytes = run.target.server === 'redis' ? infoField(run, 'rdb_last_cow_size') ?? 0 : 0;
  return Math.max(0, peakBytes) + childCopyBytes(run, Math.max(cowPeakBytes, lastCowBytes));
}

function probeLatencies(run: TargetRun, fromMs: number, toMs: number): number[] {
  // A probe sent just before the snapshot and answered after it started also felt the pause.
  return run.probeSamples
    .filter(([sentMs, latencyUs]) => sentMs <= toMs && sentMs + latencyUs / 1000 >= fromMs)
    .map(([, latencyUs]) => latencyUs)
    .sort((a, b) => a - b);
}

/** The per-snapshot figures of one run. */
export function summarize(run: TargetRun, bucketMs: number, valueSizeBytes: number): SnapshotSummary {
  const { target } = run;
  const startBucket = Math.floor(run.snapshotStartMs / bucketMs);
  const endBucket = Math.max(startBucket + 1, Math.ceil(run.snapshotEndMs / bucketMs));
  const lastBucket = Math.floor(run.endMs / bucketMs) - 1; // the final bucket is partial
  // The first quarter of the load before the snapshot is warm-up.
  const warmUpBucket = Math.ceil((run.clientsReadyMs + (run.snapshotStartMs - run.clientsReadyMs) / 4) / bucketMs);
  const opsPerSecBefore = opsPerSecOver(run.opsPerBucket, warmUpBucket, startBucket, bucketMs);
  const opsPerSecDuring = opsPerSecOver(run.opsPerBucket, startBucket, endBucket, bucketMs);
  const opsPerSecAfter = opsPerSecOver(run.opsPerBucket, endBucket, lastBucket, bucketMs);
  const opsDuring = Math.round((opsPerSecDuring * (endBucket - startBucket) * bucketMs) / 1000);
  const durationMs = run.snapshotEndMs - run.snapshotStartMs;
  const isCowkv = target.server === 'cowkv';
  const pagesCopied = isCowkv ? infoField(run, 'snapshot_pages_copied') : null;
  const pageSizeBytes = parseSizeBytes(target.pageSizeText);
  const copiedBytes = isCowkv ? (pagesCopied ?? 0) * pageSizeBytes : target.command === 'BGSAVE' ? infoField(run, 'rdb_last_cow_size') : null;
  const bytesWritten = isCowkv ? infoField(run, 'snapshot_bytes_written') : run.fileBytes;
  const during = probeLatencies(run, run.snapshotStartMs, run.snapshotEndMs);
  const before = probeLatencies(run, warmUpBucket * bucketMs, run.snapshotStartMs - bucketMs);
  const all = run.probeSamples.map(([, latencyUs]) => latencyUs);
  const startPauseUs = target.command === 'SAVE' ? durationMs * 1000 : isCowkv ? infoField(run, 'snapshot_start_pause_us') : run.latestForkUs;
  return {
    id: target.id, label: target.label, server: target.server, command: target.command, strategy: target.strategy,
    pageSizeText: target.pageSizeText, startPauseUs, durationMs: round(durationMs, 1), pagesCopied, copiedBytes,
    shadowPeakBytes: isCowkv ? infoField(run, 'snapshot_shadow_bytes_peak') : target.command === 'BGSAVE' ? infoField(run, 'rdb_last_cow_size') : null,
    peakExtraMemoryBytes: peakExtraMemoryBytes(run), bytesWritten,
    writeMbPerSec: bytesWritten === null || durationMs <= 0 ? null : round(bytesWritten / MB / (durationMs / 1000), 1),
    opsPerSecBefore: Math.round(opsPerSecBefore), opsPerSecDuring: Math.round(opsPerSecDuring), opsPerSecAfter: Math.round(opsPerSecAfter),
    duringFraction: opsPerSecBefore > 0 ? round(opsPerSecDuring / opsPerSecBefore, 3) : 0,
    opsDuring,
    copyAmplification: copiedBytes === null || opsDuring === 0 ? null : round(copiedBytes / (opsDuring * valueSizeBytes), 2),
    probeP50UsBefore: quantile(before, 0.5), probeP99UsBefore: quantile(before, 0.99), probeMaxUsBefore: quantile(before, 1),
    probeP99UsDuring: quantile(during, 0.99), probeMaxUsDuring: quantile(during, 1),
    probeMaxUsRun: all.length === 0 ? null : Math.max(...all), probeCount: all.length,
    loadErrorCount: run.loadErrorCount, fillMs: Math.round(run.fillMs), usedMemoryBytes: run.usedMemoryBytes,
  };
}

/** Per-bucket series of one run, times relative to the snapshot start. */
export function series(run: TargetRun, bucketMs: number): SeriesPoint[] {
  const bucketCount = Math.floor(run.endMs / bucketMs);
  const latencies: number[][] = Array.from({ length: bucketCount }, () => []);
  for (const [sentMs, latencyUs] of run.probeSamples) {
    const bucket = Math.floor(sentMs / bucketMs);
    if (bucket >= 0 && bucket < bucketCount) latencies[bucket].push(latencyUs);
  }
  const memory: Array<{ extraBytes: number; cowBytes: number | null } | undefined> = new Array(bucketCount);
  for (const sample of run.pollSamples) {
    const bucket = Math.floor(sample.atMs / bucketMs);
    if (bucket < 0 || bucket >= bucketCount) continue;
    const extraBytes = sample.rssBytes - run.rssBeforeBytes + childCopyBytes(run, sample.cowBytes);
    memory[bucket] = { extraBytes: Math.max(extraBytes, memory[bucket]?.extraBytes ?? -Infinity), cowBytes: sample.cowBytes };
  }
  const points: SeriesPoint[] = [];
  for (let bucket = Math.floor(run.clientsReadyMs / bucketMs); bucket < bucketCount; bucket++) {
    const sorted = latencies[bucket].sort((a, b) => a - b);
    const toMs = (us: number | null): number | null => (us === null ? null : round(us / 1000, 3));
    points.push({
      id: run.target.id, label: run.target.label, tMs: round(bucket * bucketMs - run.snapshotStartMs, 1),
      opsPerSec: Math.round(((run.opsPerBucket[bucket] ?? 0) * 1000) / bucketMs),
      probeP50Ms: toMs(quantile(sorted, 0.5)), probeP99Ms: toMs(quantile(sorted, 0.99)), probeMaxMs: toMs(quantile(sorted, 1)),
      extraMemoryMb: memory[bucket] === undefined ? null : round(memory[bucket]!.extraBytes / MB, 2),
      cowMb: memory[bucket]?.cowBytes == null ? null : round(memory[bucket]!.cowBytes! / MB, 2),
    });
  }
  return points;
}

/** `16kb` → 16384 (redis.conf units: k=1000, kb=1024, m, mb, g, gb). */
export function parseSizeBytes(text: string): number {
  const match = /^(\d+)(k|kb|m|mb|g|gb)?$/i.exec(text.trim());
  if (match === null) return Number.NaN;
  const unit = (match[2] ?? '').toLowerCase();
  const scale: Record<string, number> = { '': 1, k: 1e3, kb: 1024, m: 1e6, mb: MB, g: 1e9, gb: 1024 * MB };
  return Number(match[1]) * scale[unit];
}

export function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
