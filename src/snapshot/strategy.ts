/**
 * Snapshot strategies behind one interface: how the snapshot point is captured and where the
 * writer reads pages from afterwards.
 *
 *   strategy  at the snapshot point (main thread)        writer                 memory cost
 *   cow       heap.openEpoch(): O(1)                      worker, EpochReader    pages written meanwhile
 *   stw       nothing                                     main thread, blocking  none (clients wait)
 *   copy      copy every used page into one buffer        worker                 the whole used heap
 *
 * Why several: the same data and load can be saved each way, so the cost of each (pause, copy
 * memory, write throughput) can be measured side by side. stw stays deliberately naive.
 * Invariants: a capture's pages are those of the heap at the instant capture() returned;
 * release() is called exactly once per capture (it closes the cow epoch), idempotent.
 * Not here: file encoding (writer-core.ts), threads (bgsave.ts), the service (snapshot-service.ts).
 */

import type { EpochShare, Heap } from '../cow/heap.js';
import type { SnapshotSegment } from './format.js';
import type { PageCopy, PageSource } from './page-source.js';

export type SnapshotStrategyName = 'cow' | 'stw' | 'copy';

export const SNAPSHOT_STRATEGY_NAMES: readonly SnapshotStrategyName[] = ['cow', 'stw', 'copy'];

/** The default for BGSAVE. SAVE always uses 'stw'. */
export const SNAPSHOT_STRATEGY_DEFAULT: SnapshotStrategyName = 'cow';

/** Listener for shadow pool growth: (chunk, chunkIndex). */
export type ShadowChunkListener = (chunk: SharedArrayBuffer, chunkIndex: number) => void;

/**
 * The heap as snapshots need it: the Heap contract plus the shadow-pool growth hook that
 * PagedHeap provides (new shadow chunks must reach the reader while an epoch is open).
 */
export interface SnapshotHeap extends Heap {
  onShadowChunkAdded(listener: ShadowChunkListener): () => void;
}

/** What a worker needs to open the same page source: structured-clonable data only. */
export type PageSourceDescriptor =
  | { readonly kind: 'epoch'; readonly share: EpochShare }
  | { readonly kind: 'copy'; readonly copy: PageCopy };

/** A captured snapshot point. */
export interface SnapshotCapture {
  readonly strategy: SnapshotStrategyName;
  readonly pageSizeBytes: number;
  /** Page numbers 0 .. pageCount-1 are scanned. */
  readonly pageCount: number;
  /** Pages in use at the snapshot point: the number of page records the file will hold. */
  readonly usedPageCount: number;
  readonly segments: readonly SnapshotSegment[];
  /** For a worker: null when the writer must run on the capturing thread (stw). */
  readonly descriptor: PageSourceDescriptor | null;
  /** The page source on this thread (in-process writing). Call at most once. */
  openSource(): PageSource;
  /**
   * Calls listener for each shadow chunk the heap adds until release(); returns nothing to
   * undo (release() removes it). Only cow captures ever call it.
   */
  forwardShadowChunks(listener: ShadowChunkListener): void;
  /** Copy-on-write cost so far: pages copied by the barrier and the shadow pool's peak. */
  copyStats(): CopyStats;
  /** The snapshot is written or abandoned: close the epoch, drop copies. Idempotent. */
  release(): void;
}

export interface CopyStats {
  readonly pagesCopied: number;
  /** Bytes held for the snapshot right now (Redis's current_cow_size). */
  readonly copyBytesNow: number;
  /** Peak bytes held for the snapshot beyond the live heap (shadow pages, or the full copy). */
  readonly copyBytesPeak: number;
}

export interface SnapshotStrategy {
  readonly name: SnapshotStrategyName;
  /** True if the writer may run on another thread while the main thread keeps writing. */
  readonly isBackground: boolean;
  /** Captures the snapshot point; the main thread may write to the heap as soon as it returns. */
  capture(heap: SnapshotHeap): SnapshotCapture;
}

/** Parses a strategy name (config, BGSAVE option); null if unknown. */
export function parseStrategyName(text: string): SnapshotStrategyName | null {
  const lower = text.toLowerCase();
  return (SNAPSHOT_STRATEGY_NAMES as readonly string[]).includes(lower) ? (lower as SnapshotStrategyName) : null;
}
