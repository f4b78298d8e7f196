/**
 * The layout of one key in the heap: a single allocation holding header, key and value, like
 * Redis's embstr, so a typical key costs one allocation and one cache line or two.
 *
 *   offset  size  field
 *   0       4     next        word address of the next entry in the bucket chain (or null)
 *   4       4     hash        the key's hash (rehash and lookups never re-read key bytes)
 *   8       1     type        ValueType code (low 4 bits) | encoding code (high 4 bits)
 *   9       1     flags       bit 0: has expiry
 *   10      2     reserved    zero
 *   12      4     access      LRU clock (24-bit seconds) or LFU (16-bit minutes << 8 | counter)
 *   16      4     keyLength
 *   20      4     valueLength
 *   24      8     expireAtMs  f64, present only when the expiry flag is set
 *   24|32   ...   key bytes, then value bytes (a string's bytes; for collection types, later,
 *                 the word address of a separate structure)
 *
 * Why: 24 header bytes + 16-byte key + 100-byte value = 140 bytes, inside the 160 B/key
 * target with the bucket array's 4 bytes; the optional expiry costs nothing for keys without one.
 * Integer encoding: an 'int' string keeps its canonical decimal text (at most 20 bytes) and only
 * the encoding code says it is an integer. Redis stores the binary value instead, but here the
 * zero-copy GET path copies bytes for every encoding and INCR rewrites the text in place; a
 * long integer costs at most 12 bytes more than an 8-byte binary would.
 * Invariants: the value area may be longer than valueLength (APPEND preallocation): capacity is
 * heap.usableSize(entry) - valueOffset. All writes go through the Heap write API.
 */

import type { Address, Heap } from '../cow/heap.js';

export const ENTRY_NEXT_OFFSET = 0;
export const ENTRY_HASH_OFFSET = 4;
export const ENTRY_TYPE_OFFSET = 8;
export const ENTRY_FLAGS_OFFSET = 9;
export const ENTRY_ACCESS_OFFSET = 12;
export const ENTRY_KEY_LENGTH_OFFSET = 16;
export const ENTRY_VALUE_LENGTH_OFFSET = 20;
export const ENTRY_EXPIRY_OFFSET = 24;
export const ENTRY_HEADER_BYTES = 24;
export const ENTRY_EXPIRY_BYTES = 8;
export const ENTRY_FLAG_HAS_EXPIRY = 1;

/** Type codes (Redis's OBJ_* numbering). */
export const TYPE_STRING = 0;
export const TYPE_LIST = 1;
export const TYPE_SET = 2;
export const TYPE_ZSET = 3;
export const TYPE_HASH = 4;

/** Encoding codes (our own numbering). */
export const ENCODING_RAW = 0;
export const ENCODING_INT = 1;
export const ENCODING_EMBSTR = 2;

/** Strings up to this many bytes report 'embstr' (Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT). */
export const EMBSTR_BYTES_MAX = 44;

/** Offset of the key bytes for an entry with or without an expiry. */
export function keyOffset(hasExpiry: boolean): number {
  return hasExpiry ? ENTRY_HEADER_BYTES + ENTRY_EXPIRY_BYTES : ENTRY_HEADER_BYTES;
}

/** Bytes an entry needs for this key length, value length and expiry presence. */
export function entrySizeBytes(keyLength: number, valueLength: number, hasExpiry: boolean): number {
  return keyOffset(hasExpiry) + keyLength + valueLength;
}

export function entryHasExpiry(heap: Heap, entry: Address): boolean {
  return (heap.readU8(entry + ENTRY_FLAGS_OFFSET) & ENTRY_FLAG_HAS_EXPIRY) !== 0;
}

export function entryKeyAddress(heap: Heap, entry: Address): Address {
  return entry + keyOffset(entryHasExpiry(heap, entry));
}

export function entryKeyLength(heap: Heap, entry: Address): number {
  return heap.readU32(entry + ENTRY_KEY_LENGTH_OFFSET);
}

export function entryValueLength(heap: Heap, entry: Address): number {
  return heap.readU32(entry + ENTRY_VALUE_LENGTH_OFFSET);
}

export function entryValueAddress(heap: Heap, entry: Address): Address {
  return entryKeyAddress(heap, entry) + entryKeyLength(heap, entry);
}

/** Bytes the value area can hold without reallocating. */
export function entryValueCapacity(heap: Heap, entry: Address): number {
  return heap.usableSize(entry) - (entryValueAddress(heap, entry) - entry);
}

export function entryType(heap: Heap, entry: Address): number {
  return heap.readU8(entry + ENTRY_TYPE_OFFSET) & 0x0f;
}

export function entryEncoding(heap: Heap, entry: Address): number {
  return heap.readU8(entry + ENTRY_TYPE_OFFSET) >>> 4;
}

/** Absolute expiry in ms, or -1 if the entry has none. */
export function entryExpireAtMs(heap: Heap, entry: Address): number {
  return entryHasExpiry(heap, entry) ? heap.readF64(entry + ENTRY_EXPIRY_OFFSET) : -1;
}

export function entryHash(heap: Heap, entry: Address): number {
  return heap.readU32(entry + ENTRY_HASH_OFFSET);
}

export function entryAccess(heap: Heap, entry: Address): number {
  return heap.readU32(entry + ENTRY_ACCESS_OFFSET);
}

export function entryKey(heap: Heap, entry: Address): Buffer {
  return heap.readBytes(entryKeyAddress(heap, entry), entryKeyLength(heap, entry));
}

export function entryValue(heap: Heap, entry: Address): Buffer {
  return heap.readBytes(entryValueAddress(heap, entry), entryValueLength(heap, entry));
}

/** True if the entry holds exactly `key` (hash compared first, then length, then bytes). */
export function entryKeyEquals(heap: Heap, entry: Address, key: Uint8Array, hash: number): boolean {
  return heap.readU32(entry + ENTRY_HASH_OFFSET) === hash &&
    heap.readU32(entry + ENTRY_KEY_LENGTH_OFFSET) === key.length &&
    heap.equalsBytes(entryKeyAddress(heap, entry), key, 0, key.length);
}

/**
 * Writes every header field except `next` (the table links entries); the key and value bytes are
 * copied by the caller. Positional rather than a header object: this runs on every SET, and an
 * object per call is garbage the scavenger has to chase (issue 2's stall target).
 * `expireAtMs` is -1 for none.
 */
export function writeEntryHeader(
  heap: Heap, entry: Address, hash: number, type: number, encoding: number, access: number,
  keyLength: number, valueLength: number, expireAtMs: number,
): void {
  const hasExpiry = expireAtMs >= 0;
  heap.writeU32(entry + ENTRY_HASH_OFFSET, hash);
  heap.writeU8(entry + ENTRY_TYPE_OFFSET, type | (encoding << 4));
  heap.writeU8(entry + ENTRY_FLAGS_OFFSET, hasExpiry ? ENTRY_FLAG_HAS_EXPIRY : 0);
  heap.writeU16(entry + ENTRY_FLAGS_OFFSET + 1, 0);
  heap.writeU32(entry + ENTRY_ACCESS_OFFSET, access);
  heap.writeU32(entry + ENTRY_KEY_LENGTH_OFFSET, keyLength);
  heap.writeU32(entry + ENTRY_VALUE_LENGTH_OFFSET, valueLength);
  if (hasExpiry) heap.writeF64(entry + ENTRY_EXPIRY_OFFSET, expireAtMs);
}

export function setEntryEncoding(heap: Heap, entry: Address, type: number, encoding: number): void {
  heap.writeU8(entry + ENTRY_TYPE_OFFSET, type | (encoding << 4));
}

export function setEntryValueLength(heap: Heap, entry: Address, valueLength: number): void {
  heap.writeU32(entry + ENTRY_VALUE_LENGTH_OFFSET, valueLength);
}

export function setEntryAccess(heap: Heap, entry: Address, access: number): void {
  heap.writeU32(entry + ENTRY_ACCESS_OFFSET, access);
}

/** Updates the expiry of an entry that already has the expiry field. */
export function setEntryExpireAtMs(heap: Heap, entry: Address, expireAtMs: number): void {
  heap.writeF64(entry + ENTRY_EXPIRY_OFFSET, expireAtMs);
}

/** String encoding Redis would pick for these bytes (tryObjectEncoding): int, embstr or raw. */
export function stringEncodingFor(isInteger: boolean, valueLength: number): number {
  if (isInteger) return ENCODING_INT;
  return valueLength <= EMBSTR_BYTES_MAX ? ENCODING_EMBSTR : ENCODING_RAW;
}
