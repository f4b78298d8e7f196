/**
 * Unit tests of the Store facade: Redis semantics of the string and keyspace commands,
 * lazy and active expiry, OOM behaviour, attach, SWAPDB, digest and the modification listener.
 */
import { describe, expect, test } from 'vitest';
import { createHeap, restoreHeap } from '../../../src/cow/paged-heap.js';
import type { Heap } from '../../../src/cow/heap.js';
import { STRING_REF_MISSING, Store, type StoreOptions } from '../../../src/store/store.js';

const START_MS = 1_700_000_000_000;

function b(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

interface Fixture {
  store: Store;
  heap: Heap;
  now: { ms: number };
}

function makeStore(options: StoreOptions & { pageSizeBytes?: number; maxMemoryBytes?: number } = {}): Fixture {
  const now = { ms: START_MS };
  const heap = createHeap({ pageSizeBytes: options.pageSizeBytes ?? 4096, maxMemoryBytes: options.maxMemoryBytes ?? 0, segmentPageCount: 64 });
  const store = Store.create(heap, { hashSeed: 7, clock: () => now.ms, ...options });
  return { store, heap, now };
}

function text(store: Store, key: string, db = 0): string | null {
  const result = store.get(db, b(key));
  return result.status === 'ok' ? result.value.toString('latin1') : null;
}

describe('GET and SET', () => {
  test('set() then get() returns the value; a missing key is missing; hits and misses count', () => {
    const { store } = makeStore();
    expect(store.set(0, b('k'), b('v'))).toEqual({ status: 'ok', previous: null });
    expect(text(store, 'k')).toBe('v');
    expect(store.get(0, b('nope')).status).toBe('missing');
    expect(store.stats()).toMatchObject({ keyspaceHits: 1, keyspaceMisses: 1 });
  });

  test('an empty value and a value of several pages round-trip', () => {
    const { store } = makeStore({ pageSizeBytes: 64 });
    const big = Buffer.alloc(1000, 7);
    store.set(0, b('empty'), Buffer.alloc(0));
    store.set(0, b('big'), big);
    expect(text(store, 'empty')).toBe('');
    expect(store.get(0, b('big'))).toEqual({ status: 'ok', value: big });
  });

  test('NX sets only a missing key and XX only an existing one', () => {
    const { store } = makeStore();
    expect(store.set(0, b('k'), b('1'), { condition: 'xx' }).status).toBe('notSet');
    expect(store.set(0, b('k'), b('1'), { condition: 'nx' }).status).toBe('ok');
    expect(store.set(0, b('k'), b('2'), { condition: 'nx' }).status).toBe('notSet');
    expect(store.set(0, b('k'), b('3'), { condition: 'xx' }).status).toBe('ok');
    expect(text(store, 'k')).toBe('3');
  });

  test('GET returns the previous value, also when NX blocks the write', () => {
    const { store } = makeStore();
    expect(store.set(0, b('k'), b('1'), { get: true })).toEqual({ status: 'ok', previous: null });
    expect(store.set(0, b('k'), b('2'), { get: true })).toEqual({ status: 'ok', previous: b('1') });
    expect(store.set(0, b('k'), b('3'), { get: true, condition: 'nx' })).toEqual({ status: 'notSet', previous: b('2') });
  });

  test('SET clears the TTL unless KEEPTTL, and an expiry in the past leaves no key', () => {
    const { store, now } = makeStore();
    store.set(0, b('k'), b('1'), { expireAtMs: now.ms + 10_000 });
    expect(store.ttl(0, b('k'), 'seconds')).toBe(10);
    store.set(0, b('k'), b('2'), { keepTtl: true });
    expect(store.ttl(0, b('k'), 'milliseconds')).toBe(10_000);
    store.set(0, b('k'), b('3'));
    expect(store.ttl(0, b('k'), 'seconds')).toBe(-1);
    expect(store.set(0, b('k'), b('4'), { expireAtMs: now.ms - 1 }).status).toBe('ok');
    expect(store.exists(0, b('k'))).toBe(false);
  });

  test('GET with a non-string would be wrongType and changes nothing (no other types yet, so via MGET null)', () => {
    const { store } = makeStore();
    store.set(0, b('a'), b('1'));
    expect(store.mget(0, [b('a'), b('missing')])).toEqual([b('1'), null]);
  });

  test('lookupString() and copyStringValue() copy the value straight into a target buffer', () => {
    const { store } = makeStore();
    store.set(0, b('k'), b('hello'));
    const result = store.lookupString(0, b('k'));
    expect(result.status).toBe('ok');
    if (result.status !== 'ok') return;
    const target = Buffer.alloc(result.length + 4, '.');
    store.copyStringValue(result.ref, target, 2);
    expect(target.toString()).toBe('..hello..');
  });

  test('lookupStringRef() answers a ref, or STRING_REF_MISSING for absent and expired keys, with GET\'s counters', () => {
    const { store, now } = makeStore();
    store.set(0, b('k'), b('hello'));
    store.set(0, b('gone'), b('x'), { expireAtMs: now.ms + 10 });
    const ref = store.lookupStringRef(0, b('k'));
    expect(ref).toBeGreaterThan(0);
    expect(store.stringLength(ref)).toBe(5);
    const target = Buffer.alloc(5);
    store.copyStringValue(ref, target, 0);
    expect(target.toString()).toBe('hello');
    expect(store.lookupStringRef(0, b('nope'))).toBe(STRING_REF_MISSING);
    now.ms += 11;
    expect(store.lookupStringRef(0, b('gone'))).toBe(STRING_REF_MISSING);
    expect(store.exists(0, b('gone'))).toBe(false);
    expect(store.stats().keyspaceHits).toBe(1);
    expect(store.stats().keyspaceMisses).toBe(2);
  });
});

describe('MSET, GETDEL, GETEX, APPEND, STRLEN, GETRANGE, SETRANGE', () => {
  test('MSET sets all pairs, the last of a repeated key wins; MSETNX sets none if one exists', () => {
    const { store } = makeStore();
    expect(store.mset(0, [b('a'), b('1'), b('b'), b('2'), b('a'), b('3')]).status).toBe('ok');
    expect([text(store, 'a'), text(store, 'b')]).toEqual(['3', '2']);
    expect(store.mset(0, [b('c'), b('1'), b('a'), b('9')], { nx: true }).status).toBe('notSet');
    expect(store.exists(0, b('c'))).toBe(false);
  });

  test('MSET over many keys overwrites in place where the value fits, and a repeated key still ends with its last value', () => {
    const { store } = makeStore();
    const keys = Array.from({ length: 20 }, (_, index) => `key-${index}`);
    const entryAddresses = (): number[] => keys.map((key) => store.lookupStringRef(0, b(key)));
    expect(store.mset(0, keys.flatMap((key) => [b(key), b(`first-${key}`)])).status).toBe('ok');
    const addressesBefore = entryAddresses();
    // Same-sized values: every pair is rewritten where it stands (lookupStringRef is the entry).
    expect(store.mset(0, keys.flatMap((key) => [b(key), b(`again-${key}`)])).status).toBe('ok');
    expect(keys.map((key) => text(store, key))).toEqual(keys.map((key) => `again-${key}`));
    expect(entryAddresses()).toEqual(addressesBefore);
    // Past eight keys the repeat is found by a Set; a longer value needs a new allocation.
    const pairs = keys.flatMap((key) => [b(key), b(`third-${key}`)]);
    pairs.push(b('key-3'), b('x'.repeat(300)), b('new-key'), b('new'));
    expect(store.mset(0, pairs).status).toBe('ok');
    expect(text(store, 'key-3')).toBe('x'.repeat(300));
    expect(text(store, 'key-4')).toBe('third-key-4');
    expect(text(store, 'new-key')).toBe('new');
    expect(store.dbSize(0)).toBe(21);
  });

  test('GETDEL returns the value and deletes the key', () => {
    const { store } = makeStore();
    store.set(0, b('k'), b('v'));
    expect(store.getDel(0, b('k'))).toEqual({ status: 'ok', value: b('v') });
    expect(store.getDel(0, b('k')).status).toBe('missing');
  });

  test('GETEX sets, persists, or with a past time deletes after reading', () => {
    const { store, now } = makeStore();
    store.set(0, b('k'), b('v'));
    expect(store.getEx(0, b('k'), { expireAtMs: now.ms + 5000 }).status).toBe('ok');
    expect(store.ttl(0, b('k'), 'milliseconds')).toBe(5000);
    store.getEx(0, b('k'), { persist: true });
    expect(store.ttl(0, b('k'), 'milliseconds')).toBe(-1);
    expect(store.getEx(0, b('k'), { expireAtMs: now.ms - 1 })).toEqual({ status: 'ok', value: b('v') });
    expect(store.exists(0, b('k'))).toBe(false);
  });

  test('APPEND creates or extends, keeps the TTL, and repeated appends stay correct', () => {
    const { store, now } = makeStore({ pageSizeBytes: 64 });
    expect(store.append(0, b('k'), b('ab'))).toEqual({ status: 'ok', length: 2 });
    store.expire(0, b('k'), now.ms + 60_000);
    let expected = 'ab';
    for (let i = 0; i < 200; i++) {
      const piece = `-${i}`;
      expected += piece;
      expect(store.append(0, b('k'), b(piece))).toEqual({ status: 'ok', length: expected.length });
    }
    expect(text(store, 'k')).toBe(expected);
    expect(store.ttl(0, b('k'), 'seconds')).toBe(60);
    expect(store.strlen(0, b('k'))).toEqual({ status: 'ok', length: expected.length });
    expect(store.strlen(0, b('nope'))).toEqual({ status: 'ok', length: 0 });
  });

  test('repeated APPENDs reallocate only logarithmically often (SDS-style preallocation)', () => {
    const { store, heap } = makeStore();
    let allocationCount = 0;
    const allocate = heap.allocate.bind(heap);
    heap.allocate = (sizeBytes: number) => {
      allocationCount++;
      return allocate(sizeBytes);
    };
    for (let i = 0; i < 2000; i++) store.append(0, b('log'), b('0123456789'));
    expect(store.strlen(0, b('log'))).toEqual({ status: 'ok', length: 20_000 });
    expect(allocationCount).toBeLessThan(30);
  });

  test('multi-megabyte values are stored, extended and sliced', () => {
    const { store } = makeStore();
    const big = Buffer.alloc(5 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = i & 0xff;
    store.set(0, b('big'), big);
    expect(store.append(0, b('big'), b('tail'))).toEqual({ status: 'ok', length: big.length + 4 });
    const tail = store.getRange(0, b('big'), -8, -1);
    expect(tail.status === 'ok' ? tail.value : null).toEqual(Buffer.concat([big.subarray(big.length - 4), b('tail')]));
    const got = store.get(0, b('big'));
    expect(got.status === 'ok' && got.value.subarray(0, big.length).equals(big)).toBe(true);
  });

  test('GETRANGE follows Redis index rules', () => {
    const { store } = makeStore();
    store.set(0, b('k'), b('This is a string'));
    const range = (start: number, end: number): string => {
      const result = store.getRange(0, b('k'), start, end);
      return result.status === 'ok' ? result.value.toString() : result.status;
    };
    expect(range(0, 3)).toBe('This');
    expect(range(-3, -1)).toBe('ing');
    expect(range(0, -1)).toBe('This is a string');
    expect(range(10, 100)).toBe('string');
    expect(range(5, 3)).toBe('');
    expect(range(-1, -5)).toBe('');
    expect(range(-100, 2)).toBe('Thi');
    expect(store.getRange(0, b('nope'), 0, -1)).toEqual({ status: 'ok', value: Buffer.alloc(0) });
  });

  test('SETRANGE pads with zero bytes, and an empty value on a missing key creates nothing', () => {
    const { store } = makeStore();
    expect(store.setRange(0, b('k'), 3, b('ab'))).toEqual({ status: 'ok', length: 5 });
    expect(store.get(0, b('k'))).toEqual({ status: 'ok', value: Buffer.from([0, 0, 0, 0x61, 0x62]) });
    expect(store.setRange(0, b('k'), 1, b('Z'))).toEqual({ status: 'ok', length: 5 });
    expect(store.setRange(0, b('none'), 5, Buffer.alloc(0))).toEqual({ status: 'ok', length: 0 });
    expect(store.exists(0, b('none'))).toBe(false);
    expect(store.setRange(0, b('k'), 100, Buffer.alloc(0))).toEqual({ status: 'ok', length: 5 });
  });

  test('APPEND and SETRANGE refuse results above 512 MiB with tooLarge', () => {
    const { store } = makeStore();
    store.set(0, b('k'), b('x'));
    expect(store.setRange(0, b('k'), 512 * 1024 * 1024, b('y')).status).toBe('tooLarge');
    expect(store.setRange(0, b('new'), 512 * 1024 * 1024 - 1, b('yz')).status).toBe('tooLarge');
    expect(text(store, 'k')).toBe('x');
  });
});

describe('INCR family', () => {
  test('INCRBY creates, adds, keeps the TTL, and reports Redis errors as results', () => {
    const { store, now } = makeStore();
    expect(store.incrBy(0, b('n'), 5)).toEqual({ status: 'ok', value: 5 });
    store.expire(0, b('n'), now.ms + 9000);
    expect(store.incrBy(0, b('n'), -7)).toEqual({ status: 'ok', value: -2 });
    expect(store.ttl(0, b('n'), 'seconds')).toBe(9);
    store.set(0, b('s'), b('abc'));
    expect(store.incrBy(0, b('s'), 1).status).toBe('notInteger');
    store.set(0, b('s'), b(' 1'));
    expect(store.incrBy(0, b('s'), 1).status).toBe('notInteger');
    store.set(0, b('max'), b('9223372036854775807'));
    expect(store.incrBy(0, b('max'), 1).status).toBe('overflow');
    expect(store.incrBy(0, b('max'), -1n)).toEqual({ status: 'ok', value: 9223372036854775806n });
  });

  test('INCRBYFLOAT formats like Redis and rejects non-floats and infinities', () => {
    const { store } = makeStore();
    store.set(0, b('f'), b('10.50'));
    expect(store.incrByFloat(0, b('f'), 0.1)).toEqual({ status: 'ok', text: '10.6' });
    expect(store.incrByFloat(0, b('f'), b('-5'))).toEqual({ status: 'ok', text: '5.6' });
    store.set(0, b('g'), b('5.0e3'));
    expect(store.incrByFloat(0, b('g'), b('2.0e2'))).toEqual({ status: 'ok', text: '5200' });
    expect(store.objectInfo(0, b('g'))?.encoding).toBe('embstr');
    store.set(0, b('bad'), b('x'));
    expect(store.incrByFloat(0, b('bad'), 1).status).toBe('notFloat');
    expect(store.incrByFloat(0, b('f'), b('inf')).status).toBe('nanOrInfinity');
    expect(text(store, 'f')).toBe('5.6');
  });
});

describe('keyspace', () => {
  test('DEL, EXISTS, TYPE, DBSIZE', () => {
    const { store } = makeStore();
    store.set(0, b('a'), b('1'));
    expect(store.type(0, b('a'))).toBe('string');
    expect(store.type(0, b('b'))).toBe('none');
    expect(store.dbSize(0)).toBe(1);
    expect(store.del(0, b('a'))).toBe(true);
    expect(store.del(0, b('a'))).toBe(false);
    expect(store.exists(0, b('a'))).toBe(false);
  });

  test('RENAME moves value and TTL; RENAMENX refuses an existing target; same key is a no-op', () => {
    const { store, now } = makeStore();
    store.set(0, b('a'), b('1'), { expireAtMs: now.ms + 5000 });
    store.set(0, b('b'), b('2'));
    expect(store.rename(0, b('a'), b('b'), { nx: true }).status).toBe('notSet');
    expect(store.rename(0, b('a'), b('c')).status).toBe('ok');
    expect(text(store, 'c')).toBe('1');
    expect(store.ttl(0, b('c'), 'milliseconds')).toBe(5000);
    expect(store.exists(0, b('a'))).toBe(false);
    expect(store.rename(0, b('c'), b('b')).status).toBe('ok');
    expect(text(store, 'b')).toBe('1');
    expect(store.rename(0, b('b'), b('b')).status).toBe('ok');
    expect(store.rename(0, b('b'), b('b'), { nx: true }).status).toBe('notSet');
    expect(store.rename(0, b('zz'), b('y')).status).toBe('missing');
    expect(store.stats().databases[0]).toMatchObject({ keys: 1, expires: 1 });
  });

  test('MOVE and COPY between databases keep the TTL and respect existing targets', () => {
    const { store, now } = makeStore();
    store.set(0, b('k'), b('v'), { expireAtMs: now.ms + 5000 });
    expect(store.copy(0, b('k'), b('k2'), { targetDb: 1 }).status).toBe('ok');
    expect(store.copy(0, b('k'), b('k2'), { targetDb: 1 }).status).toBe('exists');
    expect(store.copy(0, b('k'), b('k2'), { targetDb: 1, replace: true }).status).toBe('ok');
    expect(store.ttl(1, b('k2'), 'milliseconds')).toBe(5000);
    expect(store.move(0, b('k'), 2).status).toBe('ok');
    expect(text(store, 'k', 2)).toBe('v');
    expect(store.move(2, b('k'), 0).status).toBe('ok');
    store.set(2, b('k'), b('other'));
    expect(store.move(0, b('k'), 2).status).toBe('exists');
    expect(store.move(0, b('none'), 2).status).toBe('missing');
    expect(store.stats().databases.slice(0, 3).map(({ keys, expires }) => ({ keys, expires }))).toEqual([{ keys: 1, expires: 1 }, { keys: 1, expires: 1 }, { keys: 1, expires: 0 }]);
  });

  test('SWAPDB exchanges contents and counts', () => {
    const { store } = makeStore();
    store.set(0, b('a'), b('1'));
    store.set(1, b('b'), b('2'));
    store.set(1, b('c'), b('3'));
    store.swapDb(0, 1);
    expect([text(store, 'b', 0), text(store, 'a', 1)]).toEqual(['2', '1']);
    expect([store.dbSize(0), store.dbSize(1)]).toEqual([2, 1]);
  });

  test('KEYS matches the glob over live keys only', () => {
    const { store, now } = makeStore();
    for (const key of ['hello', 'hallo', 'hxllo', 'world']) store.set(0, b(key), b('1'));
    store.set(0, b('hbllo'), b('1'), { expireAtMs: now.ms + 10 });
    now.ms += 11;
    expect(store.keys(0, b('h[ae]llo')).map(String).sort()).toEqual(['hallo', 'hello']);
    expect(store.keys(0, b('*')).length).toBe(4);
  });

  test('SCAN filters by MATCH and TYPE and returns every key over a full iteration', () => {
    const { store } = makeStore();
    for (let i = 0; i < 100; i++) store.set(0, b(`key:${i}`), b('v'));
    const seen = new Set<string>();
    let cursor = 0;
    do {
      const result = store.scan(0, cursor, { match: b('key:1*'), count: 7 });
      for (const key of result.keys) seen.add(key.toString());
      cursor = result.cursor;
    } while (cursor !== 0);
    expect(seen.size).toBe(11);
    expect(store.scan(0, 0, { type: 'hash', count: 1000 }).keys).toEqual([]);
    expect(store.scan(5, 0).cursor).toBe(0);
  });

  test('RANDOMKEY returns a live key or null', () => {
    const { store, now } = makeStore();
    expect(store.randomKey(0)).toBeNull();
    store.set(0, b('dead'), b('1'), { expireAtMs: now.ms + 1 });
    store.set(0, b('alive'), b('1'));
    now.ms += 2;
    for (let i = 0; i < 10; i++) expect(store.randomKey(0)?.toString()).toBe('alive');
  });

  test('FLUSHDB and FLUSHALL empty databases and return the heap to its empty state', () => {
    const { store, heap } = makeStore();
    const emptyBytes = heap.stats().bytesAllocated;
    for (let i = 0; i < 300; i++) store.set(i % 3, b(`k${i}`), Buffer.alloc(i));
    store.flushDb(1);
    expect(store.dbSize(1)).toBe(0);
    expect(store.dbSize(0)).toBe(100);
    store.flushAll();
    expect(heap.stats().bytesAllocated).toBe(emptyBytes);
  });
});

describe('expiry', () => {
  test('EXPIRE NX/XX/GT/LT follow Redis, and a past time deletes the key', () => {
    const { store, now } = makeStore();
    store.set(0, b('k'), b('v'));
    const at = now.ms + 10_000;
    expect(store.expire(0, b('k'), at, { condition: 'xx' }).status).toBe('notSet');
    expect(store.expire(0, b('k'), at, { condition: 'gt' }).status).toBe('notSet');
    expect(store.expire(0, b('k'), at, { condition: 'lt' }).status).toBe('ok');
    expect(store.expire(0, b('k'), at + 1, { condition: 'nx' }).status).toBe('notSet');
    expect(store.expire(0, b('k'), at + 1, { condition: 'lt' }).status).toBe('notSet');
    expect(store.expire(0, b('k'), at + 1, { condition: 'gt' }).status).toBe('ok');
    expect(store.expireTime(0, b('k'), 'milliseconds')).toBe(at + 1);
    expect(store.expireTime(0, b('k'), 'seconds')).toBe(Math.floor((at + 1 + 500) / 1000));
    expect(store.expire(0, b('k'), now.ms).status).toBe('ok');
    expect(store.ttl(0, b('k'), 'seconds')).toBe(-2);
    expect(store.expire(0, b('k'), at).status).toBe('missing');
  });

  test('a key is live at its expiry instant and gone one millisecond later (lazy expiry)', () => {
    const { store, now } = makeStore();
    store.set(0, b('k'), b('v'), { expireAtMs: now.ms + 100 });
    now.ms += 100;
    expect(text(store, 'k')).toBe('v');
    now.ms += 1;
    expect(text(store, 'k')).toBeNull();
    expect(store.stats().expiredKeys).toBe(1);
    expect(store.stats().databases[0]).toMatchObject({ keys: 0, expires: 0 });
  });

  test('PERSIST removes the expiry; TTL rounds seconds as Redis does', () => {
    const { store, now } = makeStore();
    store.set(0, b('k'), b('v'), { expireAtMs: now.ms + 1499 });
    expect(store.ttl(0, b('k'), 'seconds')).toBe(1);
    store.expire(0, b('k'), now.ms + 1500);
    expect(store.ttl(0, b('k'), 'seconds')).toBe(2);
    expect(store.persist(0, b('k'))).toBe(true);
    expect(store.persist(0, b('k'))).toBe(false);
    expect(store.ttl(0, b('k'), 'seconds')).toBe(-1);
  });

  test('activeExpireCycle() deletes expired keys in databases with volatile keys', () => {
    const { store, now } = makeStore();
    for (let i = 0; i < 50; i++) store.set(i % 2, b(`v${i}`), b('x'), { expireAtMs: now.ms + 10 });
    for (let i = 0; i < 50; i++) store.set(0, b(`p${i}`), b('x'));
    now.ms += 11;
    let deleted = 0;
    for (let i = 0; i < 20 && deleted < 50; i++) deleted += store.activeExpireCycle(1000);
    expect(deleted).toBe(50);
    expect(store.stats().databases.slice(0, 2).map(({ keys, expires }) => ({ keys, expires }))).toEqual([{ keys: 50, expires: 0 }, { keys: 0, expires: 0 }]);
  });

  test('activeExpireCycle() estimates the average TTL of volatile keys (INFO avg_ttl)', () => {
    const { store, now } = makeStore();
    for (let i = 0; i < 100; i++) store.set(0, b(`v${i}`), b('x'), { expireAtMs: now.ms + 10_000 + i * 100 });
    expect(store.stats().databases[0].averageTtlMs).toBe(0);
    store.activeExpireCycle(1000);
    const averageTtlMs = store.stats().databases[0].averageTtlMs;
    expect(averageTtlMs).toBeGreaterThanOrEqual(10_000);
    expect(averageTtlMs).toBeLessThanOrEqual(19_900);
    store.flushDb(0);
    expect(store.stats().databases[0].averageTtlMs).toBe(0);
  });

  test('activeExpireCycle() resumes where a small bucket budget stopped it', () => {
    const { store, now } = makeStore();
    for (let i = 0; i < 64; i++) store.set(0, b(`v${i}`), b('x'), { expireAtMs: now.ms + 10 });
    now.ms += 11;
    let deleted = 0;
    let calls = 0;
    while (store.dbSize(0) > 0 && calls < 1000) {
      deleted += store.activeExpireCycle(1000, 2);
      calls++;
    }
    expect(deleted).toBe(64);
    expect(calls).toBeGreaterThan(1);
  });
});

describe('introspection', () => {
  test('OBJECT ENCODING reports int, embstr and raw as Redis does', () => {
    const { store } = makeStore();
    store.set(0, b('i'), b('1234'));
    store.set(0, b('neg'), b('-9223372036854775808'));
    store.set(0, b('lead'), b('012'));
    store.set(0, b('e'), b('x'.repeat(44)));
    store.set(0, b('r'), b('x'.repeat(45)));
    store.set(0, b('a'), b('x'));
    store.append(0, b('a'), b('y'));
    expect(['i', 'neg', 'lead', 'e', 'r', 'a'].map((key) => store.objectInfo(0, b(key))?.encoding))
      .toEqual(['int', 'int', 'embstr', 'embstr', 'raw', 'raw']);
    store.incrBy(0, b('c'), 1);
    expect(store.objectInfo(0, b('c'))?.encoding).toBe('int');
    expect(store.objectInfo(0, b('c'))?.refCount).toBe(2147483647);
    expect(store.objectInfo(0, b('i'))?.refCount).toBe(2147483647);
    expect(store.objectInfo(0, b('neg'))?.refCount).toBe(1);
    expect(store.objectInfo(0, b('missing'))).toBeNull();
  });

  test('OBJECT IDLETIME grows without access and resets on GET; OBJECT FREQ with lfu', () => {
    const { store, now } = makeStore();
    store.set(0, b('k'), b('v'));
    now.ms += 5000;
    expect(store.objectInfo(0, b('k'))?.idleTimeSeconds).toBe(5);
    store.get(0, b('k'));
    expect(store.objectInfo(0, b('k'))?.idleTimeSeconds).toBe(0);
    const lfu = makeStore({ accessClock: 'lfu' });
    lfu.store.set(0, b('k'), b('v'));
    expect(lfu.store.objectInfo(0, b('k'))?.frequency).toBe(5);
  });

  test('with lfu an overwrite keeps (and bumps) the access counter, as Redis does', () => {
    const { store } = makeStore({ accessClock: 'lfu' });
    store.set(0, b('k'), b('v'));
    for (let i = 0; i < 50; i++) store.get(0, b('k'));
    const before = store.objectInfo(0, b('k'))?.frequency ?? 0;
    expect(before).toBeGreaterThan(5);
    store.set(0, b('k'), b('w'.repeat(300)));
    expect(store.objectInfo(0, b('k'))?.frequency).toBeGreaterThanOrEqual(before);
  });

  test('MEMORY USAGE is at least the entry size and null for a missing key', () => {
    const { store } = makeStore();
    store.set(0, b('k'.repeat(16)), Buffer.alloc(100));
    const usage = store.memoryUsage(0, b('k'.repeat(16)));
    expect(usage).toBeGreaterThanOrEqual(24 + 16 + 100);
    expect(usage).toBeLessThan(200);
    expect(store.memoryUsage(0, b('none'))).toBeNull();
  });

  test('DEBUG DIGEST is 40 zeros when empty, order independent, and changes with any value', () => {
    const first = makeStore().store;
    const second = makeStore({ hashSeed: 99 }).store;
    expect(first.digest()).toBe('0'.repeat(40));
    first.set(0, b('a'), b('1'));
    first.set(1, b('b'), b('2'));
    second.set(1, b('b'), b('2'));
    second.set(0, b('a'), b('1'));
    expect(first.digest()).toBe(second.digest());
    expect(first.digest()).toMatch(/^[0-9a-f]{40}$/);
    second.set(0, b('a'), b('x'));
    expect(first.digest()).not.toBe(second.digest());
    expect(first.digestValue(0, b('a'))).toMatch(/^[0-9a-f]{40}$/);
    expect(first.digestValue(0, b('none'))).toBe('0'.repeat(40));
  });

  test('DEBUG DIGEST and DIGEST-VALUE give the digits redis-server 7.0.15 gave for the same data', () => {
    // Recorded from redis-server 7.0.15 (--enable-debug-command yes) after: SET a 1, SET bb
    // hello, SET n 12345, SET e v EX 1000, SELECT 3, SET a 1; then DEBUG DIGEST and DEBUG
    // DIGEST-VALUE a e zz. The integration differential test checks the same against a live
    // redis-server; this one runs without it.
    const { store, now } = makeStore();
    store.set(0, b('a'), b('1'));
    store.set(0, b('bb'), b('hello'));
    store.set(0, b('n'), b('12345'));
    store.set(0, b('e'), b('v'), { expireAtMs: now.ms + 1_000_000 });
    store.set(3, b('a'), b('1'));
    expect(store.digest()).toBe('d204329cb0486303f2a2e4e7583f68d79943892d');
    expect(store.digestValue(0, b('a'))).toBe('b4fc66738120fba0b5aa500ab5c2bf89cea1c5da');
    expect(store.digestValue(0, b('e'))).toBe('311b17018163335616e089f6b951c82c477335ac');
    expect(store.digestValue(0, b('zz'))).toBe('0'.repeat(40));
    // The expiry time is not part of the digest (only that there is one), as in Redis.
    store.set(0, b('e'), b('v'), { expireAtMs: now.ms + 5_000_000 });
    expect(store.digest()).toBe('d204329cb0486303f2a2e4e7583f68d79943892d');
    // DIGEST-VALUE reads a logically expired key and leaves it in place; DIGEST leaves it out.
    now.ms += 6_000_000;
    expect(store.digestValue(0, b('e'))).toBe('311b17018163335616e089f6b951c82c477335ac');
    expect(store.dbSize(0)).toBe(4);
    expect(store.digest()).not.toBe('d204329cb0486303f2a2e4e7583f68d79943892d');
  });

  test('the modification listener hears sets, deletes, expiries, renames, flushes and swaps', () => {
    const { store, now } = makeStore();
    const events: string[] = [];
    store.setModificationListener((db, key, swappedWith) => events.push(
      key === null ? `${db}:*${swappedWith}` : `${db}:${Buffer.from(key).toString()}`));
    store.set(0, b('a'), b('1'));
    store.get(0, b('a'));
    store.set(0, b('a'), b('2'), { condition: 'nx' });
    store.rename(0, b('a'), b('b'));
    store.set(0, b('t'), b('1'), { expireAtMs: now.ms + 1 });
    now.ms += 2;
    store.get(0, b('t'));
    store.del(0, b('b'));
    store.flushDb(3);
    store.swapDb(1, 2);
    expect(events).toEqual(['0:a', '0:a', '0:b', '0:t', '0:t', '0:b', '3:*-1', '1:*2']);
    store.setModificationListener(null);
    store.set(0, b('z'), b('1'));
    expect(events.length).toBe(8);
  });

  test('a flush or swap is announced before it happens, and the listener sees live keys without changing them', () => {
    const { store, now } = makeStore();
    store.set(0, b('kept'), b('1'));
    store.set(1, b('other'), b('2'));
    store.set(0, b('dying'), b('3'), { expireAtMs: now.ms + 1 });
    now.ms += 2;
    const seen: string[] = [];
    store.setModificationListener((db, key, swappedWith) => {
      if (key !== null) return;
      seen.push(`${db}/${swappedWith}: size ${store.dbSize(db)}, kept ${store.hasLiveKey(db, b('kept'))}, ` +
        `other ${store.hasLiveKey(db, b('other'))}, dying ${store.hasLiveKey(db, b('dying'))}`);
    });
    store.swapDb(0, 1);
    store.flushDb(0);
    expect(seen).toEqual([
      // Before the swap db 0 still holds its own keys; the expired one is not live, yet was not
      // reclaimed by asking (size 2 both times).
      '0/1: size 2, kept true, other false, dying false',
      '0/-1: size 1, kept false, other true, dying false',
    ]);
    expect(store.dbSize(1)).toBe(2);
    expect(store.get(1, b('kept'))).toEqual({ status: 'ok', value: b('1') });
  });
});

describe('memory and persistence', () => {
  test('outOfMemory changes nothing, and reads and deletes keep working', () => {
    const { store, heap } = makeStore({ pageSizeBytes: 64, maxMemoryBytes: 8192 });
    let failures = 0;
    let stored = 0;
    for (let i = 0; i < 200 && failures === 0; i++) {
      const result = store.set(0, b(`k${i}`), Buffer.alloc(100, i));
      if (result.status === 'outOfMemory') failures++;
      else stored++;
    }
    expect(failures).toBe(1);
    expect(store.dbSize(0)).toBe(stored);
    const before = heap.stats().bytesAllocated;
    expect(store.mset(0, [b('x1'), Buffer.alloc(100), b('x2'), Buffer.alloc(100)]).status).toBe('outOfMemory');
    expect(store.exists(0, b('x1'))).toBe(false);
    expect(store.append(0, b('k0'), Buffer.alloc(500)).status).toBe('outOfMemory');
    expect(heap.stats().bytesAllocated).toBe(before);
    expect(store.get(0, b('k0'))).toEqual({ status: 'ok', value: Buffer.alloc(100, 0) });
    expect(store.del(0, b('k0'))).toBe(true);
    expect(store.set(0, b('again'), Buffer.alloc(100)).status).toBe('ok');
  });

  test('attach() finds the same keyspace in a heap restored from its pages', () => {
    const { store, heap, now } = makeStore({ pageSizeBytes: 256 });
    for (let i = 0; i < 100; i++) store.set(i % 4, b(`key${i}`), b(`value${i}`), i % 3 === 0 ? { expireAtMs: now.ms + 1_000_000 } : {});
    const pages: { pageNumber: number; bytes: Uint8Array }[] = [];
    for (let pageNumber = 0; pageNumber < heap.pageCount; pageNumber++) {
      const bytes = new Uint8Array(heap.pageSizeBytes);
      if (heap.readPageImage(pageNumber, bytes)) pages.push({ pageNumber, bytes });
    }
    const restored = restoreHeap({ pageSizeBytes: 256, maxMemoryBytes: 0, segmentPageCount: 64 }, heap.layout(), pages);
    const attached = Store.attach(restored, { clock: () => now.ms });
    expect(attached.digest()).toBe(store.digest());
    expect(attached.stats().databases.map(({ keys, expires }) => ({ keys, expires }))).toEqual(store.stats().databases.map(({ keys, expires }) => ({ keys, expires })));
    expect(attached.get(1, b('key1'))).toEqual({ status: 'ok', value: b('value1') });
    attached.set(0, b('new'), b('1'));
    expect(attached.dbSize(0)).toBe(26);
  });

  test('attach() to a heap saved in the middle of an incremental rehash carries on with it', () => {
    const { store, heap, now } = makeStore({ pageSizeBytes: 256 });
    let count = 0;
    while (!(store.stats().isRehashing && count > 100)) store.set(0, b(`key${count++}`), b('v'));
    const pages: { pageNumber: number; bytes: Uint8Array }[] = [];
    for (let pageNumber = 0; pageNumber < heap.pageCount; pageNumber++) {
      const bytes = new Uint8Array(heap.pageSizeBytes);
      if (heap.readPageImage(pageNumber, bytes)) pages.push({ pageNumber, bytes });
    }
    const restored = restoreHeap({ pageSizeBytes: 256, maxMemoryBytes: 0, segmentPageCount: 64 }, heap.layout(), pages);
    const attached = Store.attach(restored, { clock: () => now.ms });
    expect(attached.stats().isRehashing).toBe(true);
    while (attached.rehashStep(1));
    expect(attached.stats().isRehashing).toBe(false);
    for (let i = 0; i < count; i++) expect(attached.exists(0, b(`key${i}`))).toBe(true);
    expect(attached.dbSize(0)).toBe(count);
  });

  test('attach() refuses a heap without a keyspace', () => {
    const heap = createHeap({ pageSizeBytes: 4096, maxMemoryBytes: 0 });
    expect(() => Store.attach(heap)).toThrow(/no keyspace directory/);
  });
});

describe('snapshot epochs', () => {
  test('reads copy no pages while an epoch is open (the access clock is not updated)', () => {
    const { store, heap, now } = makeStore();
    for (let i = 0; i < 100; i++) store.set(0, b(`k${i}`), b('v'));
    now.ms += 10_000;
    heap.openEpoch();
    for (let i = 0; i < 100; i++) store.get(0, b(`k${i}`));
    expect(heap.stats().pagesCopied).toBe(0);
    store.set(0, b('k1'), b('w'));
    expect(heap.stats().pagesCopied).toBeGreaterThan(0);
    heap.closeEpoch();
    expect(text(store, 'k1')).toBe('w');
  });
});
