/**
 * The point-in-time property at the store level, in-process and deterministic, for every
 * strategy: random store commands against a model (a Map per database); BeginSnapshot freezes a
 * copy of the model; further commands interleave with StepSnapshot(n); when the writer is done,
 * the loaded snapshot equals the frozen copy, key for key, including expiry times.
 * Tiny pages (128 B) and segments (32 pages), a 2-page shadow pool: writes hit many pages, the
 * heap grows mid-snapshot and the shadow pool grows. A failing run prints its seed and path.
 */

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { createHeap, type PagedHeap } from '../../../src/cow/paged-heap.js';
import { Store } from '../../../src/store/store.js';
import { InProcessSnapshot } from '../../../src/snapshot/in-process-snapshot.js';
import { loadSnapshotStore } from '../../../src/snapshot/loader.js';
import { takeSnapshotPoint } from '../../../src/snapshot/snapshot-point.js';
import { SNAPSHOT_STRATEGY_NAMES, type SnapshotStrategyName } from '../../../src/snapshot/strategy.js';
import { tempFileNameFor } from '../../../src/snapshot/writer-core.js';
import { makeTempDirectory } from '../../fixtures/snapshot/snapshot-fixtures.js';

const TEST_PAGE_SIZE_BYTES = 128;
const HEAP_OPTIONS = { pageSizeBytes: TEST_PAGE_SIZE_BYTES, maxMemoryBytes: 0, segmentPageCount: 32, shadowPoolPageCount: 2 };
const DATABASE_COUNT = 2;
const NOW_MS = 1_700_000_000_000;

/** What a key holds: its value (hex, for cheap comparison) and its absolute expiry or -1. */
interface ModelEntry {
  readonly valueHex: string;
  readonly expireAtMs: number;
}
type Keyspace = Map<string, ModelEntry>[];

interface Model {
  readonly dbs: Keyspace;
  frozen: Keyspace | null;
}

interface Real {
  readonly heap: PagedHeap;
  readonly store: Store;
  readonly strategy: SnapshotStrategyName;
  readonly directory: string;
  snapshot: InProcessSnapshot | null;
  snapshotIndex: number;
  snapshotsVerified: number;
}

function copyKeyspace(dbs: Keyspace): Keyspace {
  return dbs.map((db) => new Map(db));
}

/** The keyspace of a store as the model shows it. */
function keyspaceOf(store: Store): Keyspace {
  const dbs: Keyspace = [];
  for (let db = 0; db < DATABASE_COUNT; db += 1) {
    const entries = new Map<string, ModelEntry>();
    store.forEachEntry(db, (entry) => {
      entries.set(entry.key.toString('latin1'), { valueHex: entry.value.toString('hex'), expireAtMs: entry.expireAtMs });
    });
    dbs.push(entries);
  }
  return dbs;
}

/** Loads the finished snapshot and compares it with the frozen model. */
function verifySnapshot(model: Model, real: Real): void {
  const snapshot = real.snapshot as InProcessSnapshot;
  expect(snapshot.failure).toBeNull();
  const loaded = loadSnapshotStore(snapshot.finalPath, {
    heapOptions: { maxMemoryBytes: 0, segmentPageCount: 32 },
    storeOptions: { clock: () => NOW_MS, databases: DATABASE_COUNT },
  });
  expect(loaded.status).toBe('ok');
  if (loaded.status !== 'ok') return;
  expect(keyspaceOf(loaded.store)).toEqual(model.frozen);
  expect(loaded.header.keyCountsPerDb).toEqual((model.frozen as Keyspace).map((db) => db.size));
  expect(real.heap.isEpochOpen).toBe(false);
  real.snapshot = null;
  model.frozen = null;
  real.snapshotsVerified += 1;
}

const keyArbitrary = fc.constantFrom(...'abcdefghijklmnop'.split('').map((letter) => `key:${letter}`));
const dbArbitrary = fc.nat(DATABASE_COUNT - 1);
const valueArbitrary = fc.uint8Array({ maxLength: 3 * TEST_PAGE_SIZE_BYTES });

class SetCommand implements fc.Command<Model, Real> {
  constructor(readonly db: number, readonly key: string, readonly value: Uint8Array, readonly ttlMs: number | null) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    const expireAtMs = this.ttlMs === null ? -1 : NOW_MS + this.ttlMs;
    const options = this.ttlMs === null ? {} : { expireAtMs };
    expect(real.store.set(this.db, Buffer.from(this.key), this.value, options).status).toBe('ok');
    model.dbs[this.db].set(this.key, { valueHex: Buffer.from(this.value).toString('hex'), expireAtMs });
  }
  toString(): string {
    return `SET db${this.db} ${this.key} <${this.value.length} bytes>${this.ttlMs === null ? '' : ` PX ${this.ttlMs}`}`;
  }
}

class AppendCommand implements fc.Command<Model, Real> {
  constructor(readonly db: number, readonly key: string, readonly value: Uint8Array) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    const result = real.store.append(this.db, Buffer.from(this.key), this.value);
    expect(result.status).toBe('ok');
    const current = model.dbs[this.db].get(this.key);
    const valueHex = (current?.valueHex ?? '') + Buffer.from(this.value).toString('hex');
    model.dbs[this.db].set(this.key, { valueHex, expireAtMs: current?.expireAtMs ?? -1 });
  }
  toString(): string {
    return `APPEND db${this.db} ${this.key} <${this.value.length} bytes>`;
  }
}

class DelCommand implements fc.Command<Model, Real> {
  constructor(readonly db: number, readonly key: string) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    expect(real.store.del(this.db, Buffer.from(this.key))).toBe(model.dbs[this.db].delete(this.key));
  }
  toString(): string {
    return `DEL db${this.db} ${this.key}`;
  }
}

class FlushDbCommand implements fc.Command<Model, Real> {
  constructor(readonly db: number) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    real.store.flushDb(this.db);
    model.dbs[this.db].clear();
  }
  toString(): string {
    return `FLUSHDB db${this.db}`;
  }
}

class BeginSnapshotCommand implements fc.Command<Model, Real> {
  constructor(readonly checksums: boolean) {}
  check(model: Readonly<Model>): boolean {
    return model.frozen === null;
  }
  run(model: Model, real: Real): void {
    real.snapshotIndex += 1;
    const point = takeSnapshotPoint(real.heap, {
      strategy: real.strategy,
      keyCountsPerDb: real.store.keyCountsPerDb(),
      checksums: this.checksums,
      createdAtMs: NOW_MS,
    });
    model.frozen = copyKeyspace(model.dbs);
    real.snapshot = new InProcessSnapshot(point, {
      directory: real.directory,
      fileName: `store-${real.strategy}.snap`,
      tempFileName: tempFileNameFor(real.snapshotIndex),
    });
    // Stop the world: nothing may run between the snapshot point and the end of the write.
    if (real.strategy === 'stw') {
      expect(real.snapshot.runToEnd(64)).toBe('done');
      verifySnapshot(model, real);
    }
  }
  toString(): string {
    return `BeginSnapshot(checksums=${this.checksums})`;
  }
}

class StepSnapshotCommand implements fc.Command<Model, Real> {
  constructor(readonly pageBudget: number) {}
  check(model: Readonly<Model>): boolean {
    return model.frozen !== null;
  }
  run(model: Model, real: Real): void {
    const result = (real.snapshot as InProcessSnapshot).step(this.pageBudget);
    expect(result).not.toBe('failed');
    if (result === 'done') verifySnapshot(model, real);
  }
  toString(): string {
    return `StepSnapshot(${this.pageBudget})`;
  }
}

const commands = fc.commands(
  [
    fc.tuple(dbArbitrary, keyArbitrary, valueArbitrary, fc.option(fc.integer({ min: 1, max: 10 ** 9 }), { freq: 4 })).map(
      ([db, key, value, ttlMs]) => new SetCommand(db, key, value, ttlMs),
    ),
    fc.tuple(dbArbitrary, keyArbitrary, fc.uint8Array({ minLength: 1, maxLength: TEST_PAGE_SIZE_BYTES })).map(
      ([db, key, value]) => new AppendCommand(db, key, value),
    ),
    fc.tuple(dbArbitrary, keyArbitrary).map(([db, key]) => new DelCommand(db, key)),
    dbArbitrary.map((db) => new FlushDbCommand(db)),
    fc.boolean().map((checksums) => new BeginSnapshotCommand(checksums)),
    fc.integer({ min: 1, max: 12 }).map((pageBudget) => new StepSnapshotCommand(pageBudget)),
  ],
  { maxCommands: 200, size: 'large' },
);

let temp: { directory: string; remove: () => void };
beforeAll(() => {
  temp = makeTempDirectory();
});
afterAll(() => temp.remove());

describe('store snapshots', () => {
  test.each(SNAPSHOT_STRATEGY_NAMES)(
    'a %s snapshot loads as the keyspace was at the snapshot point, whatever commands interleave',
    (strategy: SnapshotStrategyName) => {
      let snapshotsVerified = 0;
      let commandsRun = 0;
      fc.assert(
        fc.property(commands, (cmds) => {
          const setup = (): { model: Model; real: Real } => {
            const heap = createHeap(HEAP_OPTIONS);
            const store = Store.create(heap, { clock: () => NOW_MS, databases: DATABASE_COUNT, hashSeed: 42 });
            const model: Model = { dbs: Array.from({ length: DATABASE_COUNT }, () => new Map()), frozen: null };
            const real: Real = { heap, store, strategy, directory: temp.directory, snapshot: null, snapshotIndex: 0, snapshotsVerified: 0 };
            lastRun = { model, real };
            return lastRun;
          };
          let lastRun: { model: Model; real: Real } | null = null;
          fc.modelRun(setup, cmds);
          const { model, real } = lastRun as unknown as { model: Model; real: Real };
          // Finish a snapshot still running when the commands ran out, then check it.
          if (real.snapshot !== null) {
            expect(real.snapshot.runToEnd(7)).toBe('done');
            verifySnapshot(model, real);
          }
          expect(keyspaceOf(real.store)).toEqual(model.dbs);
          snapshotsVerified += real.snapshotsVerified;
          commandsRun += [...cmds].length;
        }),
        // stw writes each snapshot the moment it begins, so it verifies far more of them per run.
        { numRuns: strategy === 'stw' ? 30 : 100 },
      );
      // The runs did what they are meant to: many snapshots, many commands around them.
      expect(snapshotsVerified).toBeGreaterThan(100);
      expect(commandsRun).toBeGreaterThan(2000);
    },
  );
});
