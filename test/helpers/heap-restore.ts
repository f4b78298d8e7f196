/**
 * Restore helpers for heap tests: a small heap with varied allocations, a page-for-page restore
 * of it under chosen options, and the check that a restored heap equals its source byte for byte.
 * Shared by the prefault and huge-pages tests, which restore the same way under different options.
 */

import { expect } from 'vitest';

import type { HeapOptions } from '../../src/cow/heap.js';
import { createHeap, restoreHeapFrom, type PagedHeap } from '../../src/cow/paged-heap.js';

export const SAMPLE_HEAP_OPTIONS = { pageSizeBytes: 1024, maxMemoryBytes: 0, segmentPageCount: 64 } as const;

/** 400 allocations of 16..915 bytes on 1 KiB pages, each with a recognisable fill. */
export function sampleHeap(): PagedHeap {
  const heap = createHeap(SAMPLE_HEAP_OPTIONS);
  for (let index = 0; index < 400; index += 1) {
    const address = heap.allocate(16 + ((index * 37) % 900));
    heap.fill(address, (index * 7) & 0xff, 16);
  }
  return heap;
}

/** Restores `heap` page for page into a new heap made with `options`. */
export function restoreCopy(heap: PagedHeap, options: HeapOptions): PagedHeap {
  const image = new Uint8Array(options.pageSizeBytes);
  return restoreHeapFrom(options, heap.layout(), (target) => {
    for (let pageNumber = 0; pageNumber < heap.pageCount; pageNumber += 1) {
      if (heap.readPageImage(pageNumber, image)) target.pageView(pageNumber).set(image);
    }
  });
}

/** Every page of `restored` equals the same page of `source`, and both pass the same integrity check. */
export function expectSameHeap(restored: PagedHeap, source: PagedHeap): void {
  const left = new Uint8Array(source.pageSizeBytes);
  const right = new Uint8Array(source.pageSizeBytes);
  for (let pageNumber = 0; pageNumber < source.pageCount; pageNumber += 1) {
    expect(restored.readPageImage(pageNumber, left)).toBe(source.readPageImage(pageNumber, right));
    expect(left).toEqual(right);
  }
  expect(restored.verifyIntegrity()).toEqual(source.verifyIntegrity());
}
