/** Unit tests of the entry layout: header fields, optional expiry, key and value placement. */
import { describe, expect, test } from 'vitest';
import { createHeap } from '../../../src/cow/paged-heap.js';
import {
  ENCODING_EMBSTR, ENCODING_INT, ENCODING_RAW, ENTRY_HEADER_BYTES, TYPE_STRING, entryEncoding,
  entryExpireAtMs, entryHasExpiry, entryHash, entryKey, entryKeyEquals, entrySizeBytes, entryType,
  entryValue, entryValueCapacity, keyOffset, stringEncodingFor, writeEntryHeader,
} from '../../../src/store/entry.js';

function writeEntry(expireAtMs: number): { heap: ReturnType<typeof createHeap>; entry: number } {
  const heap = createHeap({ pageSizeBytes: 4096, maxMemoryBytes: 0 });
  const key = Buffer.from('user:1');
  const value = Buffer.from('hello world');
  const entry = heap.allocate(entrySizeBytes(key.length, value.length, expireAtMs >= 0));
  writeEntryHeader(heap, entry, 0xdeadbeef, TYPE_STRING, ENCODING_EMBSTR, 77, key.length, value.length, expireAtMs);
  const keyAddress = entry + keyOffset(expireAtMs >= 0);
  heap.copyIn(keyAddress, key, 0, key.length);
  heap.copyIn(keyAddress + key.length, value, 0, value.length);
  return { heap, entry };
}

describe('entry layout', () => {
  test('a 16-byte key and 100-byte value need 140 bytes, 8 more with an expiry', () => {
    expect(entrySizeBytes(16, 100, false)).toBe(140);
    expect(entrySizeBytes(16, 100, true)).toBe(148);
    expect(ENTRY_HEADER_BYTES).toBe(24);
  });

  test('reads back every field of an entry without an expiry', () => {
    const { heap, entry } = writeEntry(-1);
    expect(entryHash(heap, entry)).toBe(0xdeadbeef);
    expect(entryType(heap, entry)).toBe(TYPE_STRING);
    expect(entryEncoding(heap, entry)).toBe(ENCODING_EMBSTR);
    expect(entryHasExpiry(heap, entry)).toBe(false);
    expect(entryExpireAtMs(heap, entry)).toBe(-1);
    expect(entryKey(heap, entry).toString()).toBe('user:1');
    expect(entryValue(heap, entry).toString()).toBe('hello world');
    expect(entryValueCapacity(heap, entry)).toBeGreaterThanOrEqual(11);
  });

  test('places key and value after the expiry field when there is one', () => {
    const { heap, entry } = writeEntry(1_700_000_000_123);
    expect(entryHasExpiry(heap, entry)).toBe(true);
    expect(entryExpireAtMs(heap, entry)).toBe(1_700_000_000_123);
    expect(entryKey(heap, entry).toString()).toBe('user:1');
    expect(entryValue(heap, entry).toString()).toBe('hello world');
  });

  test('entryKeyEquals() compares hash, length and bytes', () => {
    const { heap, entry } = writeEntry(-1);
    expect(entryKeyEquals(heap, entry, Buffer.from('user:1'), 0xdeadbeef)).toBe(true);
    expect(entryKeyEquals(heap, entry, Buffer.from('user:1'), 1)).toBe(false);
    expect(entryKeyEquals(heap, entry, Buffer.from('user:2'), 0xdeadbeef)).toBe(false);
    expect(entryKeyEquals(heap, entry, Buffer.from('user:10'), 0xdeadbeef)).toBe(false);
  });

  test('stringEncodingFor() picks int, embstr up to 44 bytes, raw beyond', () => {
    expect(stringEncodingFor(true, 5)).toBe(ENCODING_INT);
    expect(stringEncodingFor(false, 44)).toBe(ENCODING_EMBSTR);
    expect(stringEncodingFor(false, 45)).toBe(ENCODING_RAW);
  });
});
