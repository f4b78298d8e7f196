/**
 * restoreHeapFrom and its restore target: a fill that reads pages straight into page views
 * rebuilds the same heap as restoreHeap; page numbers outside the layout are refused; the
 * target is dead once fill returns; whatever fill throws comes out of restoreHeapFrom.
 */

import { describe, expect, test } from 'vitest';

import type { HeapRestoreTarget } from '../../../src/cow/heap.js';
import { createHeap, restoreHeap, restoreHeapFrom, type PagedHeap } from '../../../src/cow/paged-heap.js';

const OPTIONS = { pageSizeBytes: 64, maxMemoryBytes: 0, segmentPageCount: 16 };

/** A heap over several segments with live and freed allocations, and its used page images. */
function savedHeap(): { heap: PagedHeap; pages: Array<{ pageNumber: number; bytes: Uint8Array }> } {
  const heap = createHeap(OPTIONS);
  const addresses: number[] = [];
  for (let index = 0; index < 120; index += 1) {
    const address = heap.allocate(8 + ((index * 13) % 200));
    heap.fill(address, index & 0xff, 8);
    addresses.push(address);
  }
  for (let index = 0; index < addresses.length; index += 4) heap.free(addresses[index]);
  heap.setRoot(1, addresses[1]);
  const pages: Array<{ pageNumber: number; bytes: Uint8Array }> = [];
  for (let pageNumber = 0; pageNumber < heap.pageCount; pageNumber += 1) {
    const bytes = new Uint8Array(OPTIONS.pageSizeBytes);
    if (heap.readPageImage(pageNumber, bytes)) pages.push({ pageNumber, bytes });
  }
  return { heap, pages };
}

describe('restoreHeapFrom', () => {
  test('a fill through page views, guessed places moved and zeroed, equals restoreHeap', () => {
    const { heap, pages } = savedHeap();
    expect(heap.layout().length).toBeGreaterThan(1);
    const restored = restoreHeapFrom(OPTIONS, heap.layout(), (target) => {
      expect(target.pageCount).toBe(heap.pageCount);
      // Put every page one place too early (where a loader's guess may land), then move it up;
      // from the last page down, as the loader does, so no page lands on one not yet moved.
      for (const { pageNumber, bytes } of [...pages].reverse()) {
        if (pageNumber === 0) target.pageView(0).set(bytes);
        else target.pageView(pageNumber - 1).set(bytes);
        target.movePage(pageNumber === 0 ? 0 : pageNumber - 1, pageNumber);
      }
      const used = new Set(pages.map((page) => page.pageNumber));
      for (let pageNumber = 0; pageNumber < target.pageCount; pageNumber += 1) if (!used.has(pageNumber)) target.zeroPage(pageNumber);
    });
    const reference = restoreHeap(OPTIONS, heap.layout(), pages);
    expect(restored.stats()).toEqual(reference.stats());
    expect(restored.verifyIntegrity()).toEqual(heap.verifyIntegrity());
    const left = new Uint8Array(OPTIONS.pageSizeBytes);
    const right = new Uint8Array(OPTIONS.pageSizeBytes);
    for (let pageNumber = 0; pageNumber < heap.pageCount; pageNumber += 1) {
      expect(restored.readPageImage(pageNumber, left)).toBe(reference.readPageImage(pageNumber, right));
      expect(left).toEqual(right);
    }
  });

  test('page numbers outside the layout and wrong page lengths are refused', () => {
    const { heap, pages } = savedHeap();
    for (const pageNumber of [-1, 1.5, heap.pageCount]) {
      expect(() => restoreHeapFrom(OPTIONS, heap.layout(), (target) => target.pageView(pageNumber))).toThrow(/outside the layout/);
    }
    expect(() => restoreHeapFrom(OPTIONS, heap.layout(), (target) => target.writePage(1, new Uint8Array(10)))).toThrow(/has 10 bytes, expected 64/);
    expect(() => restoreHeapFrom(OPTIONS, heap.layout(), (target) => target.movePage(0, heap.pageCount))).toThrow(/outside the layout/);
    expect(pages.length).toBeGreaterThan(0);
  });

  test('the target refuses every call once fill has returned, and a throwing fill builds nothing', () => {
    const { heap, pages } = savedHeap();
    let kept: HeapRestoreTarget | null = null;
    restoreHeapFrom(OPTIONS, heap.layout(), (target) => {
      kept = target;
      for (const { pageNumber, bytes } of pages) target.writePage(pageNumber, bytes);
    });
    expect(() => kept!.pageView(1)).toThrow(/closed/);
    expect(() => kept!.zeroPage(1)).toThrow(/closed/);
    expect(() =>
      restoreHeapFrom(OPTIONS, heap.layout(), () => {
        throw new RangeError('the file ended');
      }),
    ).toThrow(/the file ended/);
  });
});
