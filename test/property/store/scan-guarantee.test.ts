/**
 * SCAN's guarantee, as a property: every key present for the whole scan is returned at least
 * once, even when inserts and deletes between SCAN calls grow, shrink and rehash the table
 * (Redis's reverse-binary cursor). Runs on 64-byte pages so tables resize after a few keys.
 * Replay: fast-check prints the seed and path of a failure; pass them to fc.assert's options.
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { createHeap } from '../../../src/cow/paged-heap.js';
import { Store } from '../../../src/store/store.js';

type Churn =
  | { readonly kind: 'insert'; readonly id: number }
  | { readonly kind: 'delete'; readonly id: number }
  | { readonly kind: 'rehash'; readonly budget: number };

const churnArb: fc.Arbitrary<Churn> = fc.oneof(
  { weight: 4, arbitrary: fc.nat({ max: 300 }).map((id) => ({ kind: 'insert' as const, id })) },
  { weight: 4, arbitrary: fc.nat({ max: 300 }).map((id) => ({ kind: 'delete' as const, id })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 8 }).map((budget) => ({ kind: 'rehash' as const, budget })) },
);

function stableKey(id: number): Buffer {
  return Buffer.from(`stable:${id}`);
}

function churnKey(id: number): Buffer {
  return Buffer.from(`churn:${id}`);
}

test('a full SCAN returns every key present throughout, across resizes and rehashing', () => {
  let callsWhileRehashing = 0;
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 80 }),
    fc.integer({ min: 0, max: 150 }),
    fc.array(fc.array(churnArb, { maxLength: 20, size: 'max' }), { maxLength: 200, size: 'max' }),
    fc.integer({ min: 1, max: 6 }),
    (stableCount, initialChurnCount, churnBetweenCalls, count) => {
      const heap = createHeap({ pageSizeBytes: 64, maxMemoryBytes: 0, segmentPageCount: 64 });
      const store = Store.create(heap, { databases: 1, hashSeed: 3 });
      for (let id = 0; id < stableCount; id++) store.set(0, stableKey(id), Buffer.from('v'));
      for (let id = 0; id < initialChurnCount; id++) store.set(0, churnKey(id), Buffer.from('w'));
      const seen = new Set<string>();
      let cursor = 0;
      let call = 0;
      do {
        if (store.stats().isRehashing) callsWhileRehashing++;
        const result = store.scan(0, cursor, { count });
        for (const key of result.keys) seen.add(key.toString());
        cursor = result.cursor;
        for (const churn of churnBetweenCalls[call % Math.max(1, churnBetweenCalls.length)] ?? []) {
          if (churn.kind === 'insert') store.set(0, churnKey(churn.id), Buffer.from('w'));
          else if (churn.kind === 'delete') store.del(0, churnKey(churn.id));
          else store.rehashStep(churn.budget);
        }
        call++;
        expect(call).toBeLessThan(100_000);
      } while (cursor !== 0);
      for (let id = 0; id < stableCount; id++) expect(seen.has(stableKey(id).toString())).toBe(true);
    },
  ), { numRuns: 150 });
  // The property is only meaningful if scans really ran while tables were being rehashed.
  expect(callsWhileRehashing).toBeGreaterThan(0);
});
