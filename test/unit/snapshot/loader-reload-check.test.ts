/**
 * firstDifferentPage, DEBUG RELOAD's check that the heap loaded back equals the live one:
 * null for the same pages; otherwise the first page that differs in bytes, in use, or exists
 * in one heap only.
 */

import { describe, expect, test } from 'vitest';

import { createHeap, restoreHeap, type PagedHeap } from '../../../src/cow/paged-heap.js';
import { firstDifferentPage } from '../../../src/snapshot/loader.js';

const OPTIONS = { pageSizeBytes: 64, maxMemoryBytes: 0, segmentPageCount: 16 };

function copyOf(heap: PagedHeap): PagedHeap {
  const pages: Array<{ pageNumber: number; bytes: Uint8Array }> = [];
  for (let pageNumber = 0; pageNumber < heap.pageCount; pageNumber += 1) {
    const bytes = new Uint8Array(OPTIONS.pageSizeBytes);
    if (heap.readPageImage(pageNumber, bytes)) pages.push({ pageNumber, bytes });
  }
  return restoreHeap(OPTIONS, heap.layout(), pages);
}

describe('firstDifferentPage', () => {
  test('null for a heap and its restored copy; the changed page once one byte differs', () => {
    const heap = createHeap(OPTIONS);
    const addresses = Array.from({ length: 40 }, (_, index) => heap.allocate(24 + index));
    for (const address of addresses) heap.fill(address, 7, 24);
    const copy = copyOf(heap);
    expect(firstDifferentPage(heap, copy)).toBeNull();
    const changed = addresses[30];
    copy.writeU8(changed, 8);
    expect(firstDifferentPage(heap, copy)).toBe(Math.floor(changed / OPTIONS.pageSizeBytes));
  });

  test('a page used in one heap only, or a heap with more pages, differs', () => {
    const heap = createHeap(OPTIONS);
    heap.allocate(24);
    const copy = copyOf(heap);
    const run = copy.allocate(OPTIONS.pageSizeBytes * 2); // whole pages: used in the copy only
    expect(firstDifferentPage(heap, copy)).not.toBeNull();
    expect(firstDifferentPage(heap, copy)!).toBeLessThanOrEqual(Math.floor(run / OPTIONS.pageSizeBytes));
    const grown = copyOf(heap);
    while (grown.pageCount === heap.pageCount) grown.allocate(OPTIONS.pageSizeBytes * 4);
    expect(firstDifferentPage(heap, grown)).not.toBeNull();
  });
});
