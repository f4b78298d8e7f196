import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ShadowPool } from '../../../src/cow/shadow-pool.js';

function page(byte: number): Uint8Array {
  return new Uint8Array(64).fill(byte);
}

describe('ShadowPool', () => {
  test('save() copies a page into a slot of a preallocated chunk', () => {
    const pool = new ShadowPool(64, 4);
    const slot = pool.save(page(7), 0);
    const chunk = new Uint8Array(pool.chunks[0]);
    expect([...chunk.subarray(slot * 64, slot * 64 + 64)].every((byte) => byte === 7)).toBe(true);
    expect(pool.inUseCount).toBe(1);
  });

  test('released slots are reused and the pool grows by a chunk only when all are taken', () => {
    const pool = new ShadowPool(64, 2);
    const added: number[] = [];
    pool.onChunkAdded((_chunk, chunkIndex) => added.push(chunkIndex));
    const first = pool.save(page(1), 0);
    pool.save(page(2), 0);
    pool.release(first);
    expect(pool.save(page(3), 0)).toBe(first);
    expect(added).toEqual([]);
    const grown = pool.save(page(4), 0);
    expect(added).toEqual([1]);
    expect(pool.pageCount).toBe(4);
    expect(Math.floor(grown / 2)).toBe(1);
    expect(pool.peakInUseCount).toBe(3);
  });

  test('releaseAll() frees every slot and keeps the peak until resetPeak()', () => {
    const pool = new ShadowPool(64, 2);
    for (let index = 0; index < 5; index++) pool.save(page(index), 0);
    pool.releaseAll();
    expect(pool.inUseCount).toBe(0);
    expect(pool.peakInUseCount).toBe(5);
    pool.resetPeak();
    expect(pool.peakInUseCount).toBe(0);
    const slots = new Set(Array.from({ length: pool.pageCount }, (_, index) => pool.save(page(index), 0)));
    expect(slots.size).toBe(pool.pageCount);
  });

  test('a removed listener hears no more chunks', () => {
    const pool = new ShadowPool(64, 1);
    const added: number[] = [];
    const remove = pool.onChunkAdded((_chunk, chunkIndex) => added.push(chunkIndex));
    pool.save(page(1), 0);
    pool.save(page(2), 0);
    remove();
    pool.save(page(3), 0);
    expect(added).toEqual([1]);
  });
});

test('ShadowPool refuses a slot released twice', () => {
  const pool = new ShadowPool(64, 2);
  const slot = pool.save(page(1), 0);
  pool.release(slot);
  expect(() => pool.release(slot)).toThrow(/not in use/);
});

test('ShadowPool.reset() shrinks the pool back to its first chunk with every slot free', () => {
  const pool = new ShadowPool(64, 2);
  for (let index = 0; index < 5; index++) pool.save(page(index), 0);
  expect(pool.chunks.length).toBe(3);
  pool.reset();
  expect(pool.chunks.length).toBe(1);
  expect(pool.pageCount).toBe(2);
  expect(pool.inUseCount).toBe(0);
  const slots = [pool.save(page(1), 0), pool.save(page(2), 0)].sort();
  expect(slots).toEqual([0, 1]);
  expect(pool.chunks.length).toBe(1);
});

test('ShadowPool.reset() of a pool whose slots are all free already still hands out distinct slots', () => {
  const pool = new ShadowPool(64, 2);
  pool.release(pool.save(page(1), 0));
  pool.reset();
  const slots = [pool.save(page(1), 0), pool.save(page(2), 0)].sort();
  expect(slots).toEqual([0, 1]);
});

test('ShadowPool against a model: save never hands out a slot in use, and counts agree (property)', () => {
  type Step = { kind: 'save' } | { kind: 'release'; pick: number } | { kind: 'releaseAll' } | { kind: 'reset' };
  const step = fc.oneof(
    { weight: 6, arbitrary: fc.constant<Step>({ kind: 'save' }) },
    { weight: 4, arbitrary: fc.nat(1000).map((pick): Step => ({ kind: 'release', pick })) },
    { weight: 1, arbitrary: fc.constant<Step>({ kind: 'releaseAll' }) },
    { weight: 1, arbitrary: fc.constant<Step>({ kind: 'reset' }) },
  );
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 3 }), fc.array(step, { maxLength: 60 }), (chunkPageCount, steps) => {
      const pool = new ShadowPool(64, chunkPageCount);
      const inUse = new Set<number>();
      for (const current of steps) {
        if (current.kind === 'save') {
          const slot = pool.save(page(1), 0);
          expect(inUse.has(slot)).toBe(false);
          expect(slot).toBeGreaterThanOrEqual(0);
          expect(slot).toBeLessThan(pool.pageCount);
          inUse.add(slot);
        } else if (current.kind === 'release') {
          if (inUse.size === 0) continue;
          const slot = [...inUse][current.pick % inUse.size];
          pool.release(slot);
          inUse.delete(slot);
        } else {
          if (current.kind === 'reset') pool.reset();
          else pool.releaseAll();
          inUse.clear();
        }
        expect(pool.inUseCount).toBe(inUse.size);
      }
    }),
  );
});
