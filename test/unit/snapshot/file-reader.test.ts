/**
 * The file reader refuses every damaged file: cut at any length, any single flipped bit, random
 * multi-byte corruption, foreign files and newer versions, each with a message naming the problem.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';

import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';

import { PREFIX_BYTES, SNAPSHOT_FORMAT_VERSION } from '../../../src/snapshot/format.js';
import { crc32 } from '../../../src/snapshot/checksum.js';
import { openSnapshotFile, type SnapshotPage } from '../../../src/snapshot/file-reader.js';
import {
  makeTempDirectory,
  pageImage,
  sampleSource,
  writeSnapshotFile,
} from '../../fixtures/snapshot/snapshot-fixtures.js';

const PAGE_SIZE_BYTES = 64;
const USED_PAGES = [0, 1, 4, 5, 9, 10, 11];

let temp: { directory: string; remove: () => void };
beforeEach(() => {
  temp = makeTempDirectory();
});
afterEach(() => temp.remove());

/** Reads every page; returns the pages or the refusal reason. */
function readAll(filePath: string): { pages: SnapshotPage[] } | { reason: string } {
  const opened = openSnapshotFile(filePath);
  if (opened.status === 'invalid') return { reason: opened.reason };
  try {
    const pages = [...opened.reader.pages()].map((page) => ({ pageNumber: page.pageNumber, bytes: Uint8Array.from(page.bytes) }));
    return { pages };
  } catch (error) {
    return { reason: (error as Error).message };
  } finally {
    opened.reader.close();
  }
}

function writeSample(options: { checksums?: boolean } = {}): string {
  return writeSnapshotFile({
    directory: temp.directory,
    fileName: 'dump.snap',
    source: sampleSource(PAGE_SIZE_BYTES, 12, USED_PAGES),
    header: { checksums: options.checksums ?? true, blockPageCount: 3 },
  });
}

describe('file reader', () => {
  test('a written snapshot reads back every used page with its bytes, in order', () => {
    const result = readAll(writeSample());
    expect('pages' in result).toBe(true);
    if (!('pages' in result)) return;
    expect(result.pages.map((page) => page.pageNumber)).toEqual(USED_PAGES);
    for (const page of result.pages) expect(page.bytes).toEqual(pageImage(page.pageNumber, PAGE_SIZE_BYTES));
  });

  test('pages() can be run twice on one open reader and returns the trailer', () => {
    const opened = openSnapshotFile(writeSample());
    expect(opened.status).toBe('ok');
    if (opened.status !== 'ok') return;
    for (let pass = 0; pass < 2; pass += 1) {
      const iterator = opened.reader.pages();
      let count = 0;
      let next = iterator.next();
      while (next.done !== true) {
        count += 1;
        next = iterator.next();
      }
      expect(count).toBe(USED_PAGES.length);
      expect(next.value.recordCount).toBe(USED_PAGES.length);
      expect(next.value.blockCount).toBe(3);
    }
    opened.reader.close();
  });

  test('a snapshot written without checksums still loads', () => {
    const filePath = writeSample({ checksums: false });
    const opened = openSnapshotFile(filePath);
    expect(opened.status === 'ok' && opened.reader.header.checksums).toBe(false);
    if (opened.status === 'ok') opened.reader.close();
    expect('pages' in readAll(filePath)).toBe(true);
  });

  test('a snapshot cut at any length is refused as ending early', () => {
    const bytes = fs.readFileSync(writeSample());
    const cutPath = path.join(temp.directory, 'cut.snap');
    for (let length = 0; length < bytes.length; length += 1) {
      fs.writeFileSync(cutPath, bytes.subarray(0, length));
      expect(readAll(cutPath)).toEqual({ reason: `file ends after ${length} bytes` });
    }
  });

  test('every single flipped bit is refused', () => {
    const bytes = fs.readFileSync(writeSample());
    const flippedPath = path.join(temp.directory, 'flipped.snap');
    for (let bit = 0; bit < bytes.length * 8; bit += 1) {
      const flipped = Buffer.from(bytes);
      flipped[bit >> 3] ^= 1 << (bit & 7);
      fs.writeFileSync(flippedPath, flipped);
      const result = readAll(flippedPath);
      expect('reason' in result, `bit ${bit} went unnoticed`).toBe(true);
    }
  });

  test('random corruption of several bytes is refused', () => {
    const bytes = fs.readFileSync(writeSample());
    const corruptPath = path.join(temp.directory, 'corrupt.snap');
    const corruption = fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 })), {
      minLength: 1,
      maxLength: 8,
    });
    fc.assert(
      fc.property(corruption, (changes) => {
        const corrupt = Buffer.from(bytes);
        for (const [offset, mask] of changes) corrupt[offset] ^= mask;
        if (corrupt.equals(bytes)) return; // two changes cancelled out
        fs.writeFileSync(corruptPath, corrupt);
        expect('reason' in readAll(corruptPath)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  test('a flipped page byte is reported with its block number and offset', () => {
    const filePath = writeSample();
    const bytes = fs.readFileSync(filePath);
    const headerEnd = PREFIX_BYTES + bytes.readUInt32LE(12) + 4;
    const secondBlockStart = headerEnd + 8 + 3 * (4 + PAGE_SIZE_BYTES) + 4;
    bytes[secondBlockStart + 20] ^= 0x10;
    fs.writeFileSync(filePath, bytes);
    expect(readAll(filePath)).toEqual({ reason: `block 1 at byte ${secondBlockStart} has a bad checksum` });
  });

  test('a file that is not a snapshot is refused by its magic', () => {
    const filePath = path.join(temp.directory, 'other.snap');
    fs.writeFileSync(filePath, Buffer.from('REDIS0011 and some more bytes here'));
    expect(readAll(filePath)).toEqual({ reason: 'not a cowkv snapshot (bad magic at byte 0)' });
  });

  test('a newer format version is refused with both versions named', () => {
    const filePath = writeSample();
    const bytes = fs.readFileSync(filePath);
    const newer = SNAPSHOT_FORMAT_VERSION + 1;
    bytes.writeUInt32LE(newer, 8);
    const headerEnd = PREFIX_BYTES + bytes.readUInt32LE(12);
    bytes.writeUInt32LE(crc32(bytes.subarray(0, headerEnd)), headerEnd);
    fs.writeFileSync(filePath, bytes);
    expect(readAll(filePath)).toEqual({
      reason: `format version ${newer} is newer than this program supports (${SNAPSHOT_FORMAT_VERSION})`,
    });
  });

  test('a missing file is refused, not thrown', () => {
    const result = readAll(path.join(temp.directory, 'absent.snap'));
    expect('reason' in result && result.reason.startsWith('cannot open file')).toBe(true);
  });
});
