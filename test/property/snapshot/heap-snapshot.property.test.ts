/**
 * Point-in-time property at the heap level, for every strategy, in-process and deterministic:
 * allocate/write/free bytes (a Map of allocations is the model), take a snapshot at any point,
 * interleave further heap writes with writer steps, and the loaded snapshot holds exactly the
 * allocations as they were at the snapshot point. Tiny pages, tiny segments and a tiny shadow
 * pool make writes cross pages, grow the heap mid-snapshot and grow the shadow pool.
 */

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { createHeap, type PagedHeap } from '../../../src/cow/paged-heap.js';
import { InProcessSnapshot } from '../../../src/snapshot/in-process-snapshot.js';
import { loadSnapshotHeap } from '../../../src/snapshot/loader.js';
import { takeSnapshotPoint } from '../../../src/snapshot/snapshot-point.js';
import { SNAPSHOT_STRATEGY_NAMES, type SnapshotStrategyName } from '../../../src/snapshot/strategy.js';
import { tempFileNameFor } from '../../../src/snapshot/writer-core.js';
import { makeTempDirectory } from '../../fixtures/snapshot/snapshot-fixtures.js';

const HEAP_OPTIONS = { pageSizeBytes: 64, maxMemoryBytes: 0, segmentPageCount: 24, shadowPoolPageCount: 2 };
const ALLOCATION_BYTES_MAX = 300;

type Model = Map<number, Uint8Array>;

type HeapOperation =
  | { readonly kind: 'allocate'; readonly sizeBytes: number; readonly seed: number }
  | { readonly kind: 'write'; readonly pick: number; readonly offsetFraction: number; readonly bytes: Uint8Array }
  | { readonly kind: 'free'; readonly pick: number }
  | { readonly kind: 'step'; readonly pageBudget: number };

const operation: fc.Arbitrary<HeapOperation> = fc.oneof(
  fc.record({ kind: fc.constant('allocate' as const), sizeBytes: fc.integer({ min: 1, max: ALLOCATION_BYTES_MAX }), seed: fc.nat(255) }),
  fc.record({
    kind: fc.constant('write' as const),
    pick: fc.nat(),
    offsetFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 100 }),
  }),
  fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('step' as const), pageBudget: fc.integer({ min: 1, max: 8 }) }),
);

function applyOperation(heap: PagedHeap, model: Model, op: HeapOperation): void {
  const addresses = [...model.keys()];
  switch (op.kind) {
    case 'allocate': {
      const address = heap.allocate(op.sizeBytes);
      expect(address).not.toBe(0);
      const bytes = new Uint8Array(op.sizeBytes).map((_, index) => (op.seed + index) & 0xff);
      heap.copyIn(address, bytes, 0, bytes.length);
      model.set(address, bytes);
      return;
    }
    case 'write': {
      if (addresses.length === 0) return;
      const address = addresses[op.pick % addresses.length];
      const current = model.get(address) as Uint8Array;
      const offset = Math.min(current.length - 1, Math.floor(op.offsetFraction * current.length));
      const length = Math.min(op.bytes.length, current.length - offset);
      heap.copyIn(address + offset, op.bytes, 0, length);
      const next = Uint8Array.from(current);
      next.set(op.bytes.subarray(0, length), offset);
      model.set(address, next);
      return;
    }
    case 'free': {
      if (addresses.length === 0) return;
      const address = addresses[op.pick % addresses.length];
      heap.free(address);
      model.delete(address);
      return;
    }
    case 'step':
      return; // only meaningful while a snapshot runs
  }
}

let temp: { directory: string; remove: () => void };
beforeAll(() => {
  temp = makeTempDirectory();
});
afterAll(() => temp.remove());

describe('heap snapshots', () => {
  test.each(SNAPSHOT_STRATEGY_NAMES)(
    'a %s snapshot loads as the heap was at the snapshot point, whatever writes interleave',
    (strategy: SnapshotStrategyName) => {
      let runIndex = 0;
      let pagesCopiedMax = 0;
      let heapGrewDuringSnapshot = false;
      fc.assert(
        fc.property(
          fc.array(operation, { maxLength: 40 }),
          fc.array(operation, { maxLength: 60 }),
          (before, after) => {
            runIndex += 1;
            const heap = createHeap(HEAP_OPTIONS);
            const model: Model = new Map();
            for (const op of before) applyOperation(heap, model, op);
            const frozen = new Map(model);
            const point = takeSnapshotPoint(heap, {
              strategy,
              keyCountsPerDb: [model.size],
              checksums: runIndex % 2 === 0,
              createdAtMs: 0,
            });
            const snapshot = new InProcessSnapshot(point, {
              directory: temp.directory,
              fileName: `${strategy}.snap`,
              tempFileName: tempFileNameFor(runIndex),
            });
            let result = strategy === 'stw' ? snapshot.runToEnd(1000) : 'more';
            for (const op of after) {
              if (op.kind === 'step' && result === 'more') result = snapshot.step(op.pageBudget);
              applyOperation(heap, model, op);
            }
            while (result === 'more') result = snapshot.step(3);
            pagesCopiedMax = Math.max(pagesCopiedMax, snapshot.copyStats().pagesCopied);
            heapGrewDuringSnapshot ||= heap.pageCount > point.header.pageCount;
            expect(snapshot.failure).toBeNull();
            expect(result).toBe('done');
            expect(heap.isEpochOpen).toBe(false);

            const loaded = loadSnapshotHeap(snapshot.finalPath, { heapOptions: { maxMemoryBytes: 0, segmentPageCount: 24 } });
            expect(loaded.status).toBe('ok');
            if (loaded.status !== 'ok') return;
            loaded.heap.verifyIntegrity();
            expect(loaded.heap.stats().allocationCount).toBe(frozen.size);
            for (const [address, bytes] of frozen) {
              expect(loaded.heap.readBytes(address, bytes.length)).toEqual(Buffer.from(bytes));
            }
            // The live heap kept every write made during the snapshot.
            for (const [address, bytes] of model) expect(heap.readBytes(address, bytes.length)).toEqual(Buffer.from(bytes));
          },
        ),
        { numRuns: 150 },
      );
      // The runs exercised what they are meant to: copies beyond the first shadow chunk (cow),
      // and pages that did not exist at the snapshot point.
      if (strategy === 'cow') expect(pagesCopiedMax).toBeGreaterThan(HEAP_OPTIONS.shadowPoolPageCount);
      expect(heapGrewDuringSnapshot).toBe(true);
    },
  );
});
