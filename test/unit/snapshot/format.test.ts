/**
 * The snapshot format's pieces: file start (magic, version, header, header CRC), header
 * validation field by field, trailer encoding, block sizing.
 */

import { describe, expect, test } from 'vitest';

import {
  BLOCK_PAGE_COUNT_MAX,
  PREFIX_BYTES,
  SNAPSHOT_MAGIC,
  TRAILER_BYTES,
  blockBytes,
  blockPageCountFor,
  decodeHeaderBytes,
  decodeTrailer,
  encodeFileStart,
  encodeTrailer,
  findInvalidHeaderField,
} from '../../../src/snapshot/format.js';
import { crc32 } from '../../../src/snapshot/checksum.js';
import { headerFor, sampleSource } from '../../fixtures/snapshot/snapshot-fixtures.js';

const HEADER = headerFor(sampleSource(64, 8, [0, 3, 7]));

describe('format', () => {
  test('encodeFileStart() writes magic, version, header length, header and its CRC', () => {
    const bytes = encodeFileStart(HEADER);
    expect(bytes.subarray(0, 8).equals(SNAPSHOT_MAGIC)).toBe(true);
    expect(bytes.readUInt32LE(8)).toBe(HEADER.formatVersion);
    const headerLength = bytes.readUInt32LE(12);
    expect(bytes.length).toBe(PREFIX_BYTES + headerLength + 4);
    expect(bytes.readUInt32LE(PREFIX_BYTES + headerLength)).toBe(crc32(bytes.subarray(0, PREFIX_BYTES + headerLength)));
  });

  test('the header decodes back to the same fields', () => {
    const bytes = encodeFileStart(HEADER);
    const headerLength = bytes.readUInt32LE(12);
    const decoded = decodeHeaderBytes(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLength));
    expect(decoded).toEqual(HEADER);
    expect(findInvalidHeaderField(decoded)).toBeNull();
  });

  test('findInvalidHeaderField() names the first bad field', () => {
    expect(findInvalidHeaderField(null)).toBe('header');
    expect(findInvalidHeaderField([1, 2])).toBe('header');
    expect(findInvalidHeaderField({ ...HEADER, pageSizeBytes: 100 })).toBe('pageSizeBytes');
    expect(findInvalidHeaderField({ ...HEADER, pageSizeBytes: 2 ** 30 })).toBe('pageSizeBytes');
    expect(findInvalidHeaderField({ ...HEADER, pageSizeBytes: 32 })).toBe('pageSizeBytes');
    expect(findInvalidHeaderField({ ...HEADER, pageCount: 2 ** 40, usedPageCount: 0 })).toBe('pageCount');
    expect(findInvalidHeaderField({ ...HEADER, strategy: 7 })).toBe('strategy');
    expect(findInvalidHeaderField({ ...HEADER, usedPageCount: 9 })).toBe('usedPageCount');
    expect(findInvalidHeaderField({ ...HEADER, blockPageCount: 0 })).toBe('blockPageCount');
    expect(findInvalidHeaderField({ ...HEADER, keyCountsPerDb: [-1] })).toBe('keyCountsPerDb');
    expect(findInvalidHeaderField({ ...HEADER, segments: [{ firstPage: 0, pageCount: 4 }] })).toBe('segments');
    expect(
      findInvalidHeaderField({ ...HEADER, segments: [{ firstPage: 0, pageCount: 4 }, { firstPage: 4, pageCount: 4 }] }),
    ).toBeNull();
  });

  test('decodeHeaderBytes() reports undecodable bytes as a value', () => {
    expect(typeof decodeHeaderBytes(Buffer.from([0x85]))).toBe('symbol');
  });

  test('a trailer round-trips and a bad tag is rejected', () => {
    const bytes = encodeTrailer({ blockCount: 3, recordCount: 7, fileLengthBytes: 2 ** 40 + 5 });
    expect(bytes.length).toBe(TRAILER_BYTES);
    expect(decodeTrailer(bytes)).toEqual({ blockCount: 3, recordCount: 7, fileLengthBytes: 2 ** 40 + 5, fileChecksum: 0 });
    bytes[0] ^= 1;
    expect(decodeTrailer(bytes)).toBeNull();
  });

  test('blockPageCountFor() keeps blocks near 256 KiB and within bounds', () => {
    expect(blockPageCountFor(4096)).toBe(64);
    expect(blockPageCountFor(1024 * 1024)).toBe(1);
    expect(blockPageCountFor(64)).toBe(BLOCK_PAGE_COUNT_MAX);
    expect(blockBytes(64, 2)).toBe(8 + 2 * 68 + 4);
  });
});
