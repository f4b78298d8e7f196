import { describe, expect, test } from 'vitest';
import { HEADER_BYTES_ALLOCATED_OFFSET, HEADER_PAGES_IN_USE_OFFSET } from '../../../src/cow/heap-layout.js';
import { createHeap } from '../../../src/cow/paged-heap.js';

const OPTIONS = { pageSizeBytes: 64, maxMemoryBytes: 0, segmentPageCount: 16 };

describe('verifyIntegrity()', () => {
  test('counts every byte of a busy heap into exactly one bucket', () => {
    const heap = createHeap(OPTIONS);
    const addresses = [8, 24, 24, 100, 200, 64 * 12].map((size) => heap.allocate(size));
    heap.free(addresses[1]);
    const report = heap.verifyIntegrity();
    const stats = heap.stats();
    expect(report.allocationCount).toBe(5);
    expect(report.allocatedBytes).toBe(stats.bytesAllocated);
    expect(report.allocatedBytes + report.freeSlotBytes + report.slabSlackBytes + report.freePageCount * 64 + report.metadataBytes).toBe(
      stats.heapBytes,
    );
  });

  test('notices a header counter that disagrees with the pages', () => {
    const heap = createHeap(OPTIONS);
    heap.allocate(10);
    heap.writeU32(HEADER_PAGES_IN_USE_OFFSET, heap.readU32(HEADER_PAGES_IN_USE_OFFSET) + 1);
    expect(() => heap.verifyIntegrity()).toThrow(/pages in use/);
  });

  test('notices bytes allocated that no page accounts for', () => {
    const heap = createHeap(OPTIONS);
    heap.allocate(10);
    heap.writeF64(HEADER_BYTES_ALLOCATED_OFFSET, 12345);
    expect(() => heap.verifyIntegrity()).toThrow(/bytes allocated/);
  });

  test('notices a slab free chain that loops', () => {
    const heap = createHeap(OPTIONS);
    const first = heap.allocate(8);
    const second = heap.allocate(8);
    heap.allocate(8);
    heap.free(first);
    heap.free(second);
    // second's free slot now points at first; make first point back at second.
    heap.writeU32(first, second - Math.floor(second / 64) * 64);
    expect(() => heap.verifyIntegrity()).toThrow(/loops|chain/);
  });
});
