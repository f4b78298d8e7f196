/**
 * Point-in-time property with the real writer worker and real concurrency: the main thread keeps
 * allocating, writing and freeing heap bytes while the worker writes a cow (or copy) snapshot;
 * the loaded file must equal the model as it was at the snapshot point.
 * Needs the compiled worker (dist/src/snapshot/writer-worker.js): run after `tsc` (npm test).
 * Interleavings here are not replayable (threads); the in-process property covers replay.
 */

import * as fs from 'node:fs';

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { createHeap, type PagedHeap } from '../../../src/cow/paged-heap.js';
import { Store } from '../../../src/store/store.js';
import { BackgroundSnapshot, writerWorkerUrl } from '../../../src/snapshot/bgsave.js';
import { loadSnapshotHeap, loadSnapshotStore } from '../../../src/snapshot/loader.js';
import { takeSnapshotPoint } from '../../../src/snapshot/snapshot-point.js';
import { tempFileNameFor } from '../../../src/snapshot/writer-core.js';
import { makeTempDirectory } from '../../fixtures/snapshot/snapshot-fixtures.js';

/** Sources the worker thread runs compiled. */
const WORKER_SOURCES = [
  'src/cow/snapshot-epoch.ts',
  'src/snapshot/writer-worker.ts',
  'src/snapshot/writer-core.ts',
  'src/snapshot/epoch-page-source.ts',
  'src/snapshot/page-source.ts',
  'src/snapshot/format.ts',
];

const HEAP_OPTIONS = { pageSizeBytes: 256, maxMemoryBytes: 0, segmentPageCount: 512, shadowPoolPageCount: 8 };
const INITIAL_ALLOCATION_COUNT = 1000;
const OPERATIONS_PER_BURST = 40;
const BURST_COUNT_MAX = 10_000;

/** A small deterministic generator so each run's writes follow from its fast-check seed. */
function makeRandom(seed: number): (limit: number) => number {
  let state = seed >>> 0 || 1;
  return (limit) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % limit;
  };
}

/** Allocations: the address list makes picking one O(1). */
class Model {
  readonly bytesByAddress = new Map<number, Uint8Array>();
  readonly addresses: number[] = [];

  add(address: number, bytes: Uint8Array): void {
    if (!this.bytesByAddress.has(address)) this.addresses.push(address);
    this.bytesByAddress.set(address, bytes);
  }

  removeAt(index: number): number {
    const address = this.addresses[index];
    this.addresses[index] = this.addresses[this.addresses.length - 1];
    this.addresses.pop();
    this.bytesByAddress.delete(address);
    return address;
  }
}

function randomOperation(heap: PagedHeap, model: Model, random: (limit: number) => number): void {
  const choice = random(10);
  if (choice < 3 || model.addresses.length === 0) {
    const sizeBytes = 1 + random(700);
    const address = heap.allocate(sizeBytes);
    const bytes = new Uint8Array(sizeBytes).map(() => random(256));
    heap.copyIn(address, bytes, 0, sizeBytes);
    model.add(address, bytes);
  } else if (choice < 8) {
    const address = model.addresses[random(model.addresses.length)];
    const current = Uint8Array.from(model.bytesByAddress.get(address) as Uint8Array);
    const offset = random(current.length);
    const length = 1 + random(current.length - offset);
    const bytes = new Uint8Array(length).map(() => random(256));
    heap.copyIn(address + offset, bytes, 0, length);
    current.set(bytes, offset);
    model.add(address, current);
  } else {
    heap.free(model.removeAt(random(model.addresses.length)));
  }
}

/** Addresses whose heap bytes differ from the model's (one expect per run keeps this fast). */
function differingAddresses(heap: PagedHeap, expected: ReadonlyMap<number, Uint8Array>): number[] {
  const differing: number[] = [];
  for (const [address, bytes] of expected) {
    if (!heap.equalsBytes(address, bytes, 0, bytes.length)) differing.push(address);
  }
  return differing;
}

let temp: { directory: string; remove: () => void };
beforeAll(() => {
  temp = makeTempDirectory();
});
afterAll(() => temp.remove());

describe('background snapshots in a worker thread', () => {
  test('the compiled worker exists and is not older than its sources (run `tsc` first)', () => {
    expect(fs.existsSync(writerWorkerUrl())).toBe(true);
    // The worker runs dist/ code against this thread's src/ code: they must be the same build.
    const stale = WORKER_SOURCES.filter((source) => {
      const compiled = new URL(`../../../dist/${source.replace(/\.ts$/, '.js')}`, import.meta.url);
      const original = new URL(`../../../${source}`, import.meta.url);
      return !fs.existsSync(compiled) || fs.statSync(compiled).mtimeMs < fs.statSync(original).mtimeMs;
    });
    expect(stale, 'stale compiled files: run `npx tsc -p tsconfig.json`').toEqual([]);
  });

  test.each(['cow', 'copy'] as const)(
    'a %s snapshot written by the worker loads as the heap was at the snapshot point while writes continue',
    async (strategy) => {
      let runIndex = 0;
      let pagesCopiedTotal = 0;
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
          runIndex += 1;
          const random = makeRandom(seed);
          const heap = createHeap(HEAP_OPTIONS);
          const model = new Model();
          for (let index = 0; index < INITIAL_ALLOCATION_COUNT; index += 1) randomOperation(heap, model, random);
          const frozen = new Map(model.bytesByAddress);
          const point = takeSnapshotPoint(heap, { strategy, keyCountsPerDb: [frozen.size], checksums: true, createdAtMs: 0 });
          const snapshot = BackgroundSnapshot.start({
            point,
            directory: temp.directory,
            fileName: `worker-${strategy}.snap`,
            tempFileName: tempFileNameFor(runIndex),
            stepPageBudget: 8,
          });
          let burstCount = 0;
          while (snapshot.isRunning && burstCount < BURST_COUNT_MAX) {
            for (let index = 0; index < OPERATIONS_PER_BURST; index += 1) randomOperation(heap, model, random);
            burstCount += 1;
            await new Promise((resolve) => setImmediate(resolve));
          }
          const outcome = await snapshot.finished;
          expect(outcome.failure).toBeNull();
          expect(outcome.status).toBe('ok');
          expect(heap.isEpochOpen).toBe(false);
          pagesCopiedTotal += outcome.copyStats.pagesCopied;

          const loaded = loadSnapshotHeap(`${temp.directory}/worker-${strategy}.snap`, { heapOptions: { maxMemoryBytes: 0 } });
          expect(loaded.status).toBe('ok');
          if (loaded.status !== 'ok') return;
          loaded.heap.verifyIntegrity();
          expect(loaded.heap.stats().allocationCount).toBe(frozen.size);
          expect(differingAddresses(loaded.heap, frozen)).toEqual([]);
          // The live heap kept every write made during the snapshot.
          expect(differingAddresses(heap, model.bytesByAddress)).toEqual([]);
        }),
        { numRuns: 8 },
      );
      expect(pagesCopiedTotal).toBeGreaterThan(0);
    },
  );

  test.each(['cow', 'copy'] as const)(
    'a %s snapshot of a store busy with SET, APPEND and DEL loads as the keyspace was at the snapshot point',
    async (strategy) => {
      let runIndex = 0;
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
          runIndex += 1;
          const random = makeRandom(seed);
          const heap = createHeap({ pageSizeBytes: 512, maxMemoryBytes: 0, segmentPageCount: 128, shadowPoolPageCount: 8 });
          const store = Store.create(heap, { databases: 2, clock: () => STORE_NOW_MS, hashSeed: seed });
          const model: Map<string, string>[] = [new Map(), new Map()];
          for (let index = 0; index < 3000; index += 1) randomStoreCommand(store, model, random);
          const frozen = model.map((db) => new Map(db));
          const point = takeSnapshotPoint(heap, {
            strategy,
            keyCountsPerDb: store.keyCountsPerDb(),
            checksums: true,
            createdAtMs: STORE_NOW_MS,
          });
          const fileName = `store-worker-${strategy}.snap`;
          const snapshot = BackgroundSnapshot.start({
            point,
            directory: temp.directory,
            fileName,
            tempFileName: tempFileNameFor(1000 + runIndex),
            stepPageBudget: 4,
          });
          while (snapshot.isRunning) {
            for (let index = 0; index < OPERATIONS_PER_BURST; index += 1) randomStoreCommand(store, model, random);
            await new Promise((resolve) => setImmediate(resolve));
          }
          const outcome = await snapshot.finished;
          expect(outcome.failure).toBeNull();
          const loaded = loadSnapshotStore(`${temp.directory}/${fileName}`, {
            heapOptions: { maxMemoryBytes: 0 },
            storeOptions: { databases: 2, clock: () => STORE_NOW_MS },
          });
          expect(loaded.status).toBe('ok');
          if (loaded.status !== 'ok') return;
          expect(stringKeyspaceOf(loaded.store)).toEqual(frozen);
          expect(stringKeyspaceOf(store)).toEqual(model);
        }),
        { numRuns: 5 },
      );
    },
  );
});

const STORE_NOW_MS = 1_700_000_000_000;
const STORE_KEY_COUNT = 400;

function randomStoreCommand(store: Store, model: Map<string, string>[], random: (limit: number) => number): void {
  const db = random(2);
  const key = `key:${random(STORE_KEY_COUNT)}`;
  const choice = random(10);
  if (choice < 6) {
    const value = 'v'.repeat(random(900)) + String(random(1000));
    expect(store.set(db, Buffer.from(key), Buffer.from(value)).status).toBe('ok');
    model[db].set(key, value);
  } else if (choice < 8) {
    const suffix = 'a'.repeat(1 + random(200));
    expect(store.append(db, Buffer.from(key), Buffer.from(suffix)).status).toBe('ok');
    model[db].set(key, (model[db].get(key) ?? '') + suffix);
  } else {
    expect(store.del(db, Buffer.from(key))).toBe(model[db].delete(key));
  }
}

function stringKeyspaceOf(store: Store): Map<string, string>[] {
  return [0, 1].map((db) => {
    const entries = new Map<string, string>();
    store.forEachEntry(db, (entry) => entries.set(entry.key.toString(), entry.value.toString()));
    return entries;
  });
}
