/**
 * A heap-resident chained hash table with incremental rehash: Redis's dict.c, with bucket
 * arrays and entries living in the paged heap and every link stored as a u32 word address.
 *
 *   header (DICT_HEADER_BYTES, inside the store's directory)
 *   +------------+--------+------+------------+--------+------+--------------+
 *   | t0 buckets | t0 exp | t0 n | t1 buckets | t1 exp | t1 n | rehash index |
 *   +------------+--------+------+------------+--------+------+--------------+
 *   buckets: 2^exp u32 words, each the head of a chain linked through entry.next (offset 0)
 *
 * Why incremental: growing a table of millions of keys at once would stall the event loop;
 * instead each operation moves one bucket (and `rehash(budget)` moves more when idle), as Redis
 * does. While a snapshot epoch is open, resizing and rehashing (which touch many pages, each a
 * page copy) wait unless the load is past FORCE_RESIZE_RATIO, like Redis with a child process.
 * Invariants:
 * - Every entry is in exactly one chain; while rehashing, buckets of t0 below the rehash index
 *   are empty and new entries go to t1.
 * - The header in the heap always equals the cached fields (write-through), so a heap restored
 *   from a snapshot re-attaches with load().
 * - An empty table holds no bucket arrays (so deleting every key returns the heap to its empty
 *   allocation state).
 * - scan() implements Redis's reverse-binary cursor: an entry present for the whole scan is
 *   visited at least once even when the table grows, shrinks or rehashes between calls.
 * - Entries never move in memory here: only links change.
 */

import { NULL_ADDRESS, type Address, type Heap } from '../cow/heap.js';
import { ENTRY_HASH_OFFSET, ENTRY_NEXT_OFFSET } from './entry.js';

/** Bytes of a table header inside the directory. */
export const DICT_HEADER_BYTES = 28;
/** Buckets of a new table (Redis's DICT_HT_INITIAL_SIZE). */
export const DICT_INITIAL_SIZE_EXPONENT = 2;
/** Load (entries / buckets) that forces a resize even while a snapshot epoch is open. */
export const FORCE_RESIZE_RATIO = 5;
/** Shrink when entries * SHRINK_LOAD_DIVISOR < buckets (Redis 7 uses 10%). */
export const SHRINK_LOAD_DIVISOR = 8;
/** Empty buckets a rehash step may visit per bucket of budget (Redis's empty_visits). */
const EMPTY_VISITS_PER_BUCKET = 10;
/** Random bucket probes before randomEntry falls back to a linear walk. */
const RANDOM_PROBES_MAX = 1000;
const BUCKET_BYTES = 4;
const LARGEST_SIZE_EXPONENT = 30;

const T0_BUCKETS = 0;
const T0_EXPONENT = 4;
const T0_USED = 8;
const T1_BUCKETS = 12;
const T1_EXPONENT = 16;
const T1_USED = 20;
const REHASH_INDEX = 24;

/**
 * Buckets in a table of 2^exponent (exponent <= LARGEST_SIZE_EXPONENT, so the shift stays a
 * positive int32). Not `2 ** exponent`: with a variable exponent V8 calls its C pow(), which
 * was 5% of the server's CPU under redis-benchmark SET (perf record, 2026-12-01).
 */
function sizeOf(exponent: number): number {
  return 1 << exponent;
}

/** Bit-reverses a 32-bit unsigned integer (for the scan cursor). */
export function reverseBits32(value: number): number {
  let v = value >>> 0;
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  v = (v >>> 16) | (v << 16);
  return v >>> 0;
}

/** The next reverse-binary cursor after `cursor` for a table with `mask`. */
function nextCursor(cursor: number, mask: number): number {
  let v = (cursor | ~mask) >>> 0;
  v = reverseBits32(v);
  v = (v + 1) >>> 0;
  return reverseBits32(v);
}

/** One database's key table. The object is a cache of the header at `headerAddress`. */
export class HashTable {
  readonly #heap: Heap;
  readonly #header: Address;
  #buckets0: Address = NULL_ADDRESS;
  #exponent0 = 0;
  #used0 = 0;
  #buckets1: Address = NULL_ADDRESS;
  #exponent1 = 0;
  #used1 = 0;
  #rehashIndex = -1;
  #linkSlot: Address = NULL_ADDRESS;
  #linkTable: 0 | 1 = 0;

  /** Writes an empty table header at `headerAddress`. */
  static initialize(heap: Heap, headerAddress: Address): void {
    heap.fill(headerAddress, 0, DICT_HEADER_BYTES);
    heap.writeI32(headerAddress + REHASH_INDEX, -1);
  }

  constructor(heap: Heap, headerAddress: Address) {
    this.#heap = heap;
    this.#header = headerAddress;
    this.load();
  }

  /** Re-reads the header from the heap (after attach or after SWAPDB swapped headers). */
  load(): void {
    const heap = this.#heap;
    const header = this.#header;
    this.#buckets0 = heap.readAddress(header + T0_BUCKETS);
    this.#exponent0 = heap.readU32(header + T0_EXPONENT);
    this.#used0 = heap.readU32(header + T0_USED);
    this.#buckets1 = heap.readAddress(header + T1_BUCKETS);
    this.#exponent1 = heap.readU32(header + T1_EXPONENT);
    this.#used1 = heap.readU32(header + T1_USED);
    this.#rehashIndex = heap.readI32(header + REHASH_INDEX);
  }

  /** The link slot (bucket or previous entry's next field) pointing to the last find()'s entry. */
  get linkSlot(): Address {
    return this.#linkSlot;
  }

  /** The table (0 or 1) the last find() found its entry in. */
  get linkTable(): 0 | 1 {
    return this.#linkTable;
  }

  /** Entries in the table. */
  get count(): number {
    return this.#used0 + this.#used1;
  }

  get isRehashing(): boolean {
    return this.#rehashIndex !== -1;
  }

  /** Buckets in both tables (for MEMORY USAGE's share and stats). */
  get bucketCount(): number {
    return this.#tableSize(0) + (this.isRehashing ? this.#tableSize(1) : 0);
  }

  #tableSize(table: 0 | 1): number {
    if (table === 0) return this.#buckets0 === NULL_ADDRESS ? 0 : sizeOf(this.#exponent0);
    return this.#buckets1 === NULL_ADDRESS ? 0 : sizeOf(this.#exponent1);
  }

  /**
   * The entry whose key satisfies `equals` among entries with `hash`, or NULL_ADDRESS; sets
   * linkSlot to the slot that points to it. Does no rehash work (see step()).
   */
  find(hash: number, equals: (entry: Address) => boolean): Address {
    const heap = this.#heap;
    for (let table = 0; table < 2; table++) {
      const buckets = table === 0 ? this.#buckets0 : this.#buckets1;
      if (buckets === NULL_ADDRESS) continue;
      const mask = sizeOf(table === 0 ? this.#exponent0 : this.#exponent1) - 1;
      let slot = buckets + ((hash & mask) >>> 0) * BUCKET_BYTES;
      let entry = heap.readAddress(slot);
      while (entry !== NULL_ADDRESS) {
        if (heap.readU32(entry + ENTRY_HASH_OFFSET) === hash && equals(entry)) {
          this.#linkSlot = slot;
          this.#linkTable = table === 0 ? 0 : 1;
          return entry;
        }
        slot = entry + ENTRY_NEXT_OFFSET;
        entry = heap.readAddress(slot);
      }
      if (!this.isRehashing) break;
    }
    return NULL_ADDRESS;
  }

  /**
   * The first entry of the chain `hash` falls in (NULL_ADDRESS if none): in t1 for a bucket
   * already rehashed, else in t0. A hint for prefetching only: while rehashing, a key whose t0
   * bucket is not yet moved may also be in t1 (a new key), which find() still checks.
   */
  chainHead(hash: number): Address {
    if (this.#buckets0 === NULL_ADDRESS) return NULL_ADDRESS;
    const index0 = (hash & (sizeOf(this.#exponent0) - 1)) >>> 0;
    if (this.#rehashIndex !== -1 && index0 < this.#rehashIndex) {
      return this.#heap.readAddress(this.#buckets1 + ((hash & (sizeOf(this.#exponent1) - 1)) >>> 0) * BUCKET_BYTES);
    }
    return this.#heap.readAddress(this.#buckets0 + index0 * BUCKET_BYTES);
  }

  /** One bucket of rehash work, as every operation does in Redis (call before find()). */
  step(): void {
    if (this.isRehashing) this.rehash(1);
  }

  /**
   * Makes sure an insert can link an entry: allocates the first bucket array if there is none,
   * and starts a grow if the load calls for it (a failed grow is fine: chains get longer).
   * Returns false only if there is no bucket array and none can be allocated.
   */
  prepareInsert(): boolean {
    if (this.#buckets0 === NULL_ADDRESS) {
      return this.#allocateTable(0, DICT_INITIAL_SIZE_EXPONENT);
    }
    if (!this.isRehashing) {
      const size = sizeOf(this.#exponent0);
      const isLoaded = this.#used0 >= size;
      const isForced = this.#used0 / size > FORCE_RESIZE_RATIO;
      if ((isLoaded && !this.#heap.isEpochOpen) || isForced) {
        this.#startResize(exponentFor(this.#used0 + 1));
      }
    }
    return true;
  }

  /** Links a new entry (whose key is not in the table) at the head of its chain. */
  insert(entry: Address, hash: number): void {
    const heap = this.#heap;
    const table: 0 | 1 = this.isRehashing ? 1 : 0;
    const buckets = table === 0 ? this.#buckets0 : this.#buckets1;
    const mask = sizeOf(table === 0 ? this.#exponent0 : this.#exponent1) - 1;
    const slot = buckets + ((hash & mask) >>> 0) * BUCKET_BYTES;
    heap.writeAddress(entry + ENTRY_NEXT_OFFSET, heap.readAddress(slot));
    heap.writeAddress(slot, entry);
    this.#setUsed(table, (table === 0 ? this.#used0 : this.#used1) + 1);
  }

  /** Puts `replacement` where `entry` is (found through `linkSlot`): same key, same chain. */
  replace(linkSlot: Address, entry: Address, replacement: Address): void {
    const heap = this.#heap;
    heap.writeAddress(replacement + ENTRY_NEXT_OFFSET, heap.readAddress(entry + ENTRY_NEXT_OFFSET));
    heap.writeAddress(linkSlot, replacement);
  }

  /**
   * Unlinks `entry` (found through `linkSlot` in `linkTable`, as find() reported); the caller
   * frees it. May shrink the table.
   */
  remove(linkSlot: Address, linkTable: 0 | 1, entry: Address): void {
    const heap = this.#heap;
    heap.writeAddress(linkSlot, heap.readAddress(entry + ENTRY_NEXT_OFFSET));
    this.#setUsed(linkTable, -1, true);
    this.#shrinkIfNeeded();
  }

  #setUsed(table: 0 | 1, value: number, isDelta = false): void {
    const current = table === 0 ? this.#used0 : this.#used1;
    const next = isDelta ? current + value : value;
    if (table === 0) this.#used0 = next;
    else this.#used1 = next;
    this.#heap.writeU32(this.#header + (table === 0 ? T0_USED : T1_USED), next);
  }

  /**
   * Rehash work over up to `bucketBudget` buckets; true if more work remains that could be done
   * now (false when done, or while a snapshot epoch defers it: callers may loop on the result).
   */
  rehash(bucketBudget: number): boolean {
    if (!this.isRehashing) return false;
    if (this.#heap.isEpochOpen && !this.#isRehashForced()) return false;
    const heap = this.#heap;
    const size0 = sizeOf(this.#exponent0);
    const mask1 = sizeOf(this.#exponent1) - 1;
    let emptyVisits = bucketBudget * EMPTY_VISITS_PER_BUCKET;
    let budget = bucketBudget;
    let index = this.#rehashIndex;
    let moved = 0;
    while (budget-- > 0 && this.#used0 - moved > 0 && index < size0) {
      let slot = this.#buckets0 + index * BUCKET_BYTES;
      let entry = heap.readAddress(slot);
      while (entry === NULL_ADDRESS) {
        index++;
        if (--emptyVisits === 0 || index >= size0) break;
        slot = this.#buckets0 + index * BUCKET_BYTES;
        entry = heap.readAddress(slot);
      }
      if (entry === NULL_ADDRESS) break;
      while (entry !== NULL_ADDRESS) {
        const next = heap.readAddress(entry + ENTRY_NEXT_OFFSET);
        const target = this.#buckets1 + ((heap.readU32(entry + ENTRY_HASH_OFFSET) & mask1) >>> 0) * BUCKET_BYTES;
        heap.writeAddress(entry + ENTRY_NEXT_OFFSET, heap.readAddress(target));
        heap.writeAddress(target, entry);
        moved++;
        entry = next;
      }
      heap.writeAddress(slot, NULL_ADDRESS);
      index++;
    }
    if (moved > 0) {
      this.#setUsed(0, -moved, true);
      this.#setUsed(1, moved, true);
    }
    this.#setRehashIndex(index);
    if (this.#used0 === 0) this.#finishRehash();
    return this.isRehashing;
  }

  #isRehashForced(): boolean {
    const size0 = sizeOf(this.#exponent0);
    const size1 = sizeOf(this.#exponent1);
    return size0 > size1 ? size0 / size1 > FORCE_RESIZE_RATIO : size1 / size0 > FORCE_RESIZE_RATIO;
  }

  #finishRehash(): void {
    const heap = this.#heap;
    heap.free(this.#buckets0);
    this.#buckets0 = this.#buckets1;
    this.#exponent0 = this.#exponent1;
    this.#used0 = this.#used1;
    this.#buckets1 = NULL_ADDRESS;
    this.#exponent1 = 0;
    this.#used1 = 0;
    this.#rehashIndex = -1;
    this.#writeHeader();
  }

  #writeHeader(): void {
    const heap = this.#heap;
    const header = this.#header;
    heap.writeAddress(header + T0_BUCKETS, this.#buckets0);
    heap.writeU32(header + T0_EXPONENT, this.#exponent0);
    heap.writeU32(header + T0_USED, this.#used0);
    heap.writeAddress(header + T1_BUCKETS, this.#buckets1);
    heap.writeU32(header + T1_EXPONENT, this.#exponent1);
    heap.writeU32(header + T1_USED, this.#used1);
    heap.writeI32(header + REHASH_INDEX, this.#rehashIndex);
  }

  #setRehashIndex(index: number): void {
    this.#rehashIndex = index;
    this.#heap.writeI32(this.#header + REHASH_INDEX, index);
  }

  /** Allocates a zeroed bucket array for `table`; false if memory is out. */
  #allocateTable(table: 0 | 1, exponent: number): boolean {
    const sizeBytes = sizeOf(exponent) * BUCKET_BYTES;
    const buckets = this.#heap.allocate(sizeBytes);
    if (buckets === NULL_ADDRESS) return false;
    this.#heap.fill(buckets, 0, sizeBytes);
    if (table === 0) {
      this.#buckets0 = buckets;
      this.#exponent0 = exponent;
    } else {
      this.#buckets1 = buckets;
      this.#exponent1 = exponent;
    }
    this.#writeHeader();
    return true;
  }

  /** Starts an incremental resize to 2^exponent buckets (no-op if memory is out). */
  #startResize(exponent: number): void {
    if (exponent === this.#exponent0) return;
    if (!this.#allocateTable(1, exponent)) return;
    this.#setRehashIndex(0);
  }

  #shrinkIfNeeded(): void {
    if (this.#used0 + this.#used1 === 0) {
      this.#releaseTables();
      return;
    }
    if (this.isRehashing) return;
    const size = sizeOf(this.#exponent0);
    if (this.#exponent0 <= DICT_INITIAL_SIZE_EXPONENT) return;
    const divisor = this.#heap.isEpochOpen ? SHRINK_LOAD_DIVISOR * FORCE_RESIZE_RATIO : SHRINK_LOAD_DIVISOR;
    if (this.#used0 * divisor < size) this.#startResize(exponentFor(this.#used0));
  }

  /** Frees the bucket arrays of an empty table. */
  #releaseTables(): void {
    if (this.#buckets0 !== NULL_ADDRESS) this.#heap.free(this.#buckets0);
    if (this.#buckets1 !== NULL_ADDRESS) this.#heap.free(this.#buckets1);
    this.#buckets0 = NULL_ADDRESS;
    this.#buckets1 = NULL_ADDRESS;
    this.#exponent0 = 0;
    this.#exponent1 = 0;
    this.#used0 = 0;
    this.#used1 = 0;
    this.#rehashIndex = -1;
    this.#writeHeader();
  }

  /**
   * Unlinks every entry, hands each to `release` (which frees it) and frees the bucket arrays.
   */
  clear(release: (entry: Address) => void): void {
    this.forEach((entry) => release(entry));
    this.#releaseTables();
  }

  /** Calls visit for every entry; visit may free the entry it gets but change nothing else. */
  forEach(visit: (entry: Address) => void): void {
    const heap = this.#heap;
    for (let table = 0; table < 2; table++) {
      const buckets = table === 0 ? this.#buckets0 : this.#buckets1;
      if (buckets === NULL_ADDRESS) continue;
      const size = sizeOf(table === 0 ? this.#exponent0 : this.#exponent1);
      for (let index = 0; index < size; index++) {
        let entry = heap.readAddress(buckets + index * BUCKET_BYTES);
        while (entry !== NULL_ADDRESS) {
          const next = heap.readAddress(entry + ENTRY_NEXT_OFFSET);
          visit(entry);
          entry = next;
        }
      }
    }
  }

  /**
   * One SCAN step from `cursor` (Redis's dictScan): visits the entries of one bucket (and its
   * expansions in the larger table while rehashing) and returns the next cursor, 0 at the end.
   * visit must not modify the table.
   */
  scan(cursor: number, visit: (entry: Address) => void): number {
    if (this.count === 0) return 0;
    let v = cursor >>> 0;
    if (!this.isRehashing) {
      const mask = sizeOf(this.#exponent0) - 1;
      this.#visitChain(this.#buckets0 + ((v & mask) >>> 0) * BUCKET_BYTES, visit);
      return nextCursor(v, mask);
    }
    let small = this.#buckets0;
    let large = this.#buckets1;
    let mask0 = sizeOf(this.#exponent0) - 1;
    let mask1 = sizeOf(this.#exponent1) - 1;
    if (mask0 > mask1) {
      [small, large] = [large, small];
      [mask0, mask1] = [mask1, mask0];
    }
    this.#visitChain(small + ((v & mask0) >>> 0) * BUCKET_BYTES, visit);
    do {
      this.#visitChain(large + ((v & mask1) >>> 0) * BUCKET_BYTES, visit);
      v = nextCursor(v, mask1);
    } while (((v & (mask0 ^ mask1)) >>> 0) !== 0);
    return v;
  }

  #visitChain(slot: Address, visit: (entry: Address) => void): void {
    let entry = this.#heap.readAddress(slot);
    while (entry !== NULL_ADDRESS) {
      const next = this.#heap.readAddress(entry + ENTRY_NEXT_OFFSET);
      visit(entry);
      entry = next;
    }
  }

  /** A random entry (uniform bucket, then uniform within the chain), or NULL_ADDRESS if empty. */
  randomEntry(random: () => number): Address {
    if (this.count === 0) return NULL_ADDRESS;
    const heap = this.#heap;
    const size0 = this.#tableSize(0);
    const size1 = this.isRehashing ? this.#tableSize(1) : 0;
    const first = this.isRehashing ? this.#rehashIndex : 0;
    const span = size0 + size1 - first;
    for (let probe = 0; probe < RANDOM_PROBES_MAX + span; probe++) {
      const offset = probe < RANDOM_PROBES_MAX
        ? Math.floor(random() * span)
        : (probe - RANDOM_PROBES_MAX);
      const index = first + offset;
      const slot = index < size0
        ? this.#buckets0 + index * BUCKET_BYTES
        : this.#buckets1 + (index - size0) * BUCKET_BYTES;
      const head = heap.readAddress(slot);
      if (head === NULL_ADDRESS) continue;
      let length = 0;
      for (let entry = head; entry !== NULL_ADDRESS; entry = heap.readAddress(entry + ENTRY_NEXT_OFFSET)) length++;
      let pick = Math.floor(random() * length);
      let entry = head;
      while (pick-- > 0) entry = heap.readAddress(entry + ENTRY_NEXT_OFFSET);
      return entry;
    }
    return NULL_ADDRESS;
  }
}

/** The exponent of the smallest power-of-two table (>= initial size) holding `count` entries. */
export function exponentFor(count: number): number {
  let exponent = DICT_INITIAL_SIZE_EXPONENT;
  while (sizeOf(exponent) < count && exponent < LARGEST_SIZE_EXPONENT) exponent++;
  return exponent;
}
