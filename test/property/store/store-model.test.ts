/**
 * Model-based property test of the Store against a plain Map, on a deliberately tiny heap
 * (64-byte pages, small segments, small maxmemory) so that values spanning pages, heap growth,
 * exhaustion (outOfMemory) and incremental rehash all happen within a few hundred commands.
 * The model holds, per db and key, the value and the absolute expiry; a fake clock is advanced
 * by a command, so lazy and active expiry are exercised. After each run every key is deleted
 * and the heap must be back to the empty store's allocation state.
 * Replay: fast-check prints the seed and path of a failure; pass them to fc.assert's options.
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { createHeap } from '../../../src/cow/paged-heap.js';
import type { Heap } from '../../../src/cow/heap.js';
import { Store, type ExpireOptions, type SetOptions } from '../../../src/store/store.js';

const TEST_PAGE_SIZE_BYTES = 64;
const DATABASES = 3;
const START_MS = 1_000_000;

interface ModelValue {
  value: Buffer;
  /** -1 for none. */
  expireAtMs: number;
}

interface Model {
  nowMs: number;
  dbs: Map<string, ModelValue>[];
}

interface Real {
  store: Store;
  heap: Heap;
  clock: { ms: number };
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

function isLive(entry: ModelValue | undefined, nowMs: number): entry is ModelValue {
  return entry !== undefined && (entry.expireAtMs === -1 || nowMs <= entry.expireAtMs);
}

function liveGet(model: Model, db: number, key: string): ModelValue | undefined {
  const entry = model.dbs[db].get(key);
  if (isLive(entry, model.nowMs)) return entry;
  model.dbs[db].delete(key);
  return undefined;
}

function modelInteger(value: Buffer): bigint | null {
  const text = value.toString('latin1');
  if (!/^(0|-?[1-9][0-9]*)$/.test(text) || text.length > 20) return null;
  const parsed = BigInt(text);
  return parsed < I64_MIN || parsed > I64_MAX ? null : parsed;
}

function b(key: string): Buffer {
  return Buffer.from(key, 'latin1');
}

type Cmd = fc.Command<Model, Real>;

class SetCommand implements Cmd {
  constructor(readonly db: number, readonly key: string, readonly value: Buffer,
    readonly options: { condition?: 'nx' | 'xx'; get?: boolean; keepTtl?: boolean; expireInMs?: number }) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    const options: SetOptions = {
      condition: this.options.condition, get: this.options.get, keepTtl: this.options.keepTtl,
      expireAtMs: this.options.expireInMs === undefined ? undefined : model.nowMs + this.options.expireInMs,
    };
    const result = real.store.set(this.db, b(this.key), this.value, options);
    const current = liveGet(model, this.db, this.key);
    if (result.status === 'outOfMemory') return;
    const blocked = (this.options.condition === 'nx' && current !== undefined) || (this.options.condition === 'xx' && current === undefined);
    expect(result.status).toBe(blocked ? 'notSet' : 'ok');
    if (result.status !== 'ok' && result.status !== 'notSet') return;
    if (this.options.get === true) expect(result.previous?.toString('hex') ?? null).toBe(current?.value.toString('hex') ?? null);
    if (blocked) return;
    let expireAtMs = -1;
    if (options.expireAtMs !== undefined) expireAtMs = options.expireAtMs;
    else if (this.options.keepTtl === true && current !== undefined) expireAtMs = current.expireAtMs;
    if (expireAtMs !== -1 && expireAtMs <= model.nowMs) model.dbs[this.db].delete(this.key);
    else model.dbs[this.db].set(this.key, { value: Buffer.from(this.value), expireAtMs });
  }
  toString(): string { return `SET ${this.db} ${this.key} <${this.value.length}> ${JSON.stringify(this.options)}`; }
}

class GetCommand implements Cmd {
  constructor(readonly db: number, readonly key: string) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    const result = real.store.get(this.db, b(this.key));
    const current = liveGet(model, this.db, this.key);
    if (current === undefined) expect(result.status).toBe('missing');
    else expect(result.status === 'ok' ? result.value.toString('hex') : result.status).toBe(current.value.toString('hex'));
    const lookup = real.store.lookupString(this.db, b(this.key));
    if (lookup.status === 'ok') {
      const target = Buffer.alloc(lookup.length + 2);
      real.store.copyStringValue(lookup.ref, target, 1);
      expect(target.subarray(1, 1 + lookup.length).toString('hex')).toBe(current?.value.toString('hex'));
    }
  }
  toString(): string { return `GET ${this.db} ${this.key}`; }
}

class DelCommand implements Cmd {
  constructor(readonly db: number, readonly key: string) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    const existed = liveGet(model, this.db, this.key) !== undefined;
    expect(real.store.del(this.db, b(this.key))).toBe(existed);
    model.dbs[this.db].delete(this.key);
  }
  toString(): string { return `DEL ${this.db} ${this.key}`; }
}

class AppendCommand implements Cmd {
  constructor(readonly db: number, readonly key: string, readonly value: Buffer) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    const result = real.store.append(this.db, b(this.key), this.value);
    const current = liveGet(model, this.db, this.key);
    if (result.status === 'outOfMemory') return;
    const next = Buffer.concat([current?.value ?? Buffer.alloc(0), this.value]);
    expect(result).toEqual({ status: 'ok', length: next.length });
    model.dbs[this.db].set(this.key, { value: next, expireAtMs: current?.expireAtMs ?? -1 });
  }
  toString(): string { return `APPEND ${this.db} ${this.key} <${this.value.length}>`; }
}

class SetRangeCommand implements Cmd {
  constructor(readonly db: number, readonly key: string, readonly offset: number, readonly value: Buffer) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    const result = real.store.setRange(this.db, b(this.key), this.offset, this.value);
    const current = liveGet(model, this.db, this.key);
    if (result.status === 'outOfMemory') return;
    if (this.value.length === 0) {
      expect(result).toEqual({ status: 'ok', length: current?.value.length ?? 0 });
      return;
    }
    const old = current?.value ?? Buffer.alloc(0);
    const next = Buffer.alloc(Math.max(old.length, this.offset + this.value.length));
    old.copy(next);
    this.value.copy(next, this.offset);
    expect(result).toEqual({ status: 'ok', length: next.length });
    model.dbs[this.db].set(this.key, { value: next, expireAtMs: current?.expireAtMs ?? -1 });
  }
  toString(): string { return `SETRANGE ${this.db} ${this.key} ${this.offset} <${this.value.length}>`; }
}

class IncrByCommand implements Cmd {
  constructor(readonly db: number, readonly key: string, readonly increment: bigint) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    const result = real.store.incrBy(this.db, b(this.key), this.increment);
    const current = liveGet(model, this.db, this.key);
    if (result.status === 'outOfMemory') return;
    const base = current === undefined ? 0n : modelInteger(current.value);
    if (base === null) {
      expect(result.status).toBe('notInteger');
      return;
    }
    const sum = base + this.increment;
    if (sum < I64_MIN || sum > I64_MAX) {
      expect(result.status).toBe('overflow');
      return;
    }
    expect(result.status === 'ok' ? BigInt(result.value) : result.status).toBe(sum);
    model.dbs[this.db].set(this.key, { value: b(String(sum)), expireAtMs: current?.expireAtMs ?? -1 });
  }
  toString(): string { return `INCRBY ${this.db} ${this.key} ${this.increment}`; }
}

class ExpireCommand implements Cmd {
  constructor(readonly db: number, readonly key: string, readonly inMs: number, readonly condition: ExpireOptions['condition']) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    const expireAtMs = model.nowMs + this.inMs;
    const result = real.store.expire(this.db, b(this.key), expireAtMs, { condition: this.condition });
    const current = liveGet(model, this.db, this.key);
    if (result.status === 'outOfMemory') return;
    if (current === undefined) {
      expect(result.status).toBe('missing');
      return;
    }
    const existing = current.expireAtMs;
    const blocked = (this.condition === 'nx' && existing !== -1) || (this.condition === 'xx' && existing === -1) ||
      (this.condition === 'gt' && (existing === -1 || expireAtMs <= existing)) ||
      (this.condition === 'lt' && existing !== -1 && expireAtMs >= existing);
    expect(result.status).toBe(blocked ? 'notSet' : 'ok');
    if (blocked) return;
    if (expireAtMs <= model.nowMs) model.dbs[this.db].delete(this.key);
    else current.expireAtMs = expireAtMs;
  }
  toString(): string { return `PEXPIRE ${this.db} ${this.key} +${this.inMs} ${this.condition ?? ''}`; }
}

class PersistCommand implements Cmd {
  constructor(readonly db: number, readonly key: string) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    const current = liveGet(model, this.db, this.key);
    const hadExpiry = current !== undefined && current.expireAtMs !== -1;
    expect(real.store.persist(this.db, b(this.key))).toBe(hadExpiry);
    if (current !== undefined) current.expireAtMs = -1;
  }
  toString(): string { return `PERSIST ${this.db} ${this.key}`; }
}

class TtlCommand implements Cmd {
  constructor(readonly db: number, readonly key: string) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    const current = liveGet(model, this.db, this.key);
    const expected = current === undefined ? -2 : current.expireAtMs === -1 ? -1 : current.expireAtMs - model.nowMs;
    expect(real.store.ttl(this.db, b(this.key), 'milliseconds')).toBe(expected);
    const expectedTime = current === undefined ? -2 : current.expireAtMs;
    expect(real.store.expireTime(this.db, b(this.key), 'milliseconds')).toBe(expectedTime);
  }
  toString(): string { return `PTTL ${this.db} ${this.key}`; }
}

class RenameCommand implements Cmd {
  constructor(readonly db: number, readonly source: string, readonly target: string, readonly nx: boolean) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    const result = real.store.rename(this.db, b(this.source), b(this.target), { nx: this.nx });
    const source = liveGet(model, this.db, this.source);
    const target = liveGet(model, this.db, this.target);
    if (result.status === 'outOfMemory') return;
    if (source === undefined) {
      expect(result.status).toBe('missing');
      return;
    }
    if (this.source === this.target) {
      expect(result.status).toBe(this.nx ? 'notSet' : 'ok');
      return;
    }
    if (this.nx && target !== undefined) {
      expect(result.status).toBe('notSet');
      return;
    }
    expect(result.status).toBe('ok');
    model.dbs[this.db].delete(this.source);
    model.dbs[this.db].set(this.target, source);
  }
  toString(): string { return `RENAME${this.nx ? 'NX' : ''} ${this.db} ${this.source} ${this.target}`; }
}

class CopyCommand implements Cmd {
  constructor(readonly db: number, readonly source: string, readonly target: string, readonly targetDb: number, readonly replace: boolean) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    const result = real.store.copy(this.db, b(this.source), b(this.target), { targetDb: this.targetDb, replace: this.replace });
    const source = liveGet(model, this.db, this.source);
    const target = liveGet(model, this.targetDb, this.target);
    if (result.status === 'outOfMemory') return;
    if (source === undefined) {
      expect(result.status).toBe('missing');
      return;
    }
    if ((this.db === this.targetDb && this.source === this.target) || (target !== undefined && !this.replace)) {
      expect(result.status).toBe('exists');
      return;
    }
    expect(result.status).toBe('ok');
    model.dbs[this.targetDb].set(this.target, { value: Buffer.from(source.value), expireAtMs: source.expireAtMs });
  }
  toString(): string { return `COPY ${this.db} ${this.source} ${this.target} DB ${this.targetDb}${this.replace ? ' REPLACE' : ''}`; }
}

class MoveCommand implements Cmd {
  constructor(readonly db: number, readonly key: string, readonly targetDb: number) {}
  check(): boolean { return this.db !== this.targetDb; }
  run(model: Model, real: Real): void {
    const result = real.store.move(this.db, b(this.key), this.targetDb);
    const source = liveGet(model, this.db, this.key);
    const target = liveGet(model, this.targetDb, this.key);
    if (result.status === 'outOfMemory') return;
    if (source === undefined) expect(result.status).toBe('missing');
    else if (target !== undefined) expect(result.status).toBe('exists');
    else {
      expect(result.status).toBe('ok');
      model.dbs[this.db].delete(this.key);
      model.dbs[this.targetDb].set(this.key, source);
    }
  }
  toString(): string { return `MOVE ${this.db} ${this.key} ${this.targetDb}`; }
}

class FlushDbCommand implements Cmd {
  constructor(readonly db: number) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    real.store.flushDb(this.db);
    model.dbs[this.db].clear();
    expect(real.store.dbSize(this.db)).toBe(0);
  }
  toString(): string { return `FLUSHDB ${this.db}`; }
}

function liveKeys(model: Model, db: number): string[] {
  return [...model.dbs[db].entries()].filter(([, entry]) => isLive(entry, model.nowMs)).map(([key]) => key).sort();
}

class ScanCommand implements Cmd {
  constructor(readonly db: number, readonly count: number) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    const seen = new Set<string>();
    let cursor = 0;
    let calls = 0;
    do {
      const result = real.store.scan(this.db, cursor, { count: this.count });
      for (const key of result.keys) seen.add(key.toString('latin1'));
      cursor = result.cursor;
      calls++;
      expect(calls).toBeLessThan(10_000);
    } while (cursor !== 0);
    expect([...seen].sort()).toEqual(liveKeys(model, this.db));
  }
  toString(): string { return `SCAN ${this.db} COUNT ${this.count}`; }
}

class AdvanceClockCommand implements Cmd {
  constructor(readonly ms: number) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    model.nowMs += this.ms;
    real.clock.ms = model.nowMs;
  }
  toString(): string { return `ADVANCE ${this.ms}ms`; }
}

class ActiveExpireCommand implements Cmd {
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    // Enough budget for the tiny test tables: every db is walked to the end.
    for (let i = 0; i < DATABASES + 1; i++) real.store.activeExpireCycle(1000);
    for (let db = 0; db < DATABASES; db++) {
      const keys = liveKeys(model, db);
      const volatileCount = keys.filter((key) => model.dbs[db].get(key)?.expireAtMs !== -1).length;
      expect(real.store.stats().databases[db]).toMatchObject({ keys: keys.length, expires: volatileCount });
      expect(real.store.keyCountsPerDb()[db]).toBe(keys.length);
    }
  }
  toString(): string { return 'ACTIVE-EXPIRE'; }
}

class CheckAllCommand implements Cmd {
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    for (let db = 0; db < DATABASES; db++) {
      const actual: [string, string, number][] = [];
      real.store.forEachEntry(db, (entry) => actual.push([entry.key.toString('latin1'), entry.value.toString('hex'), entry.expireAtMs]));
      actual.sort((x, y) => (x[0] < y[0] ? -1 : 1));
      const expected = liveKeys(model, db).map((key): [string, string, number] => {
        const entry = model.dbs[db].get(key) as ModelValue;
        return [key, entry.value.toString('hex'), entry.expireAtMs];
      });
      expect(actual).toEqual(expected);
      expect(real.store.keys(db, b('*')).map((key) => key.toString('latin1')).sort()).toEqual(liveKeys(model, db));
    }
  }
  toString(): string { return 'CHECK-ALL'; }
}

class MsetCommand implements Cmd {
  constructor(readonly db: number, readonly pairs: [string, Buffer][], readonly nx: boolean) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    const result = real.store.mset(this.db, this.pairs.flatMap(([key, value]) => [b(key), value]), { nx: this.nx });
    const anyExists = this.pairs.some(([key]) => liveGet(model, this.db, key) !== undefined);
    if (result.status === 'outOfMemory') return;
    expect(result.status).toBe(this.nx && anyExists ? 'notSet' : 'ok');
    if (result.status !== 'ok') return;
    for (const [key, value] of this.pairs) model.dbs[this.db].set(key, { value: Buffer.from(value), expireAtMs: -1 });
  }
  toString(): string { return `MSET${this.nx ? 'NX' : ''} ${this.db} ${this.pairs.map(([key, value]) => `${key} <${value.length}>`).join(' ')}`; }
}

class GetDelCommand implements Cmd {
  constructor(readonly db: number, readonly key: string) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    const result = real.store.getDel(this.db, b(this.key));
    const current = liveGet(model, this.db, this.key);
    expect(result.status === 'ok' ? result.value.toString('hex') : result.status).toBe(current?.value.toString('hex') ?? 'missing');
    model.dbs[this.db].delete(this.key);
  }
  toString(): string { return `GETDEL ${this.db} ${this.key}`; }
}

class GetExCommand implements Cmd {
  constructor(readonly db: number, readonly key: string, readonly inMs: number | undefined, readonly persist: boolean) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    const expireAtMs = this.inMs === undefined ? undefined : model.nowMs + this.inMs;
    const result = real.store.getEx(this.db, b(this.key), { expireAtMs, persist: this.persist });
    const current = liveGet(model, this.db, this.key);
    if (result.status === 'outOfMemory') return;
    expect(result.status === 'ok' ? result.value.toString('hex') : result.status).toBe(current?.value.toString('hex') ?? 'missing');
    if (current === undefined) return;
    if (expireAtMs !== undefined) {
      if (expireAtMs <= model.nowMs) model.dbs[this.db].delete(this.key);
      else current.expireAtMs = expireAtMs;
    } else if (this.persist) {
      current.expireAtMs = -1;
    }
  }
  toString(): string { return `GETEX ${this.db} ${this.key} ${this.inMs ?? ''}${this.persist ? ' PERSIST' : ''}`; }
}

class SwapDbCommand implements Cmd {
  constructor(readonly first: number, readonly second: number) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    real.store.swapDb(this.first, this.second);
    [model.dbs[this.first], model.dbs[this.second]] = [model.dbs[this.second], model.dbs[this.first]];
  }
  toString(): string { return `SWAPDB ${this.first} ${this.second}`; }
}

class EpochCommand implements Cmd {
  constructor(readonly isOpen: boolean) {}
  check(): boolean { return true; }
  run(_model: Model, real: Real): void {
    if (this.isOpen && !real.heap.isEpochOpen) real.heap.openEpoch();
    if (!this.isOpen && real.heap.isEpochOpen) real.heap.closeEpoch();
  }
  toString(): string { return this.isOpen ? 'OPEN-EPOCH' : 'CLOSE-EPOCH'; }
}

class RehashCommand implements Cmd {
  constructor(readonly budget: number) {}
  check(): boolean { return true; }
  run(_model: Model, real: Real): void { real.store.rehashStep(this.budget); }
  toString(): string { return `REHASH ${this.budget}`; }
}

/** Every page of the heap in use, as bytes (a page not in use as one zero byte). */
function heapImage(heap: Heap): Buffer {
  const page = new Uint8Array(heap.pageSizeBytes);
  const pages: Buffer[] = [];
  for (let pageNumber = 0; pageNumber < heap.pageCount; pageNumber++) {
    pages.push(heap.readPageImage(pageNumber, page) ? Buffer.from(page) : Buffer.alloc(1));
  }
  return Buffer.concat(pages);
}

/** Store.prefetchKeys reads only: the heap's bytes and every stat stay as they were. */
class PrefetchCommand implements Cmd {
  constructor(readonly db: number, readonly keys: readonly string[]) {}
  check(): boolean { return true; }
  run(_model: Model, real: Real): void {
    // Packed after a prefix in one buffer, as a request parser holds them.
    const packed = Buffer.concat([b('*prefix*'), ...this.keys.map(b)]);
    const offsets: number[] = [];
    let offset = 8;
    for (const key of this.keys) {
      offsets.push(offset);
      offset += b(key).length;
    }
    const before = { image: heapImage(real.heap), heapStats: real.heap.stats(), storeStats: real.store.stats() };
    real.store.prefetchKeys(this.db, {
      count: this.keys.length,
      bytesOf: () => packed,
      offsetOf: (index) => offsets[index],
      lengthOf: (index) => b(this.keys[index]).length,
    });
    expect(heapImage(real.heap).equals(before.image)).toBe(true);
    expect({ heapStats: real.heap.stats(), storeStats: real.store.stats() }).toEqual({ heapStats: before.heapStats, storeStats: before.storeStats });
  }
  toString(): string { return `PREFETCH ${this.db} ${JSON.stringify(this.keys)}`; }
}

const LONG_KEY = 'k'.repeat(70);
const keyArb = fc.constantFrom('', 'a', 'b', 'c', 'd', 'e', 'f', 'g', LONG_KEY);
const dbArb = fc.nat({ max: DATABASES - 1 });
const integerTextArb = fc.oneof(
  fc.bigInt({ min: -1000n, max: 1000n }),
  fc.constantFrom(I64_MAX, I64_MIN, I64_MAX - 1n, I64_MIN + 1n),
).map((value) => b(String(value)));
const valueArb = fc.oneof(
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 3 * TEST_PAGE_SIZE_BYTES, size: 'max' }).map((array) => Buffer.from(array)) },
  { weight: 1, arbitrary: integerTextArb },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
);
const expireInArb = fc.integer({ min: -50, max: 2000 });

function commandArbs(): fc.Arbitrary<Cmd>[] {
  const setArb = fc.tuple(dbArb, keyArb, valueArb, fc.record({
    condition: fc.option(fc.constantFrom<'nx' | 'xx'>('nx', 'xx'), { nil: undefined }),
    get: fc.boolean(),
    keepTtl: fc.boolean(),
    expireInMs: fc.option(expireInArb, { nil: undefined }),
  }, { requiredKeys: [] })).map(([db, key, value, options]) => new SetCommand(db, key, value, options));
  const appendArb = fc.tuple(dbArb, keyArb, valueArb).map(([db, key, value]) => new AppendCommand(db, key, value));
  return [
    setArb, setArb, setArb, appendArb, appendArb,
    fc.tuple(dbArb, keyArb, valueArb, fc.record({
      condition: fc.option(fc.constantFrom<'nx' | 'xx'>('nx', 'xx'), { nil: undefined }),
      get: fc.boolean(),
      keepTtl: fc.boolean(),
      expireInMs: fc.option(expireInArb, { nil: undefined }),
    }, { requiredKeys: [] })).map(([db, key, value, options]) => new SetCommand(db, key, value, options)),
    fc.tuple(dbArb, keyArb).map(([db, key]) => new GetCommand(db, key)),
    fc.tuple(dbArb, keyArb).map(([db, key]) => new DelCommand(db, key)),
    fc.tuple(dbArb, keyArb, valueArb).map(([db, key, value]) => new AppendCommand(db, key, value)),
    fc.tuple(dbArb, keyArb, fc.nat({ max: 150 }), valueArb).map(([db, key, offset, value]) => new SetRangeCommand(db, key, offset, value)),
    fc.tuple(dbArb, keyArb, fc.oneof(fc.bigInt({ min: -100n, max: 100n }), fc.constantFrom(I64_MAX, I64_MIN))).map(([db, key, increment]) => new IncrByCommand(db, key, increment)),
    fc.tuple(dbArb, keyArb, expireInArb, fc.option(fc.constantFrom<'nx' | 'xx' | 'gt' | 'lt'>('nx', 'xx', 'gt', 'lt'), { nil: undefined })).map(([db, key, inMs, condition]) => new ExpireCommand(db, key, inMs, condition)),
    fc.tuple(dbArb, keyArb).map(([db, key]) => new PersistCommand(db, key)),
    fc.tuple(dbArb, keyArb).map(([db, key]) => new TtlCommand(db, key)),
    fc.tuple(dbArb, keyArb, keyArb, fc.boolean()).map(([db, source, target, nx]) => new RenameCommand(db, source, target, nx)),
    fc.tuple(dbArb, keyArb, keyArb, dbArb, fc.boolean()).map(([db, source, target, targetDb, replace]) => new CopyCommand(db, source, target, targetDb, replace)),
    fc.tuple(dbArb, keyArb, dbArb).map(([db, key, targetDb]) => new MoveCommand(db, key, targetDb)),
    fc.tuple(dbArb, fc.integer({ min: 1, max: 5 })).map(([db, count]) => new ScanCommand(db, count)),
    fc.integer({ min: 1, max: 1500 }).map((ms) => new AdvanceClockCommand(ms)),
    fc.constant(new ActiveExpireCommand()),
    fc.constant(new CheckAllCommand()),
    fc.integer({ min: 1, max: 4 }).map((budget) => new RehashCommand(budget)),
    fc.tuple(dbArb, fc.array(fc.tuple(keyArb, valueArb), { minLength: 1, maxLength: 4 }), fc.boolean())
      .map(([db, pairs, nx]) => new MsetCommand(db, pairs, nx)),
    fc.tuple(dbArb, keyArb).map(([db, key]) => new GetDelCommand(db, key)),
    fc.tuple(dbArb, keyArb, fc.option(expireInArb, { nil: undefined }), fc.boolean())
      .map(([db, key, inMs, persist]) => new GetExCommand(db, key, inMs, persist)),
    fc.tuple(dbArb, dbArb).map(([first, second]) => new SwapDbCommand(first, second)),
    fc.tuple(dbArb, fc.array(keyArb, { minLength: 1, maxLength: 6 })).map(([db, keys]) => new PrefetchCommand(db, keys)),
  ];
}

/** Outcomes seen across runs, so a test can show it really reached OOM and rehashing. */
const coverage = { outOfMemory: 0, rehashing: 0 };

function runModel(maxMemoryBytes: number, numRuns: number, withEpochs: boolean): void {
  const epochArbs = withEpochs ? [fc.boolean().map((isOpen) => new EpochCommand(isOpen))] : [];
  const commands = fc.commands([...commandArbs(), ...epochArbs,
    dbArb.map((db) => new FlushDbCommand(db))], { maxCommands: 300, size: 'max' });
  fc.assert(fc.property(commands, (cmds) => {
    const heap = createHeap({ pageSizeBytes: TEST_PAGE_SIZE_BYTES, maxMemoryBytes, segmentPageCount: 32 });
    const clock = { ms: START_MS };
    const store = Store.create(heap, { databases: DATABASES, clock: () => clock.ms, hashSeed: 1 });
    const emptyBytes = heap.stats().bytesAllocated;
    const real: Real = { store, heap, clock };
    const allocate = heap.allocate.bind(heap);
    heap.allocate = (sizeBytes: number) => {
      const address = allocate(sizeBytes);
      if (address === 0) coverage.outOfMemory++;
      if (store.stats().isRehashing) coverage.rehashing++;
      return address;
    };
    fc.modelRun(() => ({ model: { nowMs: START_MS, dbs: [new Map(), new Map(), new Map()] }, real }), cmds);
    if (heap.isEpochOpen) heap.closeEpoch();
    for (let db = 0; db < DATABASES; db++) {
      for (const key of store.keys(db, b('*'))) expect(store.del(db, key)).toBe(true);
      store.activeExpireCycle(1000);
      expect(store.dbSize(db)).toBe(0);
    }
    expect(heap.stats().bytesAllocated).toBe(emptyBytes);
  }), { numRuns });
}

test('the store behaves like a Map model on a roomy heap of 64-byte pages', () => {
  coverage.rehashing = 0;
  runModel(0, 100, false);
  expect(coverage.rehashing).toBeGreaterThan(0);
});

test('the store behaves like a Map model when a small maxmemory makes allocations fail', () => {
  coverage.outOfMemory = 0;
  runModel(4 * 1024, 100, false);
  expect(coverage.outOfMemory).toBeGreaterThan(0);
});

test('the store behaves like a Map model while snapshot epochs open and close (deferred rehash)', () => {
  runModel(0, 60, true);
});
