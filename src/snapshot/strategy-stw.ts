/**
 * The `stw` strategy (what SAVE does): stop the world. The writer runs on the main thread,
 * synchronously, reading every page with heap.readPageImage while no command can run.
 * Why keep it naive: it is the baseline the other strategies are measured against, and it is
 * what Redis's SAVE does (clients wait for the whole write).
 * Invariant: nothing writes to the heap between capture() and the end of writing; the caller
 * guarantees it by writing the whole file before returning to the event loop.
 */

import { HeapImagePageSource, type PageSource } from './page-source.js';
import type { CopyStats, SnapshotCapture, SnapshotHeap, SnapshotStrategy } from './strategy.js';
import type { SnapshotSegment } from './format.js';
import { snapshotSegmentsOf } from './strategy-segments.js';

export const STW_STRATEGY: SnapshotStrategy = {
  name: 'stw',
  isBackground: false,
  capture(heap: SnapshotHeap): SnapshotCapture {
    return new StwCapture(heap);
  },
};

class StwCapture implements SnapshotCapture {
  readonly #heap: SnapshotHeap;
  readonly strategy = 'stw';
  readonly pageSizeBytes: number;
  readonly pageCount: number;
  readonly usedPageCount: number;
  readonly segments: readonly SnapshotSegment[];
  readonly descriptor = null;

  constructor(heap: SnapshotHeap) {
    this.#heap = heap;
    this.pageSizeBytes = heap.pageSizeBytes;
    this.pageCount = heap.pageCount;
    this.usedPageCount = heap.pagesInUse;
    this.segments = snapshotSegmentsOf(heap.layout());
  }

  openSource(): PageSource {
    return new HeapImagePageSource(this.#heap);
  }

  forwardShadowChunks(): void {
    // No epoch, no shadow pages.
  }

  copyStats(): CopyStats {
    return { pagesCopied: 0, copyBytesNow: 0, copyBytesPeak: 0 };
  }

  release(): void {
    // Nothing was taken at the snapshot point.
  }
}
