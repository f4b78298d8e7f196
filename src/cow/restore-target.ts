/**
 * Where a heap under construction receives its saved pages: restoreHeapFrom() hands one of these
 * to the caller's fill function, and closes it when fill returns.
 * Why: a snapshot loader is fastest when it reads file bytes straight into the segments (no
 * block buffer, no second copy, no fresh memory to fault in twice). So, for the length of the
 * fill call only, pageView() lends a writable view of one page of a heap nobody else can see
 * yet: no store is attached, no epoch can be open, so there is no barrier to bypass.
 * Invariants: every page number is checked against the layout; after close() every method
 * throws, so a loader cannot write into a heap that has been handed out; views lent before
 * close() must not be kept (the loader's file-reader drops them at the end of each block).
 * Not here: the allocator state, read back from the header and descriptor pages afterwards
 * (paged-heap.ts #restore).
 */
import type { HeapRestoreTarget } from './heap.js';
import type { Prefaulter } from './prefault.js';
import type { Segment } from './segment.js';

export class SegmentRestoreTarget implements HeapRestoreTarget {
  readonly #segments: readonly Segment[];
  readonly #pageSegment: Uint32Array;
  readonly #prefaulter: Prefaulter | null;
  #isOpen = true;
  readonly pageSizeBytes: number;
  readonly pageCount: number;

  constructor(options: {
    segments: readonly Segment[];
    pageSegment: Uint32Array;
    pageSizeBytes: number;
    pageCount: number;
    /** Told how far the loader got, so its helper thread faults ahead of it (prefault.ts). */
    prefaulter?: Prefaulter | null;
  }) {
    this.#segments = options.segments;
    this.#prefaulter = options.prefaulter ?? null;
    this.#pageSegment = options.pageSegment;
    this.pageSizeBytes = options.pageSizeBytes;
    this.pageCount = options.pageCount;
  }

  writePage(pageNumber: number, bytes: Uint8Array): void {
    const view = this.pageView(pageNumber);
    if (bytes.length !== this.pageSizeBytes) {
      throw new Error(`Cannot restore heap: page ${pageNumber} has ${bytes.length} bytes, expected ${this.pageSizeBytes}`);
    }
    view.set(bytes);
  }

  pageView(pageNumber: number): Uint8Array {
    const segment = this.#segmentOf(pageNumber);
    const startBytes = (pageNumber - segment.firstPage) * this.pageSizeBytes;
    this.#prefaulter?.noteLoaderProgress((pageNumber + 1) * this.pageSizeBytes);
    return segment.bytes.subarray(startBytes, startBytes + this.pageSizeBytes);
  }

  movePage(sourcePage: number, targetPage: number): void {
    if (sourcePage === targetPage) return;
    this.pageView(targetPage).set(this.pageView(sourcePage));
  }

  zeroPage(pageNumber: number): void {
    this.pageView(pageNumber).fill(0);
  }

  /** Ends the loan: restoreHeapFrom calls this when fill returns or throws. */
  close(): void {
    this.#isOpen = false;
  }

  #segmentOf(pageNumber: number): Segment {
    if (!this.#isOpen) throw new Error('Cannot restore heap: the restore target is closed');
    if (!Number.isInteger(pageNumber) || pageNumber < 0 || pageNumber >= this.pageCount) {
      throw new Error(`Cannot restore heap: page ${pageNumber} is outside the layout (${this.pageCount} pages)`);
    }
    return this.#segments[this.#pageSegment[pageNumber]];
  }
}
