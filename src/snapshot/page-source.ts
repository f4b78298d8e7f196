/**
 * Where a snapshot writer reads page images from, and the plain-data descriptions that let a
 * worker thread open the same source on its side.
 * Why an interface: the writer core does not care whether a page comes from a copy-on-write
 * epoch (cow), the live heap while the world is stopped (stw) or a full copy taken at the
 * snapshot point (copy); strategies differ only in the source they hand it.
 * Invariants: readPage(n) returns the page as it was at the snapshot point, for every
 * n < pageCount, or 'unused' if it held nothing then; each page number is read at most once.
 * Not here: the epoch-backed source (epoch-page-source.ts, it needs src/cow's EpochReader).
 */

import assert from 'node:assert/strict';

import type { Heap } from '../cow/heap.js';

/** Page images at one snapshot point. */
export interface PageSource {
  readonly pageSizeBytes: number;
  /** Page numbers 0 .. pageCount-1 are read. */
  readonly pageCount: number;
  /** Copies page `pageNumber` into target (pageSizeBytes long) or says it was unused. */
  readPage(pageNumber: number, target: Uint8Array): 'copied' | 'unused';
  /** The heap grew its shadow pool after the snapshot point (cow only). */
  addShadowChunk?(chunk: SharedArrayBuffer): void;
}

/**
 * The used pages of a heap, copied at the snapshot point into one shared buffer, in increasing
 * page-number order. Structured-clonable, so a worker can write it out.
 */
export interface PageCopy {
  readonly pageSizeBytes: number;
  readonly pageCount: number;
  /** Page numbers (Uint32) of the copied pages, ascending. */
  readonly pageNumbers: SharedArrayBuffer;
  /** copiedPageCount x pageSizeBytes bytes, in pageNumbers order. */
  readonly pages: SharedArrayBuffer;
}

/** Reads the live heap: correct only while nothing writes to it (stop the world). */
export class HeapImagePageSource implements PageSource {
  readonly #heap: Heap;
  readonly pageSizeBytes: number;
  readonly pageCount: number;

  constructor(heap: Heap) {
    this.#heap = heap;
    this.pageSizeBytes = heap.pageSizeBytes;
    this.pageCount = heap.pageCount;
  }

  readPage(pageNumber: number, target: Uint8Array): 'copied' | 'unused' {
    return this.#heap.readPageImage(pageNumber, target) ? 'copied' : 'unused';
  }
}

/** Reads a PageCopy; pages not in it were unused at the snapshot point. */
export class CopyPageSource implements PageSource {
  readonly #pageNumbers: Uint32Array;
  readonly #pages: Uint8Array;
  #nextIndex = 0;
  readonly pageSizeBytes: number;
  readonly pageCount: number;

  constructor(copy: PageCopy) {
    this.#pageNumbers = new Uint32Array(copy.pageNumbers);
    this.#pages = new Uint8Array(copy.pages);
    this.pageSizeBytes = copy.pageSizeBytes;
    this.pageCount = copy.pageCount;
    assert.equal(this.#pages.length, this.#pageNumbers.length * copy.pageSizeBytes);
  }

  readPage(pageNumber: number, target: Uint8Array): 'copied' | 'unused' {
    // Pages are asked for in increasing order, so one cursor finds each copy in O(1).
    while (this.#nextIndex < this.#pageNumbers.length && this.#pageNumbers[this.#nextIndex] < pageNumber) {
      this.#nextIndex += 1;
    }
    if (this.#nextIndex >= this.#pageNumbers.length) return 'unused';
    if (this.#pageNumbers[this.#nextIndex] !== pageNumber) return 'unused';
    const startBytes = this.#nextIndex * this.pageSizeBytes;
    target.set(this.#pages.subarray(startBytes, startBytes + this.pageSizeBytes));
    return 'copied';
  }
}

/** Copies every used page of the heap (the `copy` strategy's snapshot point). */
export function copyUsedPages(heap: Heap): PageCopy {
  const pageSizeBytes = heap.pageSizeBytes;
  const pageCount = heap.pageCount;
  // pagesInUse bounds the copy; a scratch page absorbs the reads of unused pages.
  const capacityPageCount = heap.pagesInUse;
  const pageNumbers = new SharedArrayBuffer(capacityPageCount * 4);
  const pages = new SharedArrayBuffer(capacityPageCount * pageSizeBytes);
  const pageNumberView = new Uint32Array(pageNumbers);
  const pageView = new Uint8Array(pages);
  const scratch = new Uint8Array(pageSizeBytes);
  let copiedCount = 0;
  for (let pageNumber = 0; pageNumber < pageCount; pageNumber += 1) {
    if (copiedCount < capacityPageCount) {
      const target = pageView.subarray(copiedCount * pageSizeBytes, (copiedCount + 1) * pageSizeBytes);
      if (!heap.readPageImage(pageNumber, target)) continue;
    } else {
      // More used pages than stats() reported is a heap bug, not an input problem.
      if (!heap.readPageImage(pageNumber, scratch)) continue;
      assert.fail(`page ${pageNumber} is used beyond pagesInUse=${capacityPageCount}`);
    }
    pageNumberView[copiedCount] = pageNumber;
    copiedCount += 1;
  }
  return {
    pageSizeBytes,
    pageCount,
    pageNumbers: pageNumbers.slice(0, copiedCount * 4),
    pages: copiedCount === capacityPageCount ? pages : pages.slice(0, copiedCount * pageSizeBytes),
  };
}
