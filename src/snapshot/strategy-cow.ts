/**
 * The `cow` strategy (BGSAVE's default): the snapshot point is heap.openEpoch(), O(1); a worker
 * walks the pages with an EpochReader while the main thread keeps writing, and the heap's write
 * barrier copies a page to a shadow slot before its first write if the reader has not taken it.
 * Why: Redis gets this from fork(2); we get it at page granularity in user space, so the main
 * thread's only snapshot cost is the copies its own writes cause.
 * Invariants: the epoch stays open until release(); every shadow chunk the heap adds while it is
 * open reaches the reader (buffered until a forwarder is attached, then forwarded in order).
 * Not here: the claim protocol and shadow pool (src/cow).
 */

import type { EpochShare } from '../cow/heap.js';
import { EpochPageSource } from './epoch-page-source.js';
import type { PageSource } from './page-source.js';
import type {
  CopyStats,
  PageSourceDescriptor,
  ShadowChunkListener,
  SnapshotCapture,
  SnapshotHeap,
  SnapshotStrategy,
} from './strategy.js';
import type { SnapshotSegment } from './format.js';
import { snapshotSegmentsOf } from './strategy-segments.js';

export const COW_STRATEGY: SnapshotStrategy = {
  name: 'cow',
  isBackground: true,
  capture(heap: SnapshotHeap): SnapshotCapture {
    // Nothing runs between these two calls, so the count is the epoch's.
    const usedPageCount = heap.pagesInUse;
    return new CowCapture(heap, heap.openEpoch(), usedPageCount);
  },
};

class CowCapture implements SnapshotCapture {
  readonly #heap: SnapshotHeap;
  readonly #share: EpochShare;
  readonly #chunksAdded: SharedArrayBuffer[] = [];
  readonly #listeners: ShadowChunkListener[] = [];
  #removeHeapListener: (() => void) | null;
  #isReleased = false;
  readonly strategy = 'cow';
  readonly pageSizeBytes: number;
  readonly pageCount: number;
  readonly usedPageCount: number;
  readonly segments: readonly SnapshotSegment[];
  readonly descriptor: PageSourceDescriptor;

  constructor(heap: SnapshotHeap, share: EpochShare, usedPageCount: number) {
    this.#heap = heap;
    this.#share = share;
    this.pageSizeBytes = share.pageSizeBytes;
    this.pageCount = share.pageCountAtStart;
    this.usedPageCount = usedPageCount;
    this.segments = snapshotSegmentsOf(share.segments);
    this.descriptor = { kind: 'epoch', share };
    this.#removeHeapListener = heap.onShadowChunkAdded((chunk, chunkIndex) => this.#onChunkAdded(chunk, chunkIndex));
  }

  openSource(): PageSource {
    const source = new EpochPageSource(this.#share);
    this.forwardShadowChunks((chunk) => source.addShadowChunk(chunk));
    return source;
  }

  forwardShadowChunks(listener: ShadowChunkListener): void {
    const firstNewIndex = this.#share.shadowChunks.length;
    this.#chunksAdded.forEach((chunk, index) => listener(chunk, firstNewIndex + index));
    this.#listeners.push(listener);
  }

  copyStats(): CopyStats {
    const stats = this.#heap.stats();
    return {
      pagesCopied: stats.pagesCopied,
      copyBytesNow: this.#isReleased ? 0 : stats.shadowPagesInUse * this.pageSizeBytes,
      copyBytesPeak: stats.shadowPagesPeak * this.pageSizeBytes,
    };
  }

  release(): void {
    if (this.#isReleased) return;
    this.#isReleased = true;
    this.#removeHeapListener?.();
    this.#removeHeapListener = null;
    this.#listeners.length = 0;
    this.#heap.closeEpoch();
  }

  #onChunkAdded(chunk: SharedArrayBuffer, chunkIndex: number): void {
    // Chunks the share already lists were known at open time; only later ones are news.
    if (chunkIndex < this.#share.shadowChunks.length) return;
    this.#chunksAdded.push(chunk);
    for (const listener of this.#listeners) listener(chunk, chunkIndex);
  }
}
