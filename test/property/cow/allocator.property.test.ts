import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { NULL_ADDRESS, type Address } from '../../../src/cow/heap.js';
import { createHeap, type PagedHeap } from '../../../src/cow/paged-heap.js';

// Tiny pages, tiny segments and a small maxmemory so growth, dedicated segments and exhaustion
// all happen within a few dozen commands.
const PAGE_SIZE_BYTES = 64;
const OPTIONS = { pageSizeBytes: PAGE_SIZE_BYTES, maxMemoryBytes: PAGE_SIZE_BYTES * 160, segmentPageCount: 8 } as const;

interface Model {
  readonly live: Map<Address, Uint8Array>;
  readonly order: Address[];
}

function checkAccounting(heap: PagedHeap): void {
  const stats = heap.stats();
  expect(stats.bytesAllocated + stats.bytesFree + stats.metadataBytes).toBe(stats.heapBytes);
  const report = heap.verifyIntegrity();
  expect(report.allocatedBytes).toBe(stats.bytesAllocated);
  expect(report.allocationCount).toBe(stats.allocationCount);
  expect(report.usedPageCount).toBe(stats.pagesInUse);
  expect(heap.pagesInUse).toBe(stats.pagesInUse);
  expect(
    report.allocatedBytes + report.freeSlotBytes + report.slabSlackBytes + report.freePageCount * PAGE_SIZE_BYTES + report.metadataBytes,
  ).toBe(stats.heapBytes);
}

class AllocateCommand implements fc.Command<Model, PagedHeap> {
  constructor(
    readonly sizeBytes: number,
    readonly seed: number,
  ) {}
  check(): boolean {
    return true;
  }
  run(model: Model, heap: PagedHeap): void {
    const isAllowed = heap.canAllocate(this.sizeBytes);
    const address = heap.allocate(this.sizeBytes);
    expect(address !== NULL_ADDRESS).toBe(isAllowed);
    if (address === NULL_ADDRESS) return;
    expect(address % 8).toBe(0);
    expect(model.live.has(address)).toBe(false);
    expect(heap.usableSize(address)).toBeGreaterThanOrEqual(this.sizeBytes);
    const bytes = Uint8Array.from({ length: this.sizeBytes }, (_, index) => (this.seed + index * 31) & 0xff);
    heap.copyIn(address, bytes, 0, bytes.length);
    model.live.set(address, bytes);
    model.order.push(address);
  }
  toString(): string {
    return `allocate(${this.sizeBytes})`;
  }
}

class FreeCommand implements fc.Command<Model, PagedHeap> {
  constructor(readonly pick: number) {}
  check(model: Model): boolean {
    return model.order.length > 0;
  }
  run(model: Model, heap: PagedHeap): void {
    const index = this.pick % model.order.length;
    const address = model.order[index];
    heap.free(address);
    model.live.delete(address);
    model.order.splice(index, 1);
  }
  toString(): string {
    return `free(#${this.pick})`;
  }
}

class WriteCommand implements fc.Command<Model, PagedHeap> {
  constructor(
    readonly pick: number,
    readonly offsetPick: number,
    readonly bytes: Uint8Array,
  ) {}
  check(model: Model): boolean {
    return model.order.length > 0;
  }
  run(model: Model, heap: PagedHeap): void {
    const address = model.order[this.pick % model.order.length];
    const value = model.live.get(address) as Uint8Array;
    if (value.length === 0) return;
    const offset = this.offsetPick % value.length;
    const length = Math.min(this.bytes.length, value.length - offset);
    heap.copyIn(address + offset, this.bytes, 0, length);
    value.set(this.bytes.subarray(0, length), offset);
    expect(heap.equalsBytes(address, value, 0, value.length)).toBe(true);
  }
  toString(): string {
    return `write(#${this.pick}, +${this.offsetPick}, ${this.bytes.length} bytes)`;
  }
}

class CheckCommand implements fc.Command<Model, PagedHeap> {
  check(): boolean {
    return true;
  }
  run(model: Model, heap: PagedHeap): void {
    for (const [address, bytes] of model.live) expect(heap.equalsBytes(address, bytes, 0, bytes.length)).toBe(true);
    checkAccounting(heap);
  }
  toString(): string {
    return 'check';
  }
}

const sizeArbitrary = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 3 * PAGE_SIZE_BYTES }) },
  { weight: 1, arbitrary: fc.integer({ min: 8 * PAGE_SIZE_BYTES, max: 30 * PAGE_SIZE_BYTES }) },
);

export const allocatorCommands = [
  fc.tuple(sizeArbitrary, fc.nat(255)).map(([size, seed]) => new AllocateCommand(size, seed)),
  fc.tuple(sizeArbitrary, fc.nat(255)).map(([size, seed]) => new AllocateCommand(size, seed)),
  fc.nat().map((pick) => new FreeCommand(pick)),
  fc.tuple(fc.nat(), fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 80 })).map(([pick, offset, bytes]) => new WriteCommand(pick, offset, bytes)),
  fc.constant(new CheckCommand()),
];

describe('allocator against a Map model', () => {
  test('contents always match and every byte is accounted for', () => {
    fc.assert(
      fc.property(fc.commands(allocatorCommands, { maxCommands: 200, size: 'max' }), (commands) => {
        const heap = createHeap(OPTIONS);
        const model: Model = { live: new Map(), order: [] };
        fc.modelRun(() => ({ model, real: heap }), commands);
        new CheckCommand().run(model, heap);
      }),
      { numRuns: 150 },
    );
  });

  test('freeing everything returns the heap to the empty state', () => {
    fc.assert(
      fc.property(fc.commands(allocatorCommands, { maxCommands: 200, size: 'max' }), (commands) => {
        const heap = createHeap(OPTIONS);
        const model: Model = { live: new Map(), order: [] };
        fc.modelRun(() => ({ model, real: heap }), commands);
        for (const address of model.order) heap.free(address);
        const stats = heap.stats();
        const fresh = createHeap(OPTIONS).stats();
        expect(stats.bytesAllocated).toBe(0);
        expect(stats.allocationCount).toBe(0);
        expect(stats.pagesInUse * PAGE_SIZE_BYTES).toBe(stats.metadataBytes);
        expect(stats.bytesFree).toBe(stats.heapBytes - stats.metadataBytes);
        if (stats.segmentCount === fresh.segmentCount) expect(stats).toEqual(fresh);
        const report = heap.verifyIntegrity();
        expect(report.freePageCount * PAGE_SIZE_BYTES + report.metadataBytes).toBe(stats.heapBytes);
      }),
      { numRuns: 150 },
    );
  });
});
