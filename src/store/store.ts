/**
 * The keyspace: 16 (configurable) databases of keys on the paged heap, with Redis's string and
 * keyspace commands as methods that return results, never replies.
 * Why: the server maps each command onto one call here; keeping Redis semantics in this layer
 * (NX/XX/GET/KEEPTTL, lazy expiry, INCR's integer rules, SCAN's guarantee) means every
 * protocol front end and every test sees the same behaviour.
 * Invariants:
 * - Every key passed in is a byte string (Uint8Array/Buffer); every key or value handed back is
 *   a fresh Buffer the caller owns (except StringRef, valid only until the next store call).
 * - Every read or write path first deletes the key if its expiry has passed (lazy expiry), so no
 *   caller ever observes an expired key.
 * - An operation that returns `outOfMemory` has changed nothing visible; reads and deletes never
 *   need memory and keep working when the heap is full.
 * - All heap mutation goes through the Heap write API (src/cow); no other memory holds keys.
 * Parameter convention: `(db, key, ...)` come first because they name the object acted on;
 * everything optional is an options object. Database indices are the server's to validate
 * (an index out of range is a bug and fails an assert).
 * Choices: expiry is a per-entry field (no separate expires dict); active expiry walks each
 * volatile database's table with a SCAN cursor under a time budget, and a per-db count of keys
 * with an expiry lets it skip the others. The access clock is not updated while a snapshot
 * epoch is open (Redis skips it with a child process), so reads never copy pages.
 * Redis semantics kept on purpose: a key is live at its expiry instant (expired when now > at);
 * SET/EXPIRE with a time not in the future deletes the key; DBSIZE counts expired keys not yet
 * reclaimed; KEYS filters expired keys without deleting them; SCAN deletes those it meets.
 * Not here: argv parsing, reply encoding, error texts (src/server), snapshots (src/snapshot).
 */

import assert from 'node:assert/strict';
import { NULL_ADDRESS, type Address, type Heap } from '../cow/heap.js';
import {
  initialAccess, lfuDecayedCounter, lruIdleMs, touchedAccess, type AccessClockKind, type LfuTuning,
} from './access-clock.js';
import {
  ENCODING_EMBSTR, ENCODING_INT, ENCODING_RAW, ENTRY_ACCESS_OFFSET, ENTRY_EXPIRY_OFFSET,
  ENTRY_FLAG_HAS_EXPIRY, ENTRY_FLAGS_OFFSET, ENTRY_HASH_OFFSET, ENTRY_KEY_LENGTH_OFFSET, TYPE_STRING,
  entryEncoding, entryExpireAtMs, entryHasExpiry, entryKey, entryKeyAddress, entryKeyLength,
  entrySizeBytes, entryType, entryValue, entryValueAddress, entryValueCapacity, entryValueLength,
  keyOffset, setEntryAccess, setEntryEncoding, setEntryExpireAtMs, setEntryValueLength,
  stringEncodingFor, writeEntryHeader,
} from './entry.js';
import { DatasetDigest, valueDigest } from './dataset-digest.js';
import { globMatch, isMatchAll } from './glob.js';
import { DICT_HEADER_BYTES, HashTable } from './hash-table.js';
import { hashKey } from './key-hash.js';
import {
  FLOAT_TEXT_BYTES_MAX, addLongDouble, formatLongDouble, longDoubleFromNumber, parseLongDouble,
  type LongDouble,
} from './long-double.js';
import { I64_MAX, I64_MIN, I64_TEXT_BYTES_MAX, addI64, parseI64, writeSafeIntegerText } from './string-number.js';

/** Redis's default number of databases (SELECT 0..15). */
export const DATABASE_COUNT_DEFAULT = 16;
/** Default longest result of APPEND/SETRANGE (Redis's proto-max-bulk-len, 512 MiB). */
export const STRING_BYTES_MAX = 512 * 1024 * 1024;
/** Heap root slot holding the store's directory address unless StoreOptions.rootSlot says else. */
export const STORE_ROOT_SLOT_DEFAULT = 0;
/** OBJECT REFCOUNT of a shared small integer in Redis (OBJ_SHARED_REFCOUNT). */
export const SHARED_REFCOUNT = 2147483647;

/** The value types a key can hold (TYPE's replies, minus 'none'). */
export type ValueType = 'string' | 'list' | 'hash' | 'set' | 'zset';

/** OBJECT ENCODING names, as Redis reports them. */
export type ObjectEncoding =
  | 'int' | 'embstr' | 'raw' | 'listpack' | 'quicklist' | 'hashtable' | 'intset' | 'skiplist';

export interface StoreOptions {
  /** Number of databases; default DATABASE_COUNT_DEFAULT. Must match on attach. */
  readonly databases?: number;
  /** Milliseconds since the epoch; default Date.now. Tests inject a fake clock. */
  readonly clock?: () => number;
  /** Seed of the key hash; default random. Ignored on attach (the heap remembers its seed). */
  readonly hashSeed?: number;
  /** Heap root slot for the directory; default STORE_ROOT_SLOT_DEFAULT. */
  readonly rootSlot?: number;
  /** Which access clock entries keep: 'lru' (idle seconds) or 'lfu' (Redis's log counter). */
  readonly accessClock?: 'lru' | 'lfu';
  /** Longest string APPEND/SETRANGE may produce (Redis's proto-max-bulk-len); default
   *  STRING_BYTES_MAX. */
  readonly stringBytesMax?: number;
  /** LFU tuning, Redis's lfu-log-factor (default 10) and lfu-decay-time minutes (default 1). */
  readonly lfuLogFactor?: number;
  readonly lfuDecayTimeMinutes?: number;
}

/** Opaque handle to a string value in the heap, valid until the next call into the store. */
export type StringRef = number;
/** lookupStringRef's answers that are not a ref. */
export const STRING_REF_MISSING = 0;
export const STRING_REF_WRONG_TYPE = -1;

export type GetResult =
  | { readonly status: 'ok'; readonly value: Buffer }
  | { readonly status: 'missing' }
  | { readonly status: 'wrongType' };

/** GETEX may need memory to add an expiry field to the entry. */
export type GetExResult = GetResult | { readonly status: 'outOfMemory' };

export type LookupStringResult =
  | { readonly status: 'ok'; readonly length: number; readonly ref: StringRef }
  | { readonly status: 'missing' }
  | { readonly status: 'wrongType' };

export interface SetOptions {
  /** NX: only if the key does not exist; XX: only if it does. */
  readonly condition?: 'nx' | 'xx';
  /** GET: report the previous value (fails with wrongType if it is not a string). */
  readonly get?: boolean;
  /** KEEPTTL: keep the existing expiry (otherwise SET clears it). */
  readonly keepTtl?: boolean;
  /**
   * Absolute expiry in ms since the epoch (the server turns EX/PX/EXAT/PXAT into this).
   * A time already past sets the key and deletes it at once, as Redis does.
   */
  readonly expireAtMs?: number;
}

export type SetResult =
  /** `previous`: the old string with options.get (null if there was none), else null. */
  | { readonly status: 'ok'; readonly previous: Buffer | null }
  /** The NX/XX condition did not hold; nothing changed. `previous` as for 'ok'. */
  | { readonly status: 'notSet'; readonly previous: Buffer | null }
  /** options.get and the old value is not a string; nothing changed. */
  | { readonly status: 'wrongType' }
  | { readonly status: 'outOfMemory' };

export type MsetResult =
  | { readonly status: 'ok' }
  /** MSETNX and at least one key existed; nothing changed. */
  | { readonly status: 'notSet' }
  | { readonly status: 'outOfMemory' };

export interface GetExOptions {
  /** New absolute expiry (EX/PX/EXAT/PXAT); a past time deletes the key after reading it. */
  readonly expireAtMs?: number;
  /** PERSIST: remove the expiry. */
  readonly persist?: boolean;
}

export type LengthResult =
  | { readonly status: 'ok'; readonly length: number }
  | { readonly status: 'wrongType' }
  /** The result would exceed STRING_BYTES_MAX; nothing changed. */
  | { readonly status: 'tooLarge' }
  | { readonly status: 'outOfMemory' };

export type StrlenResult =
  | { readonly status: 'ok'; readonly length: number }
  | { readonly status: 'wrongType' };

export type GetRangeResult =
  | { readonly status: 'ok'; readonly value: Buffer }
  | { readonly status: 'wrongType' };

export type IncrResult =
  /** The new value: a number when it is a safe integer, else a bigint (always within i64). */
  | { readonly status: 'ok'; readonly value: number | bigint }
  | { readonly status: 'wrongType' }
  /** "value is not an integer or out of range" */
  | { readonly status: 'notInteger' }
  /** "increment or decrement would overflow" */
  | { readonly status: 'overflow' }
  | { readonly status: 'outOfMemory' };

export type IncrFloatResult =
  /** `text`: the new value as Redis formats it (%.17Lg, trailing zeros trimmed). */
  | { readonly status: 'ok'; readonly text: string }
  | { readonly status: 'wrongType' }
  /** "value is not a valid float" */
  | { readonly status: 'notFloat' }
  /** "increment would produce NaN or Infinity" */
  | { readonly status: 'nanOrInfinity' }
  | { readonly status: 'outOfMemory' };

export type RenameResult =
  | { readonly status: 'ok' }
  /** The source key does not exist ("no such key"). */
  | { readonly status: 'missing' }
  /** RENAMENX and the target exists; nothing changed. */
  | { readonly status: 'notSet' }
  | { readonly status: 'outOfMemory' };

export type MoveResult =
  | { readonly status: 'ok' }
  | { readonly status: 'missing' }
  /** The key already exists in the target database; nothing changed. */
  | { readonly status: 'exists' }
  /** The target database needed its first bucket array and memory is out; nothing changed. */
  | { readonly status: 'outOfMemory' };

export interface CopyOptions {
  /** DB: the target database; default the source's. */
  readonly targetDb?: number;
  /** REPLACE: overwrite an existing target. */
  readonly replace?: boolean;
}

export type CopyResult =
  | { readonly status: 'ok' }
  | { readonly status: 'missing' }
  /** The target exists and REPLACE was not given (or source and target are the same key). */
  | { readonly status: 'exists' }
  | { readonly status: 'outOfMemory' };

export interface ExpireOptions {
  /** NX: only if no expiry; XX: only if one; GT/LT: only if the new time is later/earlier. */
  readonly condition?: 'nx' | 'xx' | 'gt' | 'lt';
}

export type ExpireResult =
  /** The expiry was set, or the key deleted because the time is not in the future. */
  | { readonly status: 'ok' }
  | { readonly status: 'missing' }
  /** The NX/XX/GT/LT condition did not hold; nothing changed. */
  | { readonly status: 'notSet' }
  /** Adding an expiry to the entry needed memory and memory is out; nothing changed. */
  | { readonly status: 'outOfMemory' };

export interface ScanOptions {
  /** MATCH pattern (Redis glob). */
  readonly match?: Uint8Array;
  /** COUNT hint: about this many buckets' worth of work (default 10). */
  readonly count?: number;
  /** TYPE filter. */
  readonly type?: ValueType;
}

export interface ScanResult {
  /** Next cursor; 0 when the iteration is complete. */
  readonly cursor: number;
  readonly keys: Buffer[];
}

export interface ObjectInfo {
  readonly encoding: ObjectEncoding;
  /** Seconds since last access (meaningful with accessClock 'lru'). */
  readonly idleTimeSeconds: number;
  /** LFU logarithmic access counter (meaningful with accessClock 'lfu'). */
  readonly frequency: number;
  readonly refCount: number;
}

/** One key as forEachEntry shows it. */
export interface EntryView {
  readonly key: Buffer;
  readonly type: ValueType;
  /** The string value (other types: their serialized value, once they exist). */
  readonly value: Buffer;
  /** Absolute expiry in ms, or -1 for none. */
  readonly expireAtMs: number;
}

export interface DatabaseStats {
  readonly keys: number;
  /** Keys with an expiry. */
  readonly expires: number;
  /** INFO keyspace's avg_ttl: an estimate from active expiry's samples (0 until it has some). */
  readonly averageTtlMs: number;
}

export interface StoreStats {
  /** Keys deleted because they expired (lazy and active): Redis's expired_keys. */
  readonly expiredKeys: number;
  /** GET-like reads that found / did not find the key: keyspace_hits / keyspace_misses. */
  readonly keyspaceHits: number;
  readonly keyspaceMisses: number;
  /** Per database, index = db number. */
  readonly databases: readonly DatabaseStats[];
  /** True while some table is being rehashed incrementally. */
  readonly isRehashing: boolean;
}

/**
 * Called on every real modification.
 * - One key (`key` set, `swappedWith` undefined): after the change. The key is the caller's
 *   bytes, not a copy (a copy per write cost INCR a few percent): valid during the call only; a
 *   listener that keeps it must copy it.
 * - A whole database (`key` null): FLUSHDB, and FLUSHALL once per database, with `swappedWith`
 *   -1; SWAPDB once, with `db` the first database and `swappedWith` the second (which may be the
 *   same). Called *before* the change, so the listener can still see what the databases hold:
 *   Redis dirties only the watchers of keys that exist, and counts a flush's changes as the
 *   keys it removes.
 * A listener may read the store (dbSize, hasLiveKey) but must not modify it.
 */
export type ModificationListener = (db: number, key: Uint8Array | null, swappedWith?: number) => void;

/** TTL / EXPIRETIME units. */
export type TimeUnit = 'seconds' | 'milliseconds';

/*
 * The directory: one allocation whose address is in a heap root slot.
 *
 *   0   magic u32          12  hash seed u32
 *   4   layout version     16  database 0 header: table header (DICT_HEADER_BYTES), expires u32
 *   8   database count     48  database 1 header ...
 */

/** Directory magic ("CKVS") and layout version: attach refuses anything else. */
const DIRECTORY_MAGIC = 0x53564b43;
const DIRECTORY_LAYOUT_VERSION = 1;
const DIRECTORY_HEADER_BYTES = 16;
const DIRECTORY_DATABASE_COUNT_OFFSET = 8;
const DIRECTORY_SEED_OFFSET = 12;
/** Per database: the table header, then the count of keys with an expiry. */
const DB_HEADER_BYTES = 32;
const DB_EXPIRES_OFFSET = DICT_HEADER_BYTES;
/** Redis's defaults for lfu-log-factor and lfu-decay-time. */
const LFU_LOG_FACTOR_DEFAULT = 10;
const LFU_DECAY_TIME_MINUTES_DEFAULT = 1;
/** Bytes of one bucket (a u32 word address), for MEMORY USAGE's share of the bucket array. */
const BUCKET_BYTES = 4;
/** Databases a store may have (a directory fits in one small allocation). */
export const DATABASE_COUNT_MAX = 1024;
/** SCAN's default COUNT and its bound on bucket visits per call (Redis: count * 10). */
const SCAN_COUNT_DEFAULT = 10;
const SCAN_ITERATIONS_PER_COUNT = 10;
/** SET rewrites an entry in place unless that would waste more than this beyond 2x. */
const IN_PLACE_SLACK_BYTES = 64;
/** APPEND/SETRANGE growth: double up to this, then add this much (SDS's SDS_MAX_PREALLOC). */
const PREALLOCATION_BYTES_MAX = 1024 * 1024;
/** Buckets between clock checks in activeExpireCycle. */
const EXPIRE_BUCKETS_PER_CLOCK_CHECK = 16;
/** Volatile keys per avg_ttl sample, and the smoothing of the estimate (Redis: 20 and 50). */
const AVG_TTL_SAMPLE_COUNT = 20;
const AVG_TTL_SMOOTHING = 50;
/** Shared small integers in Redis: OBJECT REFCOUNT reports SHARED_REFCOUNT for 0..9999. */
const SHARED_INTEGERS = 10_000;
const EMPTY_BUFFER = Buffer.alloc(0);

const MISSING = Object.freeze({ status: 'missing' as const });
const WRONG_TYPE = Object.freeze({ status: 'wrongType' as const });
const OUT_OF_MEMORY = Object.freeze({ status: 'outOfMemory' as const });
const TOO_LARGE = Object.freeze({ status: 'tooLarge' as const });
const OK = Object.freeze({ status: 'ok' as const });
const NOT_SET = Object.freeze({ status: 'notSet' as const });
const EXISTS = Object.freeze({ status: 'exists' as const });
const SET_OK = Object.freeze({ status: 'ok' as const, previous: null });
const EMPTY_RANGE = Object.freeze({ status: 'ok' as const, value: EMPTY_BUFFER });

const TYPE_NAMES: readonly ValueType[] = ['string', 'list', 'set', 'zset', 'hash'];
const ENCODING_NAMES: Readonly<Record<number, ObjectEncoding>> = {
  [ENCODING_RAW]: 'raw', [ENCODING_INT]: 'int', [ENCODING_EMBSTR]: 'embstr',
};

/** Capacity to reserve for a string growing to `length` bytes (SDS's greedy policy). */
function grownCapacity(length: number): number {
  return length < PREALLOCATION_BYTES_MAX ? length * 2 : length + PREALLOCATION_BYTES_MAX;
}

function typeCode(type: ValueType): number {
  return TYPE_NAMES.indexOf(type);
}

/** SET's options when a caller passes none: one shared object, not one per call. */
const NO_SET_OPTIONS: SetOptions = Object.freeze({});

/** The encoding a value written as given gets (int when it reads as a 64-bit integer). */
function stringEncodingOfValue(value: Uint8Array): number {
  return stringEncodingFor(value.length <= I64_TEXT_BYTES_MAX && parseI64(value) !== null, value.length);
}

/** Whether any number occurs twice (a Set only past a few, where pairs would cost more). */
function hasRepeatedValue(values: readonly number[]): boolean {
  if (values.length <= 8) {
    for (let index = 1; index < values.length; index++) {
      for (let earlier = 0; earlier < index; earlier++) if (values[earlier] === values[index]) return true;
    }
    return false;
  }
  return new Set(values).size !== values.length;
}

/**
 * Keys given as byte ranges (key i is bytesOf(i)[offsetOf(i) ..+ lengthOf(i)]), as a request
 * parser holds them; CommandArgs has this shape.
 */
export interface KeyRanges {
  readonly count: number;
  bytesOf(index: number): Uint8Array;
  offsetOf(index: number): number;
  lengthOf(index: number): number;
}

/** Keys prefetchKeys() touches per call; more are ignored. */
export const PREFETCH_KEYS_MAX = 32;

/** The keyspace on a heap. Create with Store.create (fresh heap) or Store.attach (restored). */
export class Store {
  readonly #heap: Heap;
  readonly #directory: Address;
  readonly #databaseCount: number;
  readonly #seed: number;
  readonly #clock: () => number;
  readonly #tables: HashTable[] = [];
  readonly #expires: number[] = [];
  readonly #accessKind: AccessClockKind;
  readonly #lfuTuning: LfuTuning;
  readonly #random: () => number = Math.random;
  readonly #stringBytesMax: number;
  /** INCR's scratch for the stored number's digits and the new one's (valid within one call). */
  readonly #numberScratch = Buffer.alloc(I64_TEXT_BYTES_MAX);
  /** prefetchKeys's scratch (each key's hash, then its chain head), and where its loads' sum goes
   *  (so they are not optimized out). */
  readonly #prefetchHeads = new Float64Array(PREFETCH_KEYS_MAX);
  #prefetchSink = 0;
  #listener: ModificationListener | null = null;
  #expiredKeys = 0;
  #keyspaceHits = 0;
  #keyspaceMisses = 0;
  /** Active expiry position: the db it works on and a scan cursor per db. */
  #expireDb = 0;
  readonly #expireCursors: number[] = [];
  /** INFO keyspace's avg_ttl per db, estimated by active expiry as Redis does (not persisted). */
  readonly #averageTtlsMs: number[] = [];
  /** The key the table's find() compares against (avoids a closure per lookup). */
  #probeKey: Uint8Array = EMPTY_BUFFER;
  readonly #probeEquals = (entry: Address): boolean => {
    const heap = this.#heap;
    const key = this.#probeKey;
    return heap.readU32(entry + ENTRY_KEY_LENGTH_OFFSET) === key.length &&
      heap.equalsBytes(entryKeyAddress(heap, entry), key, 0, key.length);
  };
  #probeEntry: Address = NULL_ADDRESS;
  readonly #probeIdentity = (entry: Address): boolean => entry === this.#probeEntry;

  /** Lays out an empty keyspace in `heap` and records it in a root slot. Throws if the heap
   *  cannot hold even the empty directory (a start-up misconfiguration, not an outcome). */
  static create(heap: Heap, options: StoreOptions = {}): Store {
    const databaseCount = options.databases ?? DATABASE_COUNT_DEFAULT;
    assert.ok(Number.isInteger(databaseCount) && databaseCount >= 1 && databaseCount <= DATABASE_COUNT_MAX);
    const sizeBytes = DIRECTORY_HEADER_BYTES + databaseCount * DB_HEADER_BYTES;
    const directory = heap.allocate(sizeBytes);
    if (directory === NULL_ADDRESS) {
      throw new Error(`Cannot create the keyspace: the heap has no room for ${sizeBytes} bytes`);
    }
    const seed = (options.hashSeed ?? Math.floor(Math.random() * 2 ** 32)) >>> 0;
    heap.fill(directory, 0, sizeBytes);
    heap.writeU32(directory, DIRECTORY_MAGIC);
    heap.writeU32(directory + 4, DIRECTORY_LAYOUT_VERSION);
    heap.writeU32(directory + DIRECTORY_DATABASE_COUNT_OFFSET, databaseCount);
    heap.writeU32(directory + DIRECTORY_SEED_OFFSET, seed);
    for (let db = 0; db < databaseCount; db++) {
      HashTable.initialize(heap, directory + DIRECTORY_HEADER_BYTES + db * DB_HEADER_BYTES);
    }
    heap.setRoot(options.rootSlot ?? STORE_ROOT_SLOT_DEFAULT, directory);
    return new Store(heap, directory, options);
  }

  /** Re-attaches to the keyspace recorded in `heap` (e.g. restored from a snapshot).
   *  Throws if the root slot does not hold a compatible directory. */
  static attach(heap: Heap, options: StoreOptions = {}): Store {
    const directory = heap.getRoot(options.rootSlot ?? STORE_ROOT_SLOT_DEFAULT);
    if (directory === NULL_ADDRESS || heap.readU32(directory) !== DIRECTORY_MAGIC) {
      throw new Error('Cannot attach the keyspace: the heap holds no keyspace directory');
    }
    const version = heap.readU32(directory + 4);
    if (version !== DIRECTORY_LAYOUT_VERSION) {
      throw new Error(`Cannot attach the keyspace: layout version ${version}, expected ${DIRECTORY_LAYOUT_VERSION}`);
    }
    const databaseCount = heap.readU32(directory + DIRECTORY_DATABASE_COUNT_OFFSET);
    if (options.databases !== undefined && options.databases !== databaseCount) {
      throw new Error(`Cannot attach the keyspace: it has ${databaseCount} databases, ${options.databases} configured`);
    }
    return new Store(heap, directory, options);
  }

  private constructor(heap: Heap, directory: Address, options: StoreOptions) {
    this.#heap = heap;
    this.#directory = directory;
    this.#databaseCount = heap.readU32(directory + DIRECTORY_DATABASE_COUNT_OFFSET);
    this.#seed = heap.readU32(directory + DIRECTORY_SEED_OFFSET);
    this.#clock = options.clock ?? Date.now;
    this.#accessKind = options.accessClock ?? 'lru';
    this.#stringBytesMax = options.stringBytesMax ?? STRING_BYTES_MAX;
    this.#lfuTuning = {
      logFactor: options.lfuLogFactor ?? LFU_LOG_FACTOR_DEFAULT,
      decayTimeMinutes: options.lfuDecayTimeMinutes ?? LFU_DECAY_TIME_MINUTES_DEFAULT,
    };
    for (let db = 0; db < this.#databaseCount; db++) {
      const header = this.#dbHeader(db);
      this.#tables.push(new HashTable(heap, header));
      this.#expires.push(heap.readU32(header + DB_EXPIRES_OFFSET));
      this.#expireCursors.push(0);
      this.#averageTtlsMs.push(0);
    }
  }

  /** The heap the keyspace lives in. */
  get heap(): Heap { return this.#heap; }
  /** Number of databases (valid db indices are 0 .. databaseCount-1). */
  get databaseCount(): number { return this.#databaseCount; }

  // ---- internals: lookup, delete, notify -------------------------------------------------------

  #dbHeader(db: number): Address {
    return this.#directory + DIRECTORY_HEADER_BYTES + db * DB_HEADER_BYTES;
  }

  /** The table of `db` after one step of its incremental rehash (call once per operation). */
  #table(db: number): HashTable {
    assert.ok(Number.isInteger(db) && db >= 0 && db < this.#databaseCount, 'db index out of range');
    const table = this.#tables[db];
    table.step();
    return table;
  }

  #hash(key: Uint8Array): number {
    return hashKey(key, this.#seed);
  }

  #isExpired(entry: Address, nowMs: number): boolean {
    const heap = this.#heap;
    return (heap.readU8(entry + ENTRY_FLAGS_OFFSET) & ENTRY_FLAG_HAS_EXPIRY) !== 0 &&
      nowMs > heap.readF64(entry + ENTRY_EXPIRY_OFFSET);
  }

  /** Finds `key` without regard to expiry; table.linkSlot/linkTable locate the result. */
  #find(table: HashTable, key: Uint8Array, hash: number): Address {
    this.#probeKey = key;
    const entry = table.find(hash, this.#probeEquals);
    this.#probeKey = EMPTY_BUFFER;
    return entry;
  }

  /** Re-locates an entry already known (sets table.linkSlot/linkTable for it). */
  #relocate(table: HashTable, entry: Address): void {
    this.#probeEntry = entry;
    const found = table.find(this.#heap.readU32(entry + ENTRY_HASH_OFFSET), this.#probeIdentity);
    this.#probeEntry = NULL_ADDRESS;
    assert.equal(found, entry);
  }

  /** The live entry for `key`, deleting it first if it has expired (lazy expiry). */
  #lookup(db: number, table: HashTable, key: Uint8Array, hash: number, nowMs: number): Address {
    const entry = this.#find(table, key, hash);
    if (entry === NULL_ADDRESS || !this.#isExpired(entry, nowMs)) return entry;
    this.#removeFound(db, table, entry);
    this.#expiredKeys++;
    this.#notify(db, key);
    return NULL_ADDRESS;
  }

  /**
   * #lookup for a write command: a live entry is also touched, as Redis's lookupKeyWrite does
   * (so LFU counters survive overwrites and count writes as accesses).
   */
  #lookupWrite(db: number, table: HashTable, key: Uint8Array, hash: number, nowMs: number): Address {
    const entry = this.#lookup(db, table, key, hash, nowMs);
    if (entry !== NULL_ADDRESS) this.#touchEntry(entry, nowMs);
    return entry;
  }

  /** Unlinks and frees an entry located by the last find on `table`. */
  #removeFound(db: number, table: HashTable, entry: Address): void {
    const hasExpiry = entryHasExpiry(this.#heap, entry);
    table.remove(table.linkSlot, table.linkTable, entry);
    if (hasExpiry) this.#addExpires(db, -1);
    this.#heap.free(entry);
  }

  #addExpires(db: number, delta: number): void {
    const count = this.#expires[db] + delta;
    this.#expires[db] = count;
    this.#heap.writeU32(this.#dbHeader(db) + DB_EXPIRES_OFFSET, count);
  }

  #notify(db: number, key: Uint8Array): void {
    const listener = this.#listener;
    if (listener === null) return;
    listener(db, key);
  }

  /** A whole database is about to be flushed (swappedWith -1) or swapped with another. */
  #notifyWholeDatabase(db: number, swappedWith: number): void {
    const listener = this.#listener;
    if (listener === null) return;
    listener(db, null, swappedWith);
  }

  /** Records an access (LRU/LFU); skipped while a snapshot runs, as Redis skips it with a child. */
  #touchEntry(entry: Address, nowMs: number): void {
    const heap = this.#heap;
    if (heap.isEpochOpen) return;
    const word = heap.readU32(entry + ENTRY_ACCESS_OFFSET);
    const next = touchedAccess(this.#accessKind, word, nowMs, this.#lfuTuning, this.#random);
    if (next !== word) setEntryAccess(heap, entry, next);
  }

  /** A GET-like read: live entry or null, counting a hit or miss and touching the entry. */
  #lookupRead(db: number, key: Uint8Array): Address {
    const table = this.#table(db);
    const nowMs = this.#clock();
    const entry = this.#lookup(db, table, key, this.#hash(key), nowMs);
    if (entry === NULL_ADDRESS) {
      this.#keyspaceMisses++;
    } else {
      this.#keyspaceHits++;
      this.#touchEntry(entry, nowMs);
    }
    return entry;
  }

  // ---- internals: building and reshaping entries ----------------------------------------------

  /** Allocates and fills an unlinked string entry; NULL_ADDRESS if memory is out. */
  #buildString(key: Uint8Array, hash: number, value: Uint8Array, encoding: number, expireAtMs: number, nowMs: number): Address {
    const heap = this.#heap;
    const hasExpiry = expireAtMs >= 0;
    const entry = heap.allocate(entrySizeBytes(key.length, value.length, hasExpiry));
    if (entry === NULL_ADDRESS) return NULL_ADDRESS;
    writeEntryHeader(
      heap, entry, hash, TYPE_STRING, encoding, initialAccess(this.#accessKind, nowMs),
      key.length, value.length, expireAtMs,
    );
    const keyAddress = entry + keyOffset(hasExpiry);
    heap.copyIn(keyAddress, key, 0, key.length);
    heap.copyIn(keyAddress + key.length, value, 0, value.length);
    return entry;
  }

  /** Links a built entry for a key not in the table; false (entry freed) if memory is out. */
  #insertBuilt(db: number, table: HashTable, entry: Address, hash: number): boolean {
    if (!table.prepareInsert()) {
      this.#heap.free(entry);
      return false;
    }
    table.insert(entry, hash);
    if (entryHasExpiry(this.#heap, entry)) this.#addExpires(db, 1);
    return true;
  }

  /** Puts a built entry in place of `entry` (located by the last find) and frees the old one. */
  #replaceFound(db: number, table: HashTable, entry: Address, replacement: Address): void {
    const heap = this.#heap;
    const delta = (entryHasExpiry(heap, replacement) ? 1 : 0) - (entryHasExpiry(heap, entry) ? 1 : 0);
    table.replace(table.linkSlot, entry, replacement);
    if (delta !== 0) this.#addExpires(db, delta);
    heap.free(entry);
  }

  /**
   * Overwrites the string at `entry` (located by the last find) with `value`: in place when the
   * allocation fits without much waste, else through a new allocation. False if memory is out.
   */
  #rewriteString(db: number, table: HashTable, entry: Address, key: Uint8Array, value: Uint8Array, encoding: number, expireAtMs: number, nowMs: number): boolean {
    if (!this.#fitsInPlace(entry, key.length, value.length, expireAtMs >= 0)) {
      const replacement = this.#buildString(key, this.#heap.readU32(entry + ENTRY_HASH_OFFSET), value, encoding, expireAtMs, nowMs);
      if (replacement === NULL_ADDRESS) return false;
      this.#replaceWithBuilt(db, table, entry, replacement, nowMs);
      return true;
    }
    this.#writeStringInPlace(db, entry, key, value, encoding, expireAtMs, nowMs);
    return true;
  }

  /** Whether a string of these sizes can overwrite `entry`'s allocation without much waste. */
  #fitsInPlace(entry: Address, keyLength: number, valueLength: number, hasExpiry: boolean): boolean {
    const neededBytes = entrySizeBytes(keyLength, valueLength, hasExpiry);
    const usableBytes = this.#heap.usableSize(entry);
    return neededBytes <= usableBytes && usableBytes <= neededBytes * 2 + IN_PLACE_SLACK_BYTES;
  }

  /** Puts `replacement` (built for the same key) where `entry` (located by the last find) was. */
  #replaceWithBuilt(db: number, table: HashTable, entry: Address, replacement: Address, nowMs: number): void {
    setEntryAccess(this.#heap, replacement, this.#overwriteAccess(entry, nowMs));
    this.#replaceFound(db, table, entry, replacement);
  }

  /** Overwrites the string at `entry` inside its own allocation (#fitsInPlace said it fits). */
  #writeStringInPlace(db: number, entry: Address, key: Uint8Array, value: Uint8Array, encoding: number, expireAtMs: number, nowMs: number): void {
    const heap = this.#heap;
    const hasExpiry = expireAtMs >= 0;
    const hadExpiry = entryHasExpiry(heap, entry);
    if (hadExpiry !== hasExpiry) {
      heap.move(entry + keyOffset(hasExpiry), entry + keyOffset(hadExpiry), key.length);
      this.#addExpires(db, hasExpiry ? 1 : -1);
    }
    writeEntryHeader(
      heap, entry, heap.readU32(entry + ENTRY_HASH_OFFSET), TYPE_STRING, encoding,
      this.#overwriteAccess(entry, nowMs), key.length, value.length, expireAtMs,
    );
    heap.copyIn(entry + keyOffset(hasExpiry) + key.length, value, 0, value.length);
  }

  /** The access word of a value that replaces `entry`: LFU keeps the counter (Redis's
   *  dbSetValue), LRU starts from now. */
  #overwriteAccess(entry: Address, nowMs: number): number {
    return this.#accessKind === 'lfu'
      ? this.#heap.readU32(entry + ENTRY_ACCESS_OFFSET)
      : initialAccess(this.#accessKind, nowMs);
  }

  /**
   * A copy of `entry` under `key`/`hash` with value capacity `valueCapacity` (>= its value
   * length) and the expiry field present iff `hasExpiry`; NULL_ADDRESS if memory is out.
   * The copy is unlinked. Strings only (collection types will deep-copy their structure).
   */
  #copyEntry(entry: Address, key: Uint8Array, hash: number, valueCapacity: number, hasExpiry: boolean): Address {
    const heap = this.#heap;
    const valueLength = entryValueLength(heap, entry);
    const copy = heap.allocate(entrySizeBytes(key.length, valueCapacity, hasExpiry));
    if (copy === NULL_ADDRESS) return NULL_ADDRESS;
    const expireAtMs = entryExpireAtMs(heap, entry);
    writeEntryHeader(
      heap, copy, hash, entryType(heap, entry), entryEncoding(heap, entry),
      heap.readU32(entry + ENTRY_ACCESS_OFFSET), key.length, valueLength,
      hasExpiry ? Math.max(expireAtMs, 0) : -1,
    );
    const keyAddress = copy + keyOffset(hasExpiry);
    heap.copyIn(keyAddress, key, 0, key.length);
    heap.move(keyAddress + key.length, entryValueAddress(heap, entry), valueLength);
    return copy;
  }

  /**
   * Makes room for a string value of `length` bytes at `entry` (located by the last find):
   * the entry itself if it has the capacity, else a grown copy (SDS-style preallocation) that
   * replaces it. NULL_ADDRESS if memory is out (nothing changed).
   */
  #reserveValue(db: number, table: HashTable, entry: Address, key: Uint8Array, length: number): Address {
    const heap = this.#heap;
    if (length <= entryValueCapacity(heap, entry)) return entry;
    const hasExpiry = entryHasExpiry(heap, entry);
    const hash = heap.readU32(entry + ENTRY_HASH_OFFSET);
    let copy = this.#copyEntry(entry, key, hash, Math.max(length, Math.min(grownCapacity(length), this.#stringBytesMax)), hasExpiry);
    if (copy === NULL_ADDRESS) copy = this.#copyEntry(entry, key, hash, length, hasExpiry);
    if (copy === NULL_ADDRESS) return NULL_ADDRESS;
    this.#replaceFound(db, table, entry, copy);
    return copy;
  }

  /** Sets the expiry of `entry` (located by the last find), adding the field if needed. */
  #setExpiry(db: number, table: HashTable, entry: Address, key: Uint8Array, expireAtMs: number): boolean {
    const heap = this.#heap;
    if (entryHasExpiry(heap, entry)) {
      setEntryExpireAtMs(heap, entry, expireAtMs);
      return true;
    }
    const keyLength = key.length;
    const valueLength = entryValueLength(heap, entry);
    if (heap.usableSize(entry) >= entrySizeBytes(keyLength, valueLength, true)) {
      heap.move(entry + keyOffset(true), entry + keyOffset(false), keyLength + valueLength);
      heap.writeU8(entry + ENTRY_FLAGS_OFFSET, heap.readU8(entry + ENTRY_FLAGS_OFFSET) | ENTRY_FLAG_HAS_EXPIRY);
      setEntryExpireAtMs(heap, entry, expireAtMs);
      this.#addExpires(db, 1);
      return true;
    }
    const copy = this.#copyEntry(entry, key, heap.readU32(entry + ENTRY_HASH_OFFSET), valueLength, true);
    if (copy === NULL_ADDRESS) return false;
    setEntryExpireAtMs(heap, copy, expireAtMs);
    this.#replaceFound(db, table, entry, copy);
    return true;
  }

  /** Removes the expiry field of `entry` in place (never needs memory). */
  #clearExpiry(db: number, entry: Address): void {
    const heap = this.#heap;
    if (!entryHasExpiry(heap, entry)) return;
    const length = entryKeyLength(heap, entry) + entryValueLength(heap, entry);
    heap.move(entry + keyOffset(false), entry + keyOffset(true), length);
    heap.writeU8(entry + ENTRY_FLAGS_OFFSET, heap.readU8(entry + ENTRY_FLAGS_OFFSET) & ~ENTRY_FLAG_HAS_EXPIRY);
    this.#addExpires(db, -1);
  }

  #isString(entry: Address): boolean {
    return entryType(this.#heap, entry) === TYPE_STRING;
  }

  /** Writes a string value into an entry that has the capacity (located by the last find). */
  #storeStringInPlace(entry: Address, text: Uint8Array, encoding: number): void {
    const heap = this.#heap;
    heap.copyIn(entryValueAddress(heap, entry), text, 0, text.length);
    setEntryValueLength(heap, entry, text.length);
    setEntryEncoding(heap, entry, TYPE_STRING, encoding);
  }

  /** Replaces the string value of a live key keeping its TTL, or creates the key. */
  #putNumberText(db: number, table: HashTable, key: Uint8Array, hash: number, entry: Address, text: Buffer, encoding: number, nowMs: number): boolean {
    if (entry === NULL_ADDRESS) {
      const built = this.#buildString(key, hash, text, encoding, -1, nowMs);
      return built !== NULL_ADDRESS && this.#insertBuilt(db, table, built, hash);
    }
    const target = this.#reserveValue(db, table, entry, key, text.length);
    if (target === NULL_ADDRESS) return false;
    this.#storeStringInPlace(target, text, encoding);
    return true;
  }

  // ---- reading ahead -------------------------------------------------------------------------

  /**
   * Memory prefetch for a batch of lookups about to happen (Redis 8's memory_prefetch.c): hashes
   * every key and reads its chain head, then reads each head entry's hash word. The loads of
   * different keys are independent, so the CPU overlaps their cache and TLB misses, where the
   * lookups one after another would wait for each in turn. Reads only: nothing is written,
   * counted, expired or rehashed, so calling it or not changes no outcome.
   * At most PREFETCH_KEYS_MAX keys; a db out of range is ignored.
   */
  prefetchKeys(db: number, keys: KeyRanges): void {
    if (!(db >= 0 && db < this.#databaseCount)) return;
    const table = this.#tables[db];
    const heads = this.#prefetchHeads;
    const count = Math.min(keys.count, PREFETCH_KEYS_MAX);
    // Three tight loops rather than one: hashing (no memory traffic), then the bucket loads,
    // then the entry loads, so each loop issues its independent misses close together.
    for (let index = 0; index < count; index++) {
      heads[index] = hashKey(keys.bytesOf(index), this.#seed, keys.offsetOf(index), keys.lengthOf(index));
    }
    for (let index = 0; index < count; index++) heads[index] = table.chainHead(heads[index]);
    const heap = this.#heap;
    let sink = 0;
    for (let index = 0; index < count; index++) {
      const head = heads[index];
      if (head !== NULL_ADDRESS) sink += heap.readU32(head + ENTRY_HASH_OFFSET);
    }
    // Stored so the compiler keeps the loads.
    this.#prefetchSink = sink;
  }

  // ---- strings -------------------------------------------------------------------------------

  /** GET. Counts a keyspace hit or miss. */
  get(db: number, key: Uint8Array): GetResult {
    const entry = this.#lookupRead(db, key);
    if (entry === NULL_ADDRESS) return MISSING;
    if (!this.#isString(entry)) return WRONG_TYPE;
    return { status: 'ok', value: entryValue(this.#heap, entry) };
  }

  /** GET without copying: the value's length and a ref for copyStringValue (hit/miss counted). */
  lookupString(db: number, key: Uint8Array): LookupStringResult {
    const entry = this.#lookupRead(db, key);
    if (entry === NULL_ADDRESS) return MISSING;
    if (!this.#isString(entry)) return WRONG_TYPE;
    return { status: 'ok', length: entryValueLength(this.#heap, entry), ref: entry };
  }

  /**
   * GET's lookup with no result object, for a hot path that allocates nothing per command:
   * a StringRef (> 0) when `key` holds a string, STRING_REF_MISSING (0) when it is absent or
   * expired, STRING_REF_WRONG_TYPE (-1) when it holds another type. Same effects as
   * lookupString (lazy expiry, hit/miss counters, access clock).
   */
  lookupStringRef(db: number, key: Uint8Array): StringRef {
    const entry = this.#lookupRead(db, key);
    if (entry === NULL_ADDRESS) return STRING_REF_MISSING;
    return this.#isString(entry) ? entry : STRING_REF_WRONG_TYPE;
  }

  /** The byte length of the string behind `ref` (a StringRef > 0). */
  stringLength(ref: StringRef): number {
    return entryValueLength(this.#heap, ref);
  }

  /** Copies the whole value behind `ref` into target[targetOffset..]; valid until the next
   *  store call (e.g. inside ReplyWriter.bulkFill). */
  copyStringValue(ref: StringRef, target: Uint8Array, targetOffset: number): void {
    const heap = this.#heap;
    heap.copyOut(entryValueAddress(heap, ref), target, targetOffset, entryValueLength(heap, ref));
  }

  /** SET with NX/XX/GET/KEEPTTL/expiry; also SETNX, SETEX, PSETEX, GETSET (get: true). */
  set(db: number, key: Uint8Array, value: Uint8Array, options: SetOptions = NO_SET_OPTIONS): SetResult {
    const table = this.#table(db);
    const nowMs = this.#clock();
    const hash = this.#hash(key);
    const entry = this.#lookupWrite(db, table, key, hash, nowMs);
    let previous: Buffer | null = null;
    if (options.get === true) {
      if (entry === NULL_ADDRESS) {
        this.#keyspaceMisses++;
      } else {
        if (!this.#isString(entry)) return WRONG_TYPE;
        this.#keyspaceHits++;
        previous = entryValue(this.#heap, entry);
      }
    }
    const isBlocked = options.condition === 'nx' ? entry !== NULL_ADDRESS
      : options.condition === 'xx' ? entry === NULL_ADDRESS : false;
    if (isBlocked) return { status: 'notSet', previous };
    let expireAtMs = -1;
    if (options.expireAtMs !== undefined) expireAtMs = options.expireAtMs;
    else if (options.keepTtl === true && entry !== NULL_ADDRESS) expireAtMs = entryExpireAtMs(this.#heap, entry);
    if (expireAtMs !== -1 && expireAtMs <= nowMs) {
      // Already expired: Redis sets and immediately deletes; the key ends up absent.
      if (entry !== NULL_ADDRESS) this.#removeFound(db, table, entry);
      this.#notify(db, key);
      return previous === null ? SET_OK : { status: 'ok', previous };
    }
    const encoding = stringEncodingOfValue(value);
    if (entry === NULL_ADDRESS) {
      const built = this.#buildString(key, hash, value, encoding, expireAtMs, nowMs);
      if (built === NULL_ADDRESS || !this.#insertBuilt(db, table, built, hash)) return OUT_OF_MEMORY;
    } else if (!this.#rewriteString(db, table, entry, key, value, encoding, expireAtMs, nowMs)) {
      return OUT_OF_MEMORY;
    }
    this.#notify(db, key);
    return previous === null ? SET_OK : { status: 'ok', previous };
  }

  /** MGET: one entry per key, null if missing or not a string. */
  mget(db: number, keys: readonly Uint8Array[]): (Buffer | null)[] {
    const values: (Buffer | null)[] = [];
    for (const key of keys) {
      const entry = this.#lookupRead(db, key);
      values.push(entry !== NULL_ADDRESS && this.#isString(entry) ? entryValue(this.#heap, entry) : null);
    }
    return values;
  }

  /**
   * MSET / MSETNX (options.nx): `pairs` alternates key, value. All or nothing: everything that
   * needs memory is allocated before anything visible changes. An existing key whose value fits
   * its allocation is overwritten in place, as SET does; a key named twice (or two keys sharing
   * a hash) sends every pair through new allocations, found again at install time.
   */
  mset(db: number, pairs: readonly Uint8Array[], options: { readonly nx?: boolean } = {}): MsetResult {
    assert.ok(pairs.length % 2 === 0);
    const table = this.#table(db);
    const nowMs = this.#clock();
    const count = pairs.length / 2;
    const hashes: number[] = new Array<number>(count);
    const found: Address[] = new Array<Address>(count);
    // Phase 1: lazy expiry and the NX check, before anything is allocated.
    for (let index = 0; index < count; index++) {
      const key = pairs[2 * index];
      const hash = this.#hash(key);
      hashes[index] = hash;
      const entry = this.#lookup(db, table, key, hash, nowMs);
      if (options.nx === true && entry !== NULL_ADDRESS) return NOT_SET;
      found[index] = entry;
    }
    const isInPlaceAllowed = !hasRepeatedValue(hashes);
    // Phase 2: build what cannot be written in place; on failure free it all (nothing visible changed).
    const built: Address[] = new Array<Address>(count).fill(NULL_ADDRESS);
    for (let index = 0; index < count; index++) {
      const key = pairs[2 * index];
      const value = pairs[2 * index + 1];
      const entry = found[index];
      if (isInPlaceAllowed && entry !== NULL_ADDRESS && this.#fitsInPlace(entry, key.length, value.length, false)) continue;
      const address = this.#buildString(key, hashes[index], value, stringEncodingOfValue(value), -1, nowMs);
      if (address === NULL_ADDRESS) {
        this.#freeBuilt(built);
        return OUT_OF_MEMORY;
      }
      built[index] = address;
    }
    if (!table.prepareInsert()) {
      this.#freeBuilt(built);
      return OUT_OF_MEMORY;
    }
    // Phase 3: install. Linking needs no memory (the table has buckets now), and neither does a
    // rewrite in place; entries never move, so phase 1's addresses still hold.
    for (let index = 0; index < count; index++) {
      const key = pairs[2 * index];
      const address = built[index];
      if (address === NULL_ADDRESS) {
        const value = pairs[2 * index + 1];
        this.#writeStringInPlace(db, found[index], key, value, stringEncodingOfValue(value), -1, nowMs);
      } else {
        const entry = this.#find(table, key, hashes[index]);
        if (entry === NULL_ADDRESS) {
          assert.ok(table.prepareInsert());
          table.insert(address, hashes[index]);
        } else {
          this.#replaceWithBuilt(db, table, entry, address, nowMs);
        }
      }
      this.#notify(db, key);
    }
    return OK;
  }

  #freeBuilt(built: readonly Address[]): void {
    for (const address of built) if (address !== NULL_ADDRESS) this.#heap.free(address);
  }

  /** GETDEL. */
  getDel(db: number, key: Uint8Array): GetResult {
    const entry = this.#lookupRead(db, key);
    if (entry === NULL_ADDRESS) return MISSING;
    if (!this.#isString(entry)) return WRONG_TYPE;
    const value = entryValue(this.#heap, entry);
    this.#removeFound(db, this.#tables[db], entry);
    this.#notify(db, key);
    return { status: 'ok', value };
  }

  /** GETEX with EX/PX/EXAT/PXAT (expireAtMs) or PERSIST. */
  getEx(db: number, key: Uint8Array, options: GetExOptions = {}): GetExResult {
    const entry = this.#lookupRead(db, key);
    if (entry === NULL_ADDRESS) return MISSING;
    if (!this.#isString(entry)) return WRONG_TYPE;
    const value = entryValue(this.#heap, entry);
    const table = this.#tables[db];
    if (options.expireAtMs !== undefined) {
      if (options.expireAtMs <= this.#clock()) {
        this.#removeFound(db, table, entry);
      } else if (!this.#setExpiry(db, table, entry, key, options.expireAtMs)) {
        return OUT_OF_MEMORY;
      }
      this.#notify(db, key);
    } else if (options.persist === true && entryHasExpiry(this.#heap, entry)) {
      this.#clearExpiry(db, entry);
      this.#notify(db, key);
    }
    return { status: 'ok', value };
  }

  /** APPEND: returns the new length. Repeated appends are amortized O(1) (preallocation). */
  append(db: number, key: Uint8Array, value: Uint8Array): LengthResult {
    const table = this.#table(db);
    const nowMs = this.#clock();
    const hash = this.#hash(key);
    const entry = this.#lookupWrite(db, table, key, hash, nowMs);
    if (entry === NULL_ADDRESS) {
      if (value.length > this.#stringBytesMax) return TOO_LARGE;
      const built = this.#buildString(key, hash, value, stringEncodingOfValue(value), -1, nowMs);
      if (built === NULL_ADDRESS || !this.#insertBuilt(db, table, built, hash)) return OUT_OF_MEMORY;
      this.#notify(db, key);
      return { status: 'ok', length: value.length };
    }
    if (!this.#isString(entry)) return WRONG_TYPE;
    const heap = this.#heap;
    const oldLength = entryValueLength(heap, entry);
    const length = oldLength + value.length;
    if (length > this.#stringBytesMax) return TOO_LARGE;
    const target = this.#reserveValue(db, table, entry, key, length);
    if (target === NULL_ADDRESS) return OUT_OF_MEMORY;
    heap.copyIn(entryValueAddress(heap, target) + oldLength, value, 0, value.length);
    setEntryValueLength(heap, target, length);
    setEntryEncoding(heap, target, TYPE_STRING, ENCODING_RAW);
    this.#notify(db, key);
    return { status: 'ok', length };
  }

  /** STRLEN (0 for a missing key). */
  strlen(db: number, key: Uint8Array): StrlenResult {
    const entry = this.#lookupRead(db, key);
    if (entry === NULL_ADDRESS) return { status: 'ok', length: 0 };
    if (!this.#isString(entry)) return WRONG_TYPE;
    return { status: 'ok', length: entryValueLength(this.#heap, entry) };
  }

  /** GETRANGE with Redis's index rules (negative from the end, clamped; empty if start > end). */
  getRange(db: number, key: Uint8Array, start: number, end: number): GetRangeResult {
    const entry = this.#lookupRead(db, key);
    if (entry === NULL_ADDRESS) return EMPTY_RANGE;
    if (!this.#isString(entry)) return WRONG_TYPE;
    const heap = this.#heap;
    const length = entryValueLength(heap, entry);
    if (start < 0 && end < 0 && start > end) return EMPTY_RANGE;
    let first = start < 0 ? length + start : start;
    let last = end < 0 ? length + end : end;
    if (first < 0) first = 0;
    if (last < 0) last = 0;
    if (last >= length) last = length - 1;
    if (first > last || length === 0) return EMPTY_RANGE;
    return { status: 'ok', value: heap.readBytes(entryValueAddress(heap, entry) + first, last - first + 1) };
  }

  /** SETRANGE (offset >= 0, checked by the server): zero-pads; returns the new length.
   *  An empty value on a missing key creates nothing and returns 0. */
  setRange(db: number, key: Uint8Array, offset: number, value: Uint8Array): LengthResult {
    assert.ok(Number.isInteger(offset) && offset >= 0);
    const table = this.#table(db);
    const nowMs = this.#clock();
    const hash = this.#hash(key);
    const entry = this.#lookupWrite(db, table, key, hash, nowMs);
    const heap = this.#heap;
    if (entry === NULL_ADDRESS) {
      if (value.length === 0) return { status: 'ok', length: 0 };
      const length = offset + value.length;
      if (length > this.#stringBytesMax) return TOO_LARGE;
      const built = heap.allocate(entrySizeBytes(key.length, length, false));
      if (built === NULL_ADDRESS) return OUT_OF_MEMORY;
      writeEntryHeader(
        heap, built, hash, TYPE_STRING, ENCODING_RAW, initialAccess(this.#accessKind, nowMs),
        key.length, length, -1,
      );
      const keyAddress = built + keyOffset(false);
      heap.copyIn(keyAddress, key, 0, key.length);
      heap.fill(keyAddress + key.length, 0, offset);
      heap.copyIn(keyAddress + key.length + offset, value, 0, value.length);
      if (!this.#insertBuilt(db, table, built, hash)) return OUT_OF_MEMORY;
      this.#notify(db, key);
      return { status: 'ok', length };
    }
    if (!this.#isString(entry)) return WRONG_TYPE;
    const oldLength = entryValueLength(heap, entry);
    if (value.length === 0) return { status: 'ok', length: oldLength };
    const length = Math.max(oldLength, offset + value.length);
    if (offset + value.length > this.#stringBytesMax) return TOO_LARGE;
    const target = this.#reserveValue(db, table, entry, key, length);
    if (target === NULL_ADDRESS) return OUT_OF_MEMORY;
    const valueAddress = entryValueAddress(heap, target);
    if (offset > oldLength) heap.fill(valueAddress + oldLength, 0, offset - oldLength);
    heap.copyIn(valueAddress + offset, value, 0, value.length);
    setEntryValueLength(heap, target, length);
    setEntryEncoding(heap, target, TYPE_STRING, ENCODING_RAW);
    this.#notify(db, key);
    return { status: 'ok', length };
  }

  /** INCR/INCRBY/DECR/DECRBY: `increment` is an integer (number or bigint); one outside i64
   *  (e.g. a negated DECRBY -9223372036854775808) is 'overflow'. */
  incrBy(db: number, key: Uint8Array, increment: number | bigint): IncrResult {
    assert.ok(typeof increment === 'bigint' || Number.isInteger(increment), 'increment must be an integer');
    if (typeof increment === 'number' && !Number.isSafeInteger(increment)) increment = BigInt(increment);
    if (typeof increment === 'bigint' && (increment < I64_MIN || increment > I64_MAX)) return { status: 'overflow' };
    const table = this.#table(db);
    const nowMs = this.#clock();
    const hash = this.#hash(key);
    const entry = this.#lookupWrite(db, table, key, hash, nowMs);
    const heap = this.#heap;
    let current: number | bigint = 0;
    if (entry !== NULL_ADDRESS) {
      if (!this.#isString(entry)) return WRONG_TYPE;
      const length = entryValueLength(heap, entry);
      if (length > I64_TEXT_BYTES_MAX) return { status: 'notInteger' };
      const scratch = this.#numberScratch;
      heap.copyOut(entryValueAddress(heap, entry), scratch, 0, length);
      const parsed = parseI64(scratch, 0, length);
      if (parsed === null) return { status: 'notInteger' };
      current = parsed;
    }
    const sum = addI64(current, increment);
    if (sum === null) return { status: 'overflow' };
    const text = typeof sum === 'number'
      ? this.#numberScratch.subarray(0, writeSafeIntegerText(sum, this.#numberScratch))
      : Buffer.from(String(sum), 'latin1');
    if (!this.#putNumberText(db, table, key, hash, entry, text, ENCODING_INT, nowMs)) return OUT_OF_MEMORY;
    this.#notify(db, key);
    return { status: 'ok', value: sum };
  }

  /**
   * INCRBYFLOAT, in emulated 80-bit long double like Redis (see long-double.ts). The server
   * validates the increment (string2ld); passing its text (bytes) reproduces Redis exactly, a
   * number is taken through its shortest decimal form.
   */
  incrByFloat(db: number, key: Uint8Array, increment: number | Uint8Array): IncrFloatResult {
    const table = this.#table(db);
    const nowMs = this.#clock();
    const hash = this.#hash(key);
    const entry = this.#lookupWrite(db, table, key, hash, nowMs);
    const heap = this.#heap;
    let current: LongDouble = { isNegative: false, mantissa: 0n, exponent: 0, isInfinite: false };
    if (entry !== NULL_ADDRESS) {
      if (!this.#isString(entry)) return WRONG_TYPE;
      const length = entryValueLength(heap, entry);
      const parsed = length > FLOAT_TEXT_BYTES_MAX ? null : parseLongDouble(heap.readBytes(entryValueAddress(heap, entry), length));
      if (parsed === null) return { status: 'notFloat' };
      current = parsed;
    }
    const delta = typeof increment === 'number' ? longDoubleFromNumber(increment) : parseLongDouble(increment);
    if (delta === null) return { status: 'notFloat' };
    const sum = addLongDouble(current, delta);
    if (sum === null) return { status: 'nanOrInfinity' };
    const text = formatLongDouble(sum);
    const bytes = Buffer.from(text, 'latin1');
    if (!this.#putNumberText(db, table, key, hash, entry, bytes, stringEncodingFor(false, bytes.length), nowMs)) {
      return OUT_OF_MEMORY;
    }
    this.#notify(db, key);
    return { status: 'ok', text };
  }

  // ---- keyspace ------------------------------------------------------------------------------

  /** DEL / UNLINK of one key: true if it existed. */
  del(db: number, key: Uint8Array): boolean {
    const table = this.#table(db);
    const entry = this.#lookup(db, table, key, this.#hash(key), this.#clock());
    if (entry === NULL_ADDRESS) return false;
    this.#removeFound(db, table, entry);
    this.#notify(db, key);
    return true;
  }

  /** EXISTS of one key. */
  /**
   * Whether `key` holds an unexpired value, without lazy expiry or any other change: for
   * modification listeners, which run inside another operation.
   */
  hasLiveKey(db: number, key: Uint8Array): boolean {
    assert.ok(Number.isInteger(db) && db >= 0 && db < this.#databaseCount, 'db index out of range');
    // Not #table(db): that takes a rehash step, which is a change.
    const entry = this.#find(this.#tables[db], key, this.#hash(key));
    return entry !== NULL_ADDRESS && !this.#isExpired(entry, this.#clock());
  }

  exists(db: number, key: Uint8Array): boolean {
    const table = this.#table(db);
    return this.#lookup(db, table, key, this.#hash(key), this.#clock()) !== NULL_ADDRESS;
  }

  /** TYPE: the value type, or 'none'. */
  type(db: number, key: Uint8Array): ValueType | 'none' {
    const table = this.#table(db);
    const entry = this.#lookup(db, table, key, this.#hash(key), this.#clock());
    return entry === NULL_ADDRESS ? 'none' : TYPE_NAMES[entryType(this.#heap, entry)];
  }

  /** RENAME / RENAMENX (options.nx). Keeps the TTL. Renaming a key to itself is 'ok' (or
   *  'notSet' with nx), as in Redis. */
  rename(db: number, source: Uint8Array, target: Uint8Array, options: { readonly nx?: boolean } = {}): RenameResult {
    const table = this.#table(db);
    const nowMs = this.#clock();
    const sourceEntry = this.#lookup(db, table, source, this.#hash(source), nowMs);
    if (sourceEntry === NULL_ADDRESS) return MISSING;
    if (Buffer.compare(source, target) === 0) return options.nx === true ? NOT_SET : OK;
    const targetHash = this.#hash(target);
    const targetEntry = this.#lookup(db, table, target, targetHash, nowMs);
    if (targetEntry !== NULL_ADDRESS && options.nx === true) return NOT_SET;
    const heap = this.#heap;
    const copy = this.#copyEntry(sourceEntry, target, targetHash, entryValueLength(heap, sourceEntry), entryHasExpiry(heap, sourceEntry));
    if (copy === NULL_ADDRESS) return OUT_OF_MEMORY;
    if (targetEntry !== NULL_ADDRESS) {
      this.#relocate(table, targetEntry);
      this.#replaceFound(db, table, targetEntry, copy);
    } else {
      assert.ok(table.prepareInsert()); // the source is in the table: it has buckets
      table.insert(copy, targetHash);
      if (entryHasExpiry(heap, copy)) this.#addExpires(db, 1);
    }
    this.#relocate(table, sourceEntry);
    this.#removeFound(db, table, sourceEntry);
    this.#notify(db, source);
    this.#notify(db, target);
    return OK;
  }

  /** MOVE to another database (the server rejects targetDb === db). */
  move(db: number, key: Uint8Array, targetDb: number): MoveResult {
    assert.notEqual(db, targetDb);
    const table = this.#table(db);
    const targetTable = this.#table(targetDb);
    const nowMs = this.#clock();
    const hash = this.#hash(key);
    const entry = this.#lookup(db, table, key, hash, nowMs);
    if (entry === NULL_ADDRESS) return MISSING;
    if (this.#lookup(targetDb, targetTable, key, hash, nowMs) !== NULL_ADDRESS) return EXISTS;
    if (!targetTable.prepareInsert()) return OUT_OF_MEMORY;
    const hasExpiry = entryHasExpiry(this.#heap, entry);
    this.#relocate(table, entry);
    table.remove(table.linkSlot, table.linkTable, entry);
    targetTable.insert(entry, hash);
    if (hasExpiry) {
      this.#addExpires(db, -1);
      this.#addExpires(targetDb, 1);
    }
    this.#notify(db, key);
    this.#notify(targetDb, key);
    return OK;
  }

  /** COPY source to target (optionally in another db, optionally replacing). Keeps the TTL.
   *  The server replies SAME_OBJECT_ERROR itself when db, source and target are all the same. */
  copy(db: number, source: Uint8Array, target: Uint8Array, options: CopyOptions = {}): CopyResult {
    const targetDb = options.targetDb ?? db;
    const table = this.#table(db);
    const targetTable = targetDb === db ? table : this.#table(targetDb);
    const nowMs = this.#clock();
    const sourceEntry = this.#lookup(db, table, source, this.#hash(source), nowMs);
    if (sourceEntry === NULL_ADDRESS) return MISSING;
    if (targetDb === db && Buffer.compare(source, target) === 0) return EXISTS;
    const targetHash = this.#hash(target);
    const targetEntry = this.#lookup(targetDb, targetTable, target, targetHash, nowMs);
    if (targetEntry !== NULL_ADDRESS && options.replace !== true) return EXISTS;
    const heap = this.#heap;
    const copy = this.#copyEntry(sourceEntry, target, targetHash, entryValueLength(heap, sourceEntry), entryHasExpiry(heap, sourceEntry));
    if (copy === NULL_ADDRESS) return OUT_OF_MEMORY;
    if (targetEntry !== NULL_ADDRESS) {
      this.#relocate(targetTable, targetEntry);
      this.#replaceFound(targetDb, targetTable, targetEntry, copy);
    } else if (!this.#insertBuilt(targetDb, targetTable, copy, targetHash)) {
      return OUT_OF_MEMORY;
    }
    this.#notify(targetDb, target);
    return OK;
  }

  /** SWAPDB: exchanges the contents of two databases (O(1)). */
  swapDb(first: number, second: number): void {
    this.#table(first);
    this.#table(second);
    this.#notifyWholeDatabase(first, second);
    if (first !== second) {
      const heap = this.#heap;
      const firstHeader = this.#dbHeader(first);
      const secondHeader = this.#dbHeader(second);
      const firstBytes = heap.readBytes(firstHeader, DB_HEADER_BYTES);
      const secondBytes = heap.readBytes(secondHeader, DB_HEADER_BYTES);
      heap.copyIn(firstHeader, secondBytes, 0, DB_HEADER_BYTES);
      heap.copyIn(secondHeader, firstBytes, 0, DB_HEADER_BYTES);
      for (const db of [first, second]) {
        this.#tables[db].load();
        this.#expires[db] = heap.readU32(this.#dbHeader(db) + DB_EXPIRES_OFFSET);
        this.#expireCursors[db] = 0;
      }
      [this.#averageTtlsMs[first], this.#averageTtlsMs[second]] = [this.#averageTtlsMs[second], this.#averageTtlsMs[first]];
    }
  }

  /** KEYS pattern (Redis glob): every live key that matches. */
  keys(db: number, pattern: Uint8Array): Buffer[] {
    const table = this.#table(db);
    const nowMs = this.#clock();
    const isAll = isMatchAll(pattern);
    const keys: Buffer[] = [];
    const heap = this.#heap;
    table.forEach((entry) => {
      if (this.#isExpired(entry, nowMs)) return;
      const key = entryKey(heap, entry);
      if (isAll || globMatch(pattern, key)) keys.push(key);
    });
    return keys;
  }

  /** SCAN: Redis's reverse-binary cursor; a key present for the whole scan is returned at least
   *  once, even across a resize or rehash. Cursors beyond the table are masked as in Redis. */
  scan(db: number, cursor: number, options: ScanOptions = {}): ScanResult {
    assert.ok(Number.isInteger(cursor) && cursor >= 0);
    assert.ok(Number.isInteger(db) && db >= 0 && db < this.#databaseCount, 'db index out of range');
    const table = this.#tables[db];
    const count = Math.max(1, options.count ?? SCAN_COUNT_DEFAULT);
    const found: Address[] = [];
    const collect = (entry: Address): void => { found.push(entry); };
    let next = cursor >>> 0;
    let iterations = count * SCAN_ITERATIONS_PER_COUNT;
    do {
      next = table.scan(next, collect);
    } while (next !== 0 && iterations-- > 0 && found.length < count);
    const nowMs = this.#clock();
    const heap = this.#heap;
    const match = options.match !== undefined && !isMatchAll(options.match) ? options.match : null;
    const typeFilter = options.type === undefined ? -1 : typeCode(options.type);
    const keys: Buffer[] = [];
    const expiredEntries: Address[] = [];
    for (const entry of found) {
      if (this.#isExpired(entry, nowMs)) {
        expiredEntries.push(entry);
        continue;
      }
      if (typeFilter !== -1 && entryType(heap, entry) !== typeFilter) continue;
      const key = entryKey(heap, entry);
      if (match === null || globMatch(match, key)) keys.push(key);
    }
    for (const entry of expiredEntries) this.#expireEntry(db, entry);
    return { cursor: next, keys };
  }

  /** Deletes an entry known to have expired (active expiry, SCAN's lazy expiry). */
  #expireEntry(db: number, entry: Address): void {
    const table = this.#tables[db];
    const key = this.#listener === null ? null : entryKey(this.#heap, entry);
    this.#relocate(table, entry);
    this.#removeFound(db, table, entry);
    this.#expiredKeys++;
    if (key !== null) this.#notify(db, key);
  }

  /** RANDOMKEY: a random live key, or null if the db is empty. */
  randomKey(db: number): Buffer | null {
    const table = this.#table(db);
    const nowMs = this.#clock();
    // Each round either returns or deletes an expired key, so this ends.
    for (;;) {
      const entry = table.randomEntry(this.#random);
      if (entry === NULL_ADDRESS) return null;
      if (!this.#isExpired(entry, nowMs)) return entryKey(this.#heap, entry);
      this.#expireEntry(db, entry);
    }
  }

  /** DBSIZE (may include keys that have expired but were not yet reclaimed, as in Redis). */
  dbSize(db: number): number {
    assert.ok(Number.isInteger(db) && db >= 0 && db < this.#databaseCount, 'db index out of range');
    return this.#tables[db].count;
  }

  /**
   * Keys per database (DBSIZE of each), for a snapshot header. Not stats(): this runs inside
   * BGSAVE's start pause, where building sixteen DatabaseStats objects cost 10-15 us cold.
   */
  keyCountsPerDb(): number[] {
    const counts: number[] = [];
    for (let db = 0; db < this.#databaseCount; db++) counts.push(this.#tables[db].count);
    return counts;
  }

  /** FLUSHDB. */
  flushDb(db: number): void {
    const table = this.#table(db);
    const heap = this.#heap;
    this.#notifyWholeDatabase(db, -1);
    table.clear((entry) => heap.free(entry));
    if (this.#expires[db] !== 0) this.#addExpires(db, -this.#expires[db]);
    this.#expireCursors[db] = 0;
    this.#averageTtlsMs[db] = 0;
  }

  /** FLUSHALL. */
  flushAll(): void {
    for (let db = 0; db < this.#databaseCount; db++) this.flushDb(db);
  }

  // ---- expiry --------------------------------------------------------------------------------

  /** EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT with an absolute time in ms (the server converts).
   *  Conditions are checked first; then a time not in the future deletes the key ('ok'). */
  expire(db: number, key: Uint8Array, expireAtMs: number, options: ExpireOptions = {}): ExpireResult {
    const table = this.#table(db);
    const nowMs = this.#clock();
    const entry = this.#lookupWrite(db, table, key, this.#hash(key), nowMs);
    if (entry === NULL_ADDRESS) return MISSING;
    const current = entryExpireAtMs(this.#heap, entry);
    switch (options.condition) {
      case 'nx': if (current !== -1) return NOT_SET; break;
      case 'xx': if (current === -1) return NOT_SET; break;
      case 'gt': if (current === -1 || expireAtMs <= current) return NOT_SET; break;
      case 'lt': if (current !== -1 && expireAtMs >= current) return NOT_SET; break;
      case undefined: break;
    }
    if (expireAtMs <= nowMs) {
      this.#removeFound(db, table, entry);
    } else if (!this.#setExpiry(db, table, entry, key, expireAtMs)) {
      return OUT_OF_MEMORY;
    }
    this.#notify(db, key);
    return OK;
  }

  /** TTL / PTTL reply value: -2 missing, -1 no expiry, else remaining time (seconds rounded as
   *  Redis does: (ms + 500) / 1000). */
  ttl(db: number, key: Uint8Array, unit: TimeUnit): number {
    const table = this.#table(db);
    const nowMs = this.#clock();
    const entry = this.#lookup(db, table, key, this.#hash(key), nowMs);
    if (entry === NULL_ADDRESS) return -2;
    const expireAtMs = entryExpireAtMs(this.#heap, entry);
    if (expireAtMs === -1) return -1;
    const remainingMs = Math.max(0, expireAtMs - nowMs);
    return unit === 'milliseconds' ? remainingMs : Math.floor((remainingMs + 500) / 1000);
  }

  /** EXPIRETIME / PEXPIRETIME reply value: -2 missing, -1 no expiry, else the absolute time. */
  expireTime(db: number, key: Uint8Array, unit: TimeUnit): number {
    const table = this.#table(db);
    const entry = this.#lookup(db, table, key, this.#hash(key), this.#clock());
    if (entry === NULL_ADDRESS) return -2;
    const expireAtMs = entryExpireAtMs(this.#heap, entry);
    if (expireAtMs === -1) return -1;
    return unit === 'milliseconds' ? expireAtMs : Math.floor((expireAtMs + 500) / 1000);
  }

  /** PERSIST: true if an expiry was removed. */
  persist(db: number, key: Uint8Array): boolean {
    const table = this.#table(db);
    const entry = this.#lookupWrite(db, table, key, this.#hash(key), this.#clock());
    if (entry === NULL_ADDRESS || !entryHasExpiry(this.#heap, entry)) return false;
    this.#clearExpiry(db, entry);
    this.#notify(db, key);
    return true;
  }

  /** TOUCH of one key: true if it exists (updates its access clock). */
  touch(db: number, key: Uint8Array): boolean {
    const table = this.#table(db);
    const nowMs = this.#clock();
    const entry = this.#lookup(db, table, key, this.#hash(key), nowMs);
    if (entry === NULL_ADDRESS) return false;
    this.#touchEntry(entry, nowMs);
    return true;
  }

  /**
   * Active expiry: walks each database that has keys with an expiry with a SCAN cursor,
   * deleting expired keys, for about `timeBudgetMs` of real time (and at most `bucketBudget`
   * buckets, for deterministic tests); returns how many keys it deleted. Resumes where it
   * stopped on the next call.
   */
  activeExpireCycle(timeBudgetMs: number, bucketBudget = Number.POSITIVE_INFINITY): number {
    const deadline = performance.now() + timeBudgetMs;
    const nowMs = this.#clock();
    const heap = this.#heap;
    const expired: Address[] = [];
    let ttlSumMs = 0;
    let ttlSampleCount = 0;
    const collect = (entry: Address): void => {
      if ((heap.readU8(entry + ENTRY_FLAGS_OFFSET) & ENTRY_FLAG_HAS_EXPIRY) === 0) return;
      const remainingMs = heap.readF64(entry + ENTRY_EXPIRY_OFFSET) - nowMs;
      if (remainingMs < 0) {
        expired.push(entry);
      } else {
        ttlSumMs += remainingMs;
        ttlSampleCount++;
      }
    };
    let deletedCount = 0;
    let bucketCount = 0;
    for (let visited = 0; visited < this.#databaseCount; visited++) {
      const db = this.#expireDb;
      const table = this.#tables[db];
      if (this.#expires[db] > 0) {
        let cursor = this.#expireCursors[db];
        do {
          cursor = table.scan(cursor, collect);
          for (const entry of expired) this.#expireEntry(db, entry);
          deletedCount += expired.length;
          expired.length = 0;
          if (ttlSampleCount >= AVG_TTL_SAMPLE_COUNT) {
            this.#recordAverageTtl(db, ttlSumMs / ttlSampleCount);
            ttlSumMs = 0;
            ttlSampleCount = 0;
          }
          bucketCount++;
          const isOutOfTime = bucketCount % EXPIRE_BUCKETS_PER_CLOCK_CHECK === 0 && performance.now() >= deadline;
          if (cursor !== 0 && (isOutOfTime || bucketCount >= bucketBudget)) {
            this.#expireCursors[db] = cursor;
            return deletedCount;
          }
        } while (cursor !== 0 && this.#expires[db] > 0);
      }
      if (ttlSampleCount > 0) this.#recordAverageTtl(db, ttlSumMs / ttlSampleCount);
      ttlSumMs = 0;
      ttlSampleCount = 0;
      this.#expireCursors[db] = 0;
      this.#expireDb = (db + 1) % this.#databaseCount;
      if (bucketCount >= bucketBudget || performance.now() >= deadline) break;
    }
    return deletedCount;
  }

  /** Redis's running estimate of a db's average TTL: 2% weight per new sample average. */
  #recordAverageTtl(db: number, sampleAverageMs: number): void {
    const current = this.#averageTtlsMs[db];
    this.#averageTtlsMs[db] = current === 0
      ? sampleAverageMs
      : (current / AVG_TTL_SMOOTHING) * (AVG_TTL_SMOOTHING - 1) + sampleAverageMs / AVG_TTL_SMOOTHING;
  }

  // ---- introspection -------------------------------------------------------------------------

  /** OBJECT ENCODING/IDLETIME/FREQ/REFCOUNT data, or null if the key is missing (no touch). */
  objectInfo(db: number, key: Uint8Array): ObjectInfo | null {
    const table = this.#table(db);
    const nowMs = this.#clock();
    const entry = this.#lookup(db, table, key, this.#hash(key), nowMs);
    if (entry === NULL_ADDRESS) return null;
    const heap = this.#heap;
    const encodingCode = entryEncoding(heap, entry);
    const word = heap.readU32(entry + ENTRY_ACCESS_OFFSET);
    let refCount = 1;
    if (encodingCode === ENCODING_INT) {
      const value = parseI64(entryValue(heap, entry));
      if (typeof value === 'number' && value >= 0 && value < SHARED_INTEGERS) refCount = SHARED_REFCOUNT;
    }
    return {
      encoding: ENCODING_NAMES[encodingCode],
      idleTimeSeconds: this.#accessKind === 'lru' ? Math.floor(lruIdleMs(word, nowMs) / 1000) : 0,
      frequency: this.#accessKind === 'lfu' ? lfuDecayedCounter(word, nowMs, this.#lfuTuning) : 0,
      refCount,
    };
  }

  /** MEMORY USAGE: heap bytes of the entry (usable size) plus its share of the bucket array. */
  memoryUsage(db: number, key: Uint8Array): number | null {
    const table = this.#table(db);
    const entry = this.#lookup(db, table, key, this.#hash(key), this.#clock());
    if (entry === NULL_ADDRESS) return null;
    const bucketShareBytes = Math.ceil((table.bucketCount * BUCKET_BYTES) / Math.max(1, table.count));
    return this.#heap.usableSize(entry) + bucketShareBytes;
  }

  /**
   * DEBUG DIGEST, byte for byte Redis's (see dataset-digest.ts). Keys that have expired but are
   * not yet reclaimed are left out; Redis counts them until its expiry cycle removes them.
   */
  digest(): string {
    const digest = new DatasetDigest();
    for (let db = 0; db < this.#databaseCount; db++) {
      let isDatabaseBegun = false;
      this.forEachEntry(db, (view) => {
        if (!isDatabaseBegun) digest.beginDatabase(db);
        isDatabaseBegun = true;
        digest.add({ key: view.key, typeCode: typeCode(view.type), value: view.value, hasExpiry: view.expireAtMs !== -1 });
      });
    }
    return digest.hex();
  }

  /**
   * DEBUG DIGEST-VALUE of one key, as Redis computes it; 40 zeros if missing. Like Redis's, it
   * reads a logically expired key too, and does not delete it.
   */
  digestValue(db: number, key: Uint8Array): string {
    const table = this.#table(db);
    const entry = this.#find(table, key, this.#hash(key));
    if (entry === NULL_ADDRESS) return valueDigest(null);
    const heap = this.#heap;
    return valueDigest({
      key, typeCode: entryType(heap, entry), value: entryValue(heap, entry), hasExpiry: entryHasExpiry(heap, entry),
    });
  }

  /** Calls fn for every live (unexpired) key of `db`; fn must not modify the store. */
  forEachEntry(db: number, fn: (entry: EntryView) => void): void {
    assert.ok(Number.isInteger(db) && db >= 0 && db < this.#databaseCount, 'db index out of range');
    const nowMs = this.#clock();
    const heap = this.#heap;
    this.#tables[db].forEach((entry) => {
      if (this.#isExpired(entry, nowMs)) return;
      fn({
        key: entryKey(heap, entry),
        type: TYPE_NAMES[entryType(heap, entry)],
        value: entryValue(heap, entry),
        expireAtMs: entryExpireAtMs(heap, entry),
      });
    });
  }

  /** Counters and per-db key/expire counts (INFO stats / keyspace). */
  stats(): StoreStats {
    const databases: DatabaseStats[] = [];
    for (let db = 0; db < this.#databaseCount; db++) {
      const expires = this.#expires[db];
      databases.push({
        keys: this.#tables[db].count, expires,
        averageTtlMs: expires === 0 ? 0 : Math.round(this.#averageTtlsMs[db]),
      });
    }
    return {
      expiredKeys: this.#expiredKeys,
      keyspaceHits: this.#keyspaceHits,
      keyspaceMisses: this.#keyspaceMisses,
      databases,
      isRehashing: this.#tables.some((table) => table.isRehashing),
    };
  }

  // ---- housekeeping --------------------------------------------------------------------------

  /** Idle-time rehash work over about `bucketBudget` buckets per table; true if more work
   *  remains that can be done now (false while a snapshot epoch defers it, so a caller may
   *  loop on the result; stats().isRehashing tells whether a rehash is in progress at all). */
  rehashStep(bucketBudget: number): boolean {
    let isRehashing = false;
    for (const table of this.#tables) {
      if (table.isRehashing) isRehashing = table.rehash(bucketBudget) || isRehashing;
    }
    return isRehashing;
  }

  /** Installs (or with null removes) the WATCH modification listener. */
  setModificationListener(listener: ModificationListener | null): void {
    this.#listener = listener;
  }
}
