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
 * everything optional is an options object.
 * Not here: argv parsing, reply encoding, error texts (src/server), snapshots (src/snapshot).
 */

import type { Heap } from '../cow/heap.js';

/** Redis's default number of databases (SELECT 0..15). */
export const DATABASE_COUNT_DEFAULT = 16;
/** Largest string value or result of APPEND/SETRANGE (Redis's proto-max-bulk-len, 512 MiB). */
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
  /** LFU tuning, Redis's lfu-log-factor (default 10) and lfu-decay-time minutes (default 1). */
  readonly lfuLogFactor?: number;
  readonly lfuDecayTimeMinutes?: number;
}

/** Opaque handle to a string value in the heap, valid until the next call into the store. */
export type StringRef = number;

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

/** Called on every real modification: db and key, or key null for FLUSHDB/FLUSHALL/SWAPDB. */
export type ModificationListener = (db: number, key: Buffer | null) => void;

/** TTL / EXPIRETIME units. */
export type TimeUnit = 'seconds' | 'milliseconds';

function notImplemented(): never {
  throw new Error('Store: not implemented yet');
}

/** The keyspace on a heap. Create with Store.create (fresh heap) or Store.attach (restored). */
export class Store {
  /** Lays out an empty keyspace in `heap` and records it in a root slot. Throws if the heap
   *  cannot hold even the empty directory (a start-up misconfiguration, not an outcome). */
  static create(heap: Heap, options: StoreOptions = {}): Store {
    void heap; void options;
    return notImplemented();
  }

  /** Re-attaches to the keyspace recorded in `heap` (e.g. restored from a snapshot).
   *  Throws if the root slot does not hold a compatible directory. */
  static attach(heap: Heap, options: StoreOptions = {}): Store {
    void heap; void options;
    return notImplemented();
  }

  /** The heap the keyspace lives in. */
  get heap(): Heap { return notImplemented(); }
  /** Number of databases (valid db indices are 0 .. databaseCount-1). */
  get databaseCount(): number { return notImplemented(); }

  // ---- strings -------------------------------------------------------------------------------
  /** GET. Counts a keyspace hit or miss. */
  get(db: number, key: Uint8Array): GetResult { void db; void key; return notImplemented(); }
  /** GET without copying: the value's length and a ref for copyStringValue (hit/miss counted). */
  lookupString(db: number, key: Uint8Array): LookupStringResult {
    void db; void key; return notImplemented();
  }
  /** Copies the whole value behind `ref` into target[targetOffset..]; valid until the next
   *  store call (e.g. inside ReplyWriter.bulkFill). */
  copyStringValue(ref: StringRef, target: Uint8Array, targetOffset: number): void {
    void ref; void target; void targetOffset; notImplemented();
  }
  /** SET with NX/XX/GET/KEEPTTL/expiry; also SETNX, SETEX, PSETEX, GETSET (get: true). */
  set(db: number, key: Uint8Array, value: Uint8Array, options: SetOptions = {}): SetResult {
    void db; void key; void value; void options; return notImplemented();
  }
  /** MGET: one entry per key, null if missing or not a string. */
  mget(db: number, keys: readonly Uint8Array[]): (Buffer | null)[] {
    void db; void keys; return notImplemented();
  }
  /** MSET / MSETNX (options.nx): `pairs` alternates key, value. All or nothing. */
  mset(db: number, pairs: readonly Uint8Array[], options: { readonly nx?: boolean } = {}): MsetResult {
    void db; void pairs; void options; return notImplemented();
  }
  /** GETDEL. */
  getDel(db: number, key: Uint8Array): GetResult { void db; void key; return notImplemented(); }
  /** GETEX with EX/PX/EXAT/PXAT (expireAtMs) or PERSIST. */
  getEx(db: number, key: Uint8Array, options: GetExOptions = {}): GetExResult {
    void db; void key; void options; return notImplemented();
  }
  /** APPEND: returns the new length. Repeated appends are amortized O(1) (preallocation). */
  append(db: number, key: Uint8Array, value: Uint8Array): LengthResult {
    void db; void key; void value; return notImplemented();
  }
  /** STRLEN (0 for a missing key). */
  strlen(db: number, key: Uint8Array): StrlenResult { void db; void key; return notImplemented(); }
  /** GETRANGE with Redis's index rules (negative from the end, clamped; empty if start > end). */
  getRange(db: number, key: Uint8Array, start: number, end: number): GetRangeResult {
    void db; void key; void start; void end; return notImplemented();
  }
  /** SETRANGE (offset >= 0, checked by the server): zero-pads; returns the new length.
   *  An empty value on a missing key creates nothing and returns 0. */
  setRange(db: number, key: Uint8Array, offset: number, value: Uint8Array): LengthResult {
    void db; void key; void offset; void value; return notImplemented();
  }
  /** INCR/INCRBY/DECR/DECRBY: `increment` is a safe integer number or an i64 bigint. */
  incrBy(db: number, key: Uint8Array, increment: number | bigint): IncrResult {
    void db; void key; void increment; return notImplemented();
  }
  /**
   * INCRBYFLOAT. The server validates the increment (string2ld); passing its text (bytes) keeps
   * the arithmetic exact, a number is taken through its shortest decimal form.
   */
  incrByFloat(db: number, key: Uint8Array, increment: number | Uint8Array): IncrFloatResult {
    void db; void key; void increment; return notImplemented();
  }

  // ---- keyspace ------------------------------------------------------------------------------
  /** DEL / UNLINK of one key: true if it existed. */
  del(db: number, key: Uint8Array): boolean { void db; void key; return notImplemented(); }
  /** EXISTS of one key. */
  exists(db: number, key: Uint8Array): boolean { void db; void key; return notImplemented(); }
  /** TYPE: the value type, or 'none'. */
  type(db: number, key: Uint8Array): ValueType | 'none' { void db; void key; return notImplemented(); }
  /** RENAME / RENAMENX (options.nx). Keeps the TTL. Renaming a key to itself is 'ok' (or
   *  'notSet' with nx), as in Redis. */
  rename(db: number, source: Uint8Array, target: Uint8Array, options: { readonly nx?: boolean } = {}): RenameResult {
    void db; void source; void target; void options; return notImplemented();
  }
  /** MOVE to another database (the server rejects targetDb === db). */
  move(db: number, key: Uint8Array, targetDb: number): MoveResult {
    void db; void key; void targetDb; return notImplemented();
  }
  /** COPY source to target (optionally in another db, optionally replacing). Keeps the TTL. */
  copy(db: number, source: Uint8Array, target: Uint8Array, options: CopyOptions = {}): CopyResult {
    void db; void source; void target; void options; return notImplemented();
  }
  /** SWAPDB: exchanges the contents of two databases (O(1)). */
  swapDb(first: number, second: number): void { void first; void second; notImplemented(); }
  /** KEYS pattern (Redis glob): every live key that matches. */
  keys(db: number, pattern: Uint8Array): Buffer[] { void db; void pattern; return notImplemented(); }
  /** SCAN: Redis's reverse-binary cursor; a key present for the whole scan is returned at least
   *  once, even across a resize or rehash. Cursors beyond the table are masked as in Redis. */
  scan(db: number, cursor: number, options: ScanOptions = {}): ScanResult {
    void db; void cursor; void options; return notImplemented();
  }
  /** RANDOMKEY: a random live key, or null if the db is empty. */
  randomKey(db: number): Buffer | null { void db; return notImplemented(); }
  /** DBSIZE (may include keys that have expired but were not yet reclaimed, as in Redis). */
  dbSize(db: number): number { void db; return notImplemented(); }
  /** FLUSHDB. */
  flushDb(db: number): void { void db; notImplemented(); }
  /** FLUSHALL. */
  flushAll(): void { notImplemented(); }

  // ---- expiry --------------------------------------------------------------------------------
  /** EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT with an absolute time in ms (the server converts).
   *  Conditions are checked first; then a time not in the future deletes the key ('ok'). */
  expire(db: number, key: Uint8Array, expireAtMs: number, options: ExpireOptions = {}): ExpireResult {
    void db; void key; void expireAtMs; void options; return notImplemented();
  }
  /** TTL / PTTL reply value: -2 missing, -1 no expiry, else remaining time (seconds rounded as
   *  Redis does: (ms + 500) / 1000). */
  ttl(db: number, key: Uint8Array, unit: TimeUnit): number {
    void db; void key; void unit; return notImplemented();
  }
  /** EXPIRETIME / PEXPIRETIME reply value: -2 missing, -1 no expiry, else the absolute time. */
  expireTime(db: number, key: Uint8Array, unit: TimeUnit): number {
    void db; void key; void unit; return notImplemented();
  }
  /** PERSIST: true if an expiry was removed. */
  persist(db: number, key: Uint8Array): boolean { void db; void key; return notImplemented(); }
  /** TOUCH of one key: true if it exists (updates its access clock). */
  touch(db: number, key: Uint8Array): boolean { void db; void key; return notImplemented(); }
  /** Active expiry: deletes expired keys for at most about `timeBudgetMs`; returns how many. */
  activeExpireCycle(timeBudgetMs: number): number { void timeBudgetMs; return notImplemented(); }

  // ---- introspection -------------------------------------------------------------------------
  /** OBJECT ENCODING/IDLETIME/FREQ/REFCOUNT data, or null if the key is missing (no touch). */
  objectInfo(db: number, key: Uint8Array): ObjectInfo | null { void db; void key; return notImplemented(); }
  /** MEMORY USAGE: heap bytes of the entry (usable size) plus its share of the bucket array. */
  memoryUsage(db: number, key: Uint8Array): number | null { void db; void key; return notImplemented(); }
  /** DEBUG DIGEST: order-independent 40-hex digest of every db; 40 zeros when empty. */
  digest(): string { return notImplemented(); }
  /** DEBUG DIGEST-VALUE of one key: 40 hex, or 40 zeros if missing. */
  digestValue(db: number, key: Uint8Array): string { void db; void key; return notImplemented(); }
  /** Calls fn for every live (unexpired) key of `db`; fn must not modify the store. */
  forEachEntry(db: number, fn: (entry: EntryView) => void): void { void db; void fn; notImplemented(); }
  /** Counters and per-db key/expire counts (INFO stats / keyspace). */
  stats(): StoreStats { return notImplemented(); }

  // ---- housekeeping --------------------------------------------------------------------------
  /** Idle-time rehash work over about `bucketBudget` buckets; true if rehashing remains. */
  rehashStep(bucketBudget: number): boolean { void bucketBudget; return notImplemented(); }
  /** Installs (or with null removes) the WATCH modification listener. */
  setModificationListener(listener: ModificationListener | null): void {
    void listener; notImplemented();
  }
}
