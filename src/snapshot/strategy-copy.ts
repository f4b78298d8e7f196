/**
 * The `copy` strategy: at the snapshot point, copy every used page into one SharedArrayBuffer,
 * then let a worker write that copy while the main thread carries on.
 * Why: it makes the memory cost of a naive consistent background snapshot visible (a second
 * copy of the whole used heap, and a pause proportional to it) next to cow's per-write copies.
 * Invariant: the copy is immutable once captured; release() only drops this side's reference.
 */

import { copyUsedPages, CopyPageSource, type PageCopy, type PageSource } from './page-source.js';
import type { CopyStats, PageSourceDescriptor, SnapshotCapture, SnapshotHeap, SnapshotStrategy } from './strategy.js';
import type { SnapshotSegment } from './format.js';
import { snapshotSegmentsOf } from './strategy-segments.js';

export const COPY_STRATEGY: SnapshotStrategy = {
  name: 'copy',
  isBackground: true,
  capture(heap: SnapshotHeap): SnapshotCapture {
    return new CopyCapture(heap);
  },
};

class CopyCapture implements SnapshotCapture {
  #copy: PageCopy | null;
  readonly #copiedPageCount: number;
  readonly strategy = 'copy';
  readonly pageSizeBytes: number;
  readonly pageCount: number;
  readonly usedPageCount: number;
  readonly segments: readonly SnapshotSegment[];
  readonly descriptor: PageSourceDescriptor;

  constructor(heap: SnapshotHeap) {
    // pagesInUse comes from the allocator's counter, the copy from the pages' used flags: the
    // writer checks that they agree.
    this.usedPageCount = heap.pagesInUse;
    const copy = copyUsedPages(heap);
    this.#copy = copy;
    this.#copiedPageCount = copy.pageNumbers.byteLength / 4;
    this.pageSizeBytes = heap.pageSizeBytes;
    this.pageCount = copy.pageCount;
    this.segments = snapshotSegmentsOf(heap.layout());
    this.descriptor = { kind: 'copy', copy };
  }

  openSource(): PageSource {
    if (this.#copy === null) throw new Error('copy snapshot already released');
    return new CopyPageSource(this.#copy);
  }

  forwardShadowChunks(): void {
    // The copy is complete at capture; the heap's shadow pool is not involved.
  }

  copyStats(): CopyStats {
    const copyBytes = this.#copiedPageCount * this.pageSizeBytes;
    return { pagesCopied: this.#copiedPageCount, copyBytesNow: this.#copy === null ? 0 : copyBytes, copyBytesPeak: copyBytes };
  }

  release(): void {
    this.#copy = null;
  }
}
