import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { NULL_ADDRESS, type Address, type EpochShare, type HeapStats } from '../../../src/cow/heap.js';
import { createHeap, restoreHeap, type PagedHeap } from '../../../src/cow/paged-heap.js';
import { EpochReader } from '../../../src/cow/snapshot-epoch.js';

// Point-in-time property: whatever the main thread does while an epoch is open, the pages the
// reader produces (copied images + the pages it learns were unused) are the heap as it was when
// the epoch opened. Reader and writer share one thread here, which is enough for the claim
// protocol's logic (no contention); the real worker is exercised by src/snapshot's tests.
const PAGE_SIZE_BYTES = 64;
const OPTIONS = {
  pageSizeBytes: PAGE_SIZE_BYTES,
  maxMemoryBytes: PAGE_SIZE_BYTES * 200,
  segmentPageCount: 8,
  shadowPoolPageCount: 2,
} as const;

type Operation =
  | { readonly kind: 'allocate'; readonly sizeBytes: number; readonly seed: number }
  | { readonly kind: 'free'; readonly pick: number }
  | { readonly kind: 'write'; readonly pick: number; readonly offsetPick: number; readonly bytes: Uint8Array }
  | { readonly kind: 'setRoot'; readonly slot: number; readonly pick: number }
  | { readonly kind: 'readPage'; readonly pick: number };

interface Model {
  readonly live: Map<Address, Uint8Array>;
  readonly order: Address[];
}

interface Epoch {
  readonly share: EpochShare;
  readonly reader: EpochReader;
  readonly unread: number[];
  readonly outcomes: Map<number, Uint8Array | 'unused'>;
}

const operationArbitrary: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('allocate' as const),
      sizeBytes: fc.oneof(
        { weight: 8, arbitrary: fc.integer({ min: 0, max: 3 * PAGE_SIZE_BYTES }) },
        { weight: 1, arbitrary: fc.integer({ min: 8 * PAGE_SIZE_BYTES, max: 20 * PAGE_SIZE_BYTES }) },
      ),
      seed: fc.nat(255),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('write' as const),
      pick: fc.nat(),
      offsetPick: fc.nat(),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 100 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('setRoot' as const), slot: fc.nat(15), pick: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('readPage' as const), pick: fc.nat() }) },
);

function apply(operation: Operation, heap: PagedHeap, model: Model, epoch: Epoch | null): void {
  switch (operation.kind) {
    case 'allocate': {
      const address = heap.allocate(operation.sizeBytes);
      if (address === NULL_ADDRESS) return;
      const bytes = Uint8Array.from({ length: operation.sizeBytes }, (_, index) => (operation.seed + index * 7) & 0xff);
      heap.copyIn(address, bytes, 0, bytes.length);
      model.live.set(address, bytes);
      model.order.push(address);
      return;
    }
    case 'free': {
      if (model.order.length === 0) return;
      const index = operation.pick % model.order.length;
      heap.free(model.order[index]);
      model.live.delete(model.order[index]);
      model.order.splice(index, 1);
      return;
    }
    case 'write': {
      if (model.order.length === 0) return;
      const address = model.order[operation.pick % model.order.length];
      const value = model.live.get(address) as Uint8Array;
      if (value.length === 0) return;
      const offset = operation.offsetPick % value.length;
      const length = Math.min(operation.bytes.length, value.length - offset);
      heap.copyIn(address + offset, operation.bytes, 0, length);
      value.set(operation.bytes.subarray(0, length), offset);
      return;
    }
    case 'setRoot': {
      const value = model.order.length === 0 ? NULL_ADDRESS : model.order[operation.pick % model.order.length];
      heap.setRoot(operation.slot, value);
      return;
    }
    case 'readPage': {
      if (epoch === null || epoch.unread.length === 0) return;
      const [pageNumber] = epoch.unread.splice(operation.pick % epoch.unread.length, 1);
      readOnePage(epoch, pageNumber);
      return;
    }
  }
}

function readOnePage(epoch: Epoch, pageNumber: number): void {
  const target = new Uint8Array(PAGE_SIZE_BYTES);
  const outcome = epoch.reader.readPage(pageNumber, target);
  epoch.outcomes.set(pageNumber, outcome === 'unused' ? 'unused' : target);
}

function frozenImages(heap: PagedHeap): Array<Uint8Array | 'unused'> {
  return Array.from({ length: heap.pageCount }, (_, pageNumber) => {
    const target = new Uint8Array(PAGE_SIZE_BYTES);
    return heap.readPageImage(pageNumber, target) ? target : 'unused';
  });
}

function openEpoch(heap: PagedHeap): Epoch {
  const share = heap.openEpoch();
  const reader = new EpochReader(structuredClone(share));
  return {
    share,
    reader,
    unread: Array.from({ length: share.pageCountAtStart }, (_, pageNumber) => pageNumber),
    outcomes: new Map(),
  };
}

/** Reads the remaining pages, checks them against the frozen images and restores from them. */
function finishAndCheck(epoch: Epoch, images: Array<Uint8Array | 'unused'>, frozenModel: Model, frozenStats: HeapStats): void {
  for (const pageNumber of epoch.unread.splice(0)) readOnePage(epoch, pageNumber);
  expect(epoch.outcomes.size).toBe(images.length);
  const pages: Array<{ pageNumber: number; bytes: Uint8Array }> = [];
  images.forEach((image, pageNumber) => {
    const outcome = epoch.outcomes.get(pageNumber);
    if (image === 'unused') {
      expect(outcome).toBe('unused');
    } else {
      expect(outcome).toEqual(image);
      pages.push({ pageNumber, bytes: outcome as Uint8Array });
    }
  });
  const layout = epoch.share.segments.map(({ firstPage, pageCount }) => ({ firstPage, pageCount }));
  const restored = restoreHeap(OPTIONS, layout, pages);
  restored.verifyIntegrity();
  const restoredStats = restored.stats();
  for (const key of ['pageCount', 'pagesInUse', 'bytesAllocated', 'allocationCount', 'metadataBytes'] as const) {
    expect(restoredStats[key]).toBe(frozenStats[key]);
  }
  for (const [address, bytes] of frozenModel.live) expect(restored.equalsBytes(address, bytes, 0, bytes.length)).toBe(true);
}

function freeze(model: Model): Model {
  return { live: new Map([...model.live].map(([address, bytes]) => [address, Uint8Array.from(bytes)])), order: [...model.order] };
}

describe('snapshot epochs', () => {
  test('the reader reproduces the heap as it was when the epoch opened, whatever main writes meanwhile', () => {
    fc.assert(
      fc.property(
        fc.array(operationArbitrary, { maxLength: 60 }),
        fc.array(operationArbitrary, { maxLength: 120 }),
        fc.boolean(),
        fc.array(operationArbitrary, { maxLength: 40 }),
        fc.array(operationArbitrary, { maxLength: 120 }),
        (before, during, isFirstAborted, between, duringSecond) => {
          const heap = createHeap(OPTIONS);
          const model: Model = { live: new Map(), order: [] };
          for (const operation of before) apply(operation, heap, model, null);

          for (const [operations, isAborted] of [
            [during, isFirstAborted],
            [duringSecond, false],
          ] as const) {
            const images = frozenImages(heap);
            const frozenModel = freeze(model);
            const frozenStats = heap.stats();
            const epoch = openEpoch(heap);
            const removeListener = heap.onShadowChunkAdded((chunk) => epoch.reader.addShadowChunk(chunk));
            expect(heap.isEpochOpen).toBe(true);
            for (const operation of operations) apply(operation, heap, model, epoch);
            if (!isAborted) finishAndCheck(epoch, images, frozenModel, frozenStats);
            removeListener();
            const copiedStats = heap.stats();
            expect(copiedStats.shadowPagesInUse).toBeLessThanOrEqual(copiedStats.shadowPagesPeak);
            if (!isAborted) expect(copiedStats.shadowPagesInUse).toBe(0);
            heap.closeEpoch();
            expect(heap.isEpochOpen).toBe(false);
            expect(heap.stats().shadowPagesInUse).toBe(0);
            for (const operation of between) apply(operation, heap, model, null);
          }
          for (const [address, bytes] of model.live) expect(heap.equalsBytes(address, bytes, 0, bytes.length)).toBe(true);
          heap.verifyIntegrity();
        },
      ),
      { numRuns: 150 },
    );
  });
});
