import { describe, expect, test } from 'vitest';
import { createHeap, type PagedHeap } from '../../../src/cow/paged-heap.js';
import { EpochReader, createReleaseRing, drainReleaseRing, pushReleaseRing } from '../../../src/cow/snapshot-epoch.js';

const PAGE_SIZE_BYTES = 64;
const OPTIONS = { pageSizeBytes: PAGE_SIZE_BYTES, maxMemoryBytes: 0, segmentPageCount: 16, shadowPoolPageCount: 2 };

function pageOf(address: number): number {
  return Math.floor(address / PAGE_SIZE_BYTES);
}

function read(reader: EpochReader, pageNumber: number): Uint8Array | 'unused' {
  const target = new Uint8Array(PAGE_SIZE_BYTES);
  return reader.readPage(pageNumber, target) === 'copied' ? target : 'unused';
}

/** A heap with one 64-byte run filled with `byte`, so its page is easy to recognize. */
function heapWithRun(byte: number): { heap: PagedHeap; address: number } {
  const heap = createHeap(OPTIONS);
  const address = heap.allocate(PAGE_SIZE_BYTES);
  heap.fill(address, byte, PAGE_SIZE_BYTES);
  return { heap, address };
}

describe('release ring', () => {
  test('slots pushed by the reader are drained by main in order', () => {
    const ring = new Int32Array(createReleaseRing(3));
    pushReleaseRing(ring, 5);
    pushReleaseRing(ring, 9);
    const drained: number[] = [];
    expect(drainReleaseRing(ring, (slot) => drained.push(slot))).toBe(2);
    pushReleaseRing(ring, 1);
    pushReleaseRing(ring, 2);
    pushReleaseRing(ring, 3);
    expect(() => pushReleaseRing(ring, 4)).toThrow(/full/);
    expect(drainReleaseRing(ring, (slot) => drained.push(slot))).toBe(3);
    expect(drained).toEqual([5, 9, 1, 2, 3]);
  });
});

test('a reader built from another protocol version refuses the share', () => {
  const heap = createHeap(OPTIONS);
  const share = heap.openEpoch();
  new Int32Array(share.releaseRing)[3] = 1;
  expect(() => new EpochReader(share)).toThrow(/protocol/);
});

test('a page main could not save makes the reader fail the snapshot with a clear error', () => {
  const { heap, address } = heapWithRun(1);
  const share = heap.openEpoch();
  const page = pageOf(address);
  const segment = share.segments.find((candidate) => page >= candidate.firstPage && page < candidate.firstPage + candidate.pageCount);
  const state = new Int32Array(segment!.pageState);
  const base = (page - segment!.firstPage) * 4;
  // What the main thread publishes when the shadow pool cannot grow: claimed, ready, failed.
  state[base] = share.epoch;
  state[base + 2] = -3;
  state[base + 1] = share.epoch;
  expect(() => read(new EpochReader(share), page)).toThrow(/Snapshot failed/);
  expect(heap.isEpochFailed).toBe(false);
});

describe('epochs on the heap', () => {
  test('only one epoch can be open, and closing twice is harmless', () => {
    const heap = createHeap(OPTIONS);
    expect(heap.isEpochOpen).toBe(false);
    heap.openEpoch();
    expect(heap.isEpochOpen).toBe(true);
    expect(() => heap.openEpoch()).toThrow(/already open/);
    heap.closeEpoch();
    heap.closeEpoch();
    expect(heap.isEpochOpen).toBe(false);
  });

  test("main's first write to a page copies it once; the reader gets the old bytes", () => {
    const { heap, address } = heapWithRun(1);
    const reader = new EpochReader(heap.openEpoch());
    heap.writeU8(address, 2);
    const copiedAfterFirst = heap.stats().pagesCopied;
    expect(copiedAfterFirst).toBe(1);
    heap.writeU8(address + 1, 3);
    expect(heap.stats().pagesCopied).toBe(copiedAfterFirst);
    expect(heap.stats().shadowPagesInUse).toBe(1);
    expect(read(reader, pageOf(address))).toEqual(new Uint8Array(PAGE_SIZE_BYTES).fill(1));
    expect(heap.stats().shadowPagesInUse).toBe(0);
    expect(heap.stats().shadowPagesPeak).toBe(1);
    expect(heap.readU8(address)).toBe(2);
  });

  test('a page the reader took first is written without a copy', () => {
    const { heap, address } = heapWithRun(4);
    const reader = new EpochReader(heap.openEpoch());
    expect(read(reader, pageOf(address))).toEqual(new Uint8Array(PAGE_SIZE_BYTES).fill(4));
    heap.fill(address, 5, PAGE_SIZE_BYTES);
    expect(heap.stats().pagesCopied).toBe(0);
  });

  test('pages free at the snapshot point read as unused, even after main allocates them', () => {
    const heap = createHeap(OPTIONS);
    const share = heap.openEpoch();
    const reader = new EpochReader(share);
    const address = heap.allocate(PAGE_SIZE_BYTES * 2);
    heap.fill(address, 9, PAGE_SIZE_BYTES * 2);
    expect(pageOf(address) + 1).toBeLessThan(share.pageCountAtStart);
    expect(read(reader, pageOf(address))).toBe('unused');
    expect(read(reader, pageOf(address) + 1)).toBe('unused');
    // Only metadata (header, descriptors) was copied, never the new run's pages.
    expect(heap.stats().pagesCopied).toBeLessThanOrEqual(heap.stats().metadataBytes / PAGE_SIZE_BYTES);
  });

  test('a page freed during the epoch still reads as it was', () => {
    const { heap, address } = heapWithRun(6);
    const reader = new EpochReader(heap.openEpoch());
    heap.free(address);
    heap.fill(heap.allocate(PAGE_SIZE_BYTES), 7, PAGE_SIZE_BYTES);
    expect(read(reader, pageOf(address))).toEqual(new Uint8Array(PAGE_SIZE_BYTES).fill(6));
  });

  test('pages added after the epoch opened are outside it and never copied', () => {
    const heap = createHeap(OPTIONS);
    const share = heap.openEpoch();
    const reader = new EpochReader(share);
    const address = heap.allocate(PAGE_SIZE_BYTES * 40);
    expect(pageOf(address)).toBeGreaterThanOrEqual(share.pageCountAtStart);
    const copiedBefore = heap.stats().pagesCopied;
    heap.fill(address, 1, PAGE_SIZE_BYTES * 40);
    expect(heap.stats().pagesCopied).toBe(copiedBefore);
    expect(() => read(reader, pageOf(address))).toThrow(/outside the epoch/);
  });

  test('reading a page twice in one epoch is refused', () => {
    const { heap, address } = heapWithRun(1);
    const reader = new EpochReader(heap.openEpoch());
    heap.writeU8(address, 2);
    read(reader, pageOf(address));
    expect(() => read(reader, pageOf(address))).toThrow(/read twice/);
  });

  test('a reader of a closed epoch cannot take pages of a newer one', () => {
    const { heap, address } = heapWithRun(1);
    const stale = new EpochReader(heap.openEpoch());
    expect(stale.isEpochClosed).toBe(false);
    heap.closeEpoch();
    expect(stale.isEpochClosed).toBe(true);
    const reader = new EpochReader(heap.openEpoch());
    heap.writeU8(address, 2);
    expect(() => read(stale, pageOf(address))).toThrow(/newer epoch/);
    expect(read(reader, pageOf(address))).toEqual(new Uint8Array(PAGE_SIZE_BYTES).fill(1));
  });

  test('shadow chunks added mid-epoch reach the reader through addShadowChunk', () => {
    const heap = createHeap(OPTIONS);
    const addresses = Array.from({ length: 6 }, (_, index) => {
      const address = heap.allocate(PAGE_SIZE_BYTES);
      heap.fill(address, index + 1, PAGE_SIZE_BYTES);
      return address;
    });
    const share = heap.openEpoch();
    const reader = new EpochReader(share);
    const late: SharedArrayBuffer[] = [];
    heap.onShadowChunkAdded((chunk) => late.push(chunk));
    for (const address of addresses) heap.writeU8(address, 0);
    expect(late.length).toBeGreaterThan(0);
    expect(heap.shadowChunks().length).toBe(share.shadowChunks.length + late.length);
    const lastPage = pageOf(addresses[addresses.length - 1]);
    expect(() => read(reader, lastPage)).toThrow(/never announced/);
    const fresh = new EpochReader(share);
    for (const chunk of late) fresh.addShadowChunk(chunk);
    addresses.forEach((address, index) => {
      expect(read(fresh, pageOf(address))).toEqual(new Uint8Array(PAGE_SIZE_BYTES).fill(index + 1));
    });
  });

  test('reclaimShadowPages() returns the slots the reader released', () => {
    const { heap, address } = heapWithRun(1);
    const reader = new EpochReader(heap.openEpoch());
    heap.writeU8(address, 2);
    read(reader, pageOf(address));
    expect(heap.reclaimShadowPages()).toBe(1);
    expect(heap.reclaimShadowPages()).toBe(0);
  });

  test('readPageImage() sees live bytes during an epoch; closeEpoch() empties the shadow pool', () => {
    const { heap, address } = heapWithRun(1);
    heap.openEpoch();
    heap.writeU8(address, 2);
    const target = new Uint8Array(PAGE_SIZE_BYTES);
    expect(heap.readPageImage(pageOf(address), target)).toBe(true);
    expect(target[0]).toBe(2);
    heap.closeEpoch();
    expect(heap.stats().shadowPagesInUse).toBe(0);
    expect(heap.stats().pagesCopied).toBeGreaterThan(0);
  });

  test('closeEpoch() shrinks a grown shadow pool back to its first chunk', () => {
    const heap = createHeap(OPTIONS);
    const addresses = Array.from({ length: 6 }, () => heap.allocate(PAGE_SIZE_BYTES));
    const initialPoolPageCount = heap.stats().shadowPoolPageCount;
    heap.openEpoch();
    for (const address of addresses) heap.writeU8(address, 1);
    expect(heap.stats().shadowPoolPageCount).toBeGreaterThan(initialPoolPageCount);
    heap.closeEpoch();
    expect(heap.stats().shadowPoolPageCount).toBe(initialPoolPageCount);
    expect(heap.stats().shadowPagesPeak).toBeGreaterThanOrEqual(6);
  });
});
