/**
 * Unit tests of the Store facade: Redis semantics of the string and keyspace commands,
 * lazy and active expiry, OOM behaviour, attach, SWAPDB, digest and the modification listener.
 */
import { describe, expect, test } from 'vitest';
import { createHeap } from '../../../src/cow/paged-heap.js';
import { Store, type StoreOptions } from '../../../src/store/store.js';

function bytes(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

function makeStore(options: StoreOptions & { pageSizeBytes?: number; maxMemoryBytes?: number } = {}): { store: Store; now: { ms: number } } {
  const now = { ms: 1_700_000_000_000 };
  const heap = createHeap({ pageSizeBytes: options.pageSizeBytes ?? 4096, maxMemoryBytes: options.maxMemoryBytes ?? 0, segmentPageCount: 64 });
  const store = Store.create(heap, { hashSeed: 7, clock: () => now.ms, ...options });
  return { store, now };
}

function getText(store: Store, db: number, key: string): string | null {
  const result = store.get(db, bytes(key));
  return result.status === 'ok' ? result.value.toString('latin1') : null;
}

describe('strings', () => {
  test('set() then get() returns the value, and a missing key is missing', () => {
    const { store } = makeStore();
    expect(store.set(0, bytes('k'), bytes('v')).status).toBe('ok');
    expect(getText(store, 0, 'k')).toBe('v');
    expect(store.get(0, bytes('nope')).status).toBe('missing');
    expect(store.stats().keyspaceHits).toBe(1);
    expect(store.stats().keyspaceMisses).toBe(1);
  });
});
