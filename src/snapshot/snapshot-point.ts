/**
 * Taking a snapshot point: capture the heap with a strategy and build the file header from
 * what held at that instant (page counts, segment layout, keys per database).
 * Why one function: the header's facts must all come from the same instant as the capture,
 * between two commands; doing it in one synchronous call makes that true by construction.
 * Not here: writing the pages (in-process-snapshot.ts, bgsave.ts).
 */

import { HEAP_LAYOUT_VERSION, SNAPSHOT_FORMAT_VERSION, blockPageCountFor, type SnapshotHeader } from './format.js';
import { strategyNamed } from './strategies.js';
import type { SnapshotCapture, SnapshotHeap, SnapshotStrategyName } from './strategy.js';

/** Written into every header's `creator` field. */
export const SNAPSHOT_CREATOR = 'cowkv 0.1.0';

export interface SnapshotPointOptions {
  readonly strategy: SnapshotStrategyName;
  /** Keys per database right now (the store's stats), recorded in the header. */
  readonly keyCountsPerDb: readonly number[];
  /** Per-block and whole-file CRCs (Redis's rdbchecksum). */
  readonly checksums: boolean;
  readonly createdAtMs: number;
}

export interface SnapshotPoint {
  readonly capture: SnapshotCapture;
  readonly header: SnapshotHeader;
  /** How long the capture held the main thread, in microseconds. */
  readonly startPauseUs: number;
}

/** Captures the heap now. The caller must release() the capture when the snapshot ends. */
export function takeSnapshotPoint(heap: SnapshotHeap, options: SnapshotPointOptions): SnapshotPoint {
  const startNs = process.hrtime.bigint();
  const capture = strategyNamed(options.strategy).capture(heap);
  const startPauseUs = Number((process.hrtime.bigint() - startNs) / 1000n);
  return { capture, header: snapshotHeaderFor(capture, options), startPauseUs };
}

/** The file header for a capture (or what a capture would be: snapshot/armed-job.ts). */
export function snapshotHeaderFor(
  capture: Pick<SnapshotCapture, 'pageSizeBytes' | 'strategy' | 'segments' | 'pageCount' | 'usedPageCount'>,
  options: Omit<SnapshotPointOptions, 'strategy'>,
): SnapshotHeader {
  return {
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    pageSizeBytes: capture.pageSizeBytes,
    heapLayoutVersion: HEAP_LAYOUT_VERSION,
    createdAtMs: options.createdAtMs,
    strategy: capture.strategy,
    keyCountsPerDb: [...options.keyCountsPerDb],
    segments: capture.segments,
    pageCount: capture.pageCount,
    usedPageCount: capture.usedPageCount,
    blockPageCount: blockPageCountFor(capture.pageSizeBytes),
    checksums: options.checksums,
    creator: SNAPSHOT_CREATOR,
  };
}
