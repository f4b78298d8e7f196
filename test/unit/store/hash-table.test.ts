/** Unit tests of the heap-resident hash table: linking, growth by incremental rehash, shrink,
 *  release of an empty table, the scan cursor and random entries. */
import { describe, expect, test } from 'vitest';
import { createHeap } from '../../../src/cow/paged-heap.js';
import { NULL_ADDRESS, type Address, type Heap } from '../../../src/cow/heap.js';
import { ENTRY_HASH_OFFSET } from '../../../src/store/entry.js';
import { DICT_HEADER_BYTES, HashTable, exponentFor, reverseBits32 } from '../../../src/store/hash-table.js';

interface Fixture {
  heap: Heap;
  table: HashTable;
  emptyBytes: number;
}

function makeTable(pageSizeBytes = 4096): Fixture {
  const heap = createHeap({ pageSizeBytes, maxMemoryBytes: 0, segmentPageCount: 256 });
  const header = heap.allocate(DICT_HEADER_BYTES);
  HashTable.initialize(heap, header);
  return { heap, table: new HashTable(heap, header), emptyBytes: heap.stats().bytesAllocated };
}

/** A minimal entry: 24 header bytes with next = null and the hash set. */
function makeEntry(heap: Heap, hash: number): Address {
  const entry = heap.allocate(24);
  heap.fill(entry, 0, 24);
  heap.writeU32(entry + ENTRY_HASH_OFFSET, hash >>> 0);
  return entry;
}

function add(fixture: Fixture, hash: number): Address {
  const entry = makeEntry(fixture.heap, hash);
  fixture.table.step(); // as every store operation does
  expect(fixture.table.prepareInsert()).toBe(true);
  fixture.table.insert(entry, hash);
  return entry;
}

function findEntry(table: HashTable, entry: Address, hash: number): Address {
  return table.find(hash, (candidate) => candidate === entry);
}

function drainRehash(table: HashTable): void {
  while (table.rehash(100));
}

describe('HashTable', () => {
  test('find() returns what insert() linked, and remove() unlinks it', () => {
    const fixture = makeTable();
    const entry = add(fixture, 42);
    expect(findEntry(fixture.table, entry, 42)).toBe(entry);
    expect(fixture.table.count).toBe(1);
    fixture.table.remove(fixture.table.linkSlot, fixture.table.linkTable, entry);
    expect(findEntry(fixture.table, entry, 42)).toBe(NULL_ADDRESS);
    expect(fixture.table.count).toBe(0);
  });

  test('chainHead() names the chain find() walks first for a hash: t0 until its bucket is rehashed, then t1', () => {
    const fixture = makeTable();
    const { heap, table } = fixture;
    expect(table.chainHead(5)).toBe(NULL_ADDRESS);
    const chainHolds = (entry: Address, hash: number): boolean => {
      for (let at = table.chainHead(hash); at !== NULL_ADDRESS; at = heap.readAddress(at)) if (at === entry) return true;
      return false;
    };
    const entries: Array<[Address, number]> = [];
    let checkedInT0WhileRehashing = 0;
    let namedInT1WhileRehashing = 0;
    for (let index = 0; index < 200; index++) {
      const hash = Math.imul(index + 1, 0x9e3779b1) >>> 0;
      entries.push([add(fixture, hash), hash]);
      for (const [entry, entryHash] of entries) {
        expect(findEntry(table, entry, entryHash)).toBe(entry);
        if (!table.isRehashing) {
          expect(chainHolds(entry, entryHash)).toBe(true);
        } else if (table.linkTable === 0) {
          // Still in t0, so its t0 bucket is not rehashed yet: that is the chain named.
          expect(chainHolds(entry, entryHash)).toBe(true);
          checkedInT0WhileRehashing++;
        } else if (chainHolds(entry, entryHash)) {
          // In t1 and named: its t0 bucket was rehashed (a new key whose t0 bucket was not is
          // found by find() in t1 after t0, and chainHead() names t0's chain for it).
          namedInT1WhileRehashing++;
        }
      }
    }
    expect(checkedInT0WhileRehashing).toBeGreaterThan(0);
    expect(namedInT1WhileRehashing).toBeGreaterThan(0);
    drainRehash(table);
    for (const [entry, entryHash] of entries) expect(chainHolds(entry, entryHash)).toBe(true);
  });

  test('entries with colliding hashes share a chain and stay findable', () => {
    const fixture = makeTable();
    const entries = [add(fixture, 7), add(fixture, 7), add(fixture, 7)];
    for (const entry of entries) expect(findEntry(fixture.table, entry, 7)).toBe(entry);
    fixture.table.find(7, (candidate) => candidate === entries[1]);
    fixture.table.remove(fixture.table.linkSlot, fixture.table.linkTable, entries[1]);
    expect(findEntry(fixture.table, entries[0], 7)).toBe(entries[0]);
    expect(findEntry(fixture.table, entries[2], 7)).toBe(entries[2]);
  });

  test('grows at load 1 by incremental rehash and keeps every entry findable meanwhile', () => {
    const fixture = makeTable();
    const entries: [Address, number][] = [];
    let sawRehashing = false;
    for (let i = 0; i < 200; i++) {
      const hash = Math.imul(i + 1, 0x9e3779b1) >>> 0;
      fixture.table.step();
      entries.push([add(fixture, hash), hash]);
      sawRehashing ||= fixture.table.isRehashing;
      for (const [entry, entryHash] of entries) expect(findEntry(fixture.table, entry, entryHash)).toBe(entry);
    }
    expect(sawRehashing).toBe(true);
    drainRehash(fixture.table);
    expect(fixture.table.bucketCount).toBe(256);
  });

  test('shrinks below 1/8 load and frees its buckets when it becomes empty', () => {
    const fixture = makeTable();
    const entries: [Address, number][] = [];
    for (let i = 0; i < 100; i++) entries.push([add(fixture, i * 2654435761), (i * 2654435761) >>> 0]);
    drainRehash(fixture.table);
    const grownBuckets = fixture.table.bucketCount;
    for (const [entry, hash] of entries.slice(0, 95)) {
      fixture.table.step();
      expect(findEntry(fixture.table, entry, hash)).toBe(entry);
      fixture.table.remove(fixture.table.linkSlot, fixture.table.linkTable, entry);
      fixture.heap.free(entry);
    }
    drainRehash(fixture.table);
    expect(fixture.table.bucketCount).toBeLessThan(grownBuckets);
    for (const [entry, hash] of entries.slice(95)) {
      expect(findEntry(fixture.table, entry, hash)).toBe(entry);
      fixture.table.remove(fixture.table.linkSlot, fixture.table.linkTable, entry);
      fixture.heap.free(entry);
    }
    expect(fixture.table.bucketCount).toBe(0);
    expect(fixture.heap.stats().bytesAllocated).toBe(fixture.emptyBytes);
  });

  test('defers growth while a snapshot epoch is open unless the load passes the forced ratio', () => {
    const fixture = makeTable();
    for (let i = 0; i < 4; i++) add(fixture, i);
    fixture.heap.openEpoch();
    add(fixture, 100);
    expect(fixture.table.isRehashing).toBe(false);
    for (let i = 0; i < 20; i++) add(fixture, 200 + i);
    expect(fixture.table.isRehashing).toBe(true);
    fixture.heap.closeEpoch();
  });

  test('an ordinary rehash waits while an epoch is open, and rehash() says there is nothing to do', () => {
    const fixture = makeTable();
    for (let i = 0; i < 4; i++) add(fixture, i);
    add(fixture, 4); // load 1 reached: a grow starts
    expect(fixture.table.isRehashing).toBe(true);
    fixture.heap.openEpoch();
    expect(fixture.table.rehash(100)).toBe(false);
    expect(fixture.table.isRehashing).toBe(true);
    expect(fixture.heap.stats().pagesCopied).toBe(0);
    fixture.heap.closeEpoch();
    drainRehash(fixture.table);
    expect(fixture.table.isRehashing).toBe(false);
  });

  test('load() re-reads the same state from the heap header', () => {
    const fixture = makeTable();
    for (let i = 0; i < 50; i++) add(fixture, i * 31);
    const header = fixture.table;
    const before = [header.count, header.bucketCount, header.isRehashing];
    header.load();
    expect([header.count, header.bucketCount, header.isRehashing]).toEqual(before);
  });

  test('scan() visits every entry once in a stable table and ends with cursor 0', () => {
    const fixture = makeTable();
    const entries = new Set<Address>();
    for (let i = 0; i < 37; i++) entries.add(add(fixture, i * 7919));
    drainRehash(fixture.table);
    const visited: Address[] = [];
    let cursor = 0;
    do cursor = fixture.table.scan(cursor, (entry) => visited.push(entry)); while (cursor !== 0);
    expect(visited.length).toBe(entries.size);
    expect(new Set(visited)).toEqual(entries);
  });

  test('randomEntry() returns entries of the table and null when empty', () => {
    const fixture = makeTable();
    let seed = 1;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    expect(fixture.table.randomEntry(random)).toBe(NULL_ADDRESS);
    const entries = new Set<Address>();
    for (let i = 0; i < 10; i++) entries.add(add(fixture, i * 13));
    const picked = new Set<Address>();
    for (let i = 0; i < 200; i++) picked.add(fixture.table.randomEntry(random));
    for (const entry of picked) expect(entries.has(entry)).toBe(true);
    expect(picked.size).toBeGreaterThan(5);
  });
});

describe('cursor helpers', () => {
  test('reverseBits32() reverses all 32 bits', () => {
    expect(reverseBits32(1)).toBe(0x80000000);
    expect(reverseBits32(0x80000000)).toBe(1);
    expect(reverseBits32(0xf0)).toBe(0x0f000000);
    expect(reverseBits32(reverseBits32(0x12345678))).toBe(0x12345678);
  });

  test('exponentFor() gives the smallest table of at least 4 buckets that holds the count', () => {
    expect(exponentFor(0)).toBe(2);
    expect(exponentFor(5)).toBe(3);
    expect(exponentFor(8)).toBe(3);
    expect(exponentFor(9)).toBe(4);
  });
});
