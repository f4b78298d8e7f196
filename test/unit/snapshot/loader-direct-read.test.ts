/**
 * The loader's fast path, SnapshotFileReader.readPagesInto (one readv per block straight into
 * the pages, guessing each block's pages follow the previous one), against the block-buffer
 * path pages(): for any set of used pages (gaps anywhere), block size and checksum setting,
 * both put the same bytes at the same page numbers and leave every other page zero; for any
 * damaged file both refuse with the same reason. Then a real heap: loaded through the fast
 * path, a store with holes (deleted keys) comes back page for page and digest for digest.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';

import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';

import type { HeapRestoreTarget } from '../../../src/cow/heap.js';
import { createHeap } from '../../../src/cow/paged-heap.js';
import { openSnapshotFile, SnapshotFileError, type SnapshotFileReader } from '../../../src/snapshot/file-reader.js';
import { InProcessSnapshot } from '../../../src/snapshot/in-process-snapshot.js';
import { loadSnapshotStore } from '../../../src/snapshot/loader.js';
import { takeSnapshotPoint } from '../../../src/snapshot/snapshot-point.js';
import { Store } from '../../../src/store/store.js';
import { makeTempDirectory, pageImage, sampleSource, writeSnapshotFile } from '../../fixtures/snapshot/snapshot-fixtures.js';

const PAGE_SIZE_BYTES = 64;
/** Enough pages that a block of 1024 records is possible (libuv reads at most 1024 views per call). */
const PAGE_COUNT_MAX = 2600;

let temp: { directory: string; remove: () => void };
beforeEach(() => {
  temp = makeTempDirectory();
});
afterEach(() => temp.remove());

/** A HeapRestoreTarget over one plain buffer, as the heap's is over its segments. */
function bufferTarget(pageCount: number): HeapRestoreTarget & { bytes: Uint8Array } {
  const bytes = new Uint8Array(pageCount * PAGE_SIZE_BYTES);
  const view = (pageNumber: number): Uint8Array => {
    if (!Number.isInteger(pageNumber) || pageNumber < 0 || pageNumber >= pageCount) throw new Error(`page ${pageNumber} is outside`);
    return bytes.subarray(pageNumber * PAGE_SIZE_BYTES, (pageNumber + 1) * PAGE_SIZE_BYTES);
  };
  return {
    bytes,
    pageSizeBytes: PAGE_SIZE_BYTES,
    pageCount,
    writePage: (pageNumber, image) => view(pageNumber).set(image),
    pageView: view,
    movePage: (sourcePage, targetPage) => view(targetPage).set(view(sourcePage)),
    zeroPage: (pageNumber) => view(pageNumber).fill(0),
  };
}

function withReader<T>(filePath: string, use: (reader: SnapshotFileReader) => T): T {
  const opened = openSnapshotFile(filePath);
  if (opened.status !== 'ok') throw new SnapshotFileError(opened.reason);
  try {
    return use(opened.reader);
  } finally {
    opened.reader.close();
  }
}

/** What a load through `read` ends with: the bytes and trailer, or the refusal's reason. */
function outcome(filePath: string, pageCount: number, read: (reader: SnapshotFileReader, target: HeapRestoreTarget & { bytes: Uint8Array }) => unknown) {
  const target = bufferTarget(pageCount);
  try {
    const trailer = withReader(filePath, (reader) => read(reader, target));
    return { status: 'ok' as const, bytes: target.bytes, trailer };
  } catch (error) {
    if (error instanceof SnapshotFileError) return { status: 'refused' as const, reason: error.reason };
    throw error;
  }
}

const viaReadPagesInto = (filePath: string, pageCount: number) =>
  outcome(filePath, pageCount, (reader, target) => reader.readPagesInto(target));
const viaPages = (filePath: string, pageCount: number) =>
  outcome(filePath, pageCount, (reader, target) => {
    const pages = reader.pages();
    for (;;) {
      const next = pages.next();
      if (next.done === true) return next.value;
      target.writePage(next.value.pageNumber, next.value.bytes);
    }
  });

const fileShape = fc.record({
  pageCount: fc.integer({ min: 1, max: PAGE_COUNT_MAX }),
  usedFraction: fc.double({ min: 0.05, max: 1, noNaN: true }),
  blockPageCount: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.constantFrom(511, 512, 513, 1024)),
  checksums: fc.boolean(),
  seed: fc.integer({ min: 1, max: 0x7fffffff }),
});

/** Used page numbers for a shape: each page used with probability usedFraction, at least one. */
function usedPagesOf(shape: { pageCount: number; usedFraction: number; seed: number }): number[] {
  let state = shape.seed;
  const used: number[] = [];
  for (let pageNumber = 0; pageNumber < shape.pageCount; pageNumber += 1) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    if (state / 2 ** 32 < shape.usedFraction) used.push(pageNumber);
  }
  return used.length === 0 ? [shape.pageCount - 1] : used;
}

describe('readPagesInto (the loader fast path)', () => {
  test('puts every page where pages() does, gaps zero, for any pages, block size and checksums', () => {
    fc.assert(
      fc.property(fileShape, (shape) => {
        const used = usedPagesOf(shape);
        const filePath = writeSnapshotFile({
          directory: temp.directory,
          fileName: 'shape.snap',
          source: sampleSource(PAGE_SIZE_BYTES, shape.pageCount, used),
          header: { blockPageCount: shape.blockPageCount, checksums: shape.checksums },
        });
        const fast = viaReadPagesInto(filePath, shape.pageCount);
        const slow = viaPages(filePath, shape.pageCount);
        if (fast.status !== 'ok' || slow.status !== 'ok') throw new Error(`refused: ${JSON.stringify([fast, slow])}`);
        expect(fast.trailer).toEqual(slow.trailer);
        const expected = new Uint8Array(shape.pageCount * PAGE_SIZE_BYTES);
        for (const pageNumber of used) expected.set(pageImage(pageNumber, PAGE_SIZE_BYTES), pageNumber * PAGE_SIZE_BYTES);
        // Buffer.equals: a deep toEqual over 160 KiB per run is slow, and says no more.
        expect(Buffer.from(fast.bytes).equals(expected)).toBe(true);
        expect(Buffer.from(slow.bytes).equals(expected)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  test('refuses every damaged file with the same reason as pages()', () => {
    const source = sampleSource(PAGE_SIZE_BYTES, 300, usedPagesOf({ pageCount: 300, usedFraction: 0.6, seed: 5 }));
    const validPath = writeSnapshotFile({ directory: temp.directory, fileName: 'valid.snap', source, header: { blockPageCount: 7 } });
    const valid = fs.readFileSync(validPath);
    const damagedPath = path.join(temp.directory, 'damaged.snap');
    fc.assert(
      fc.property(
        fc.array(fc.record({ offset: fc.nat({ max: valid.length - 1 }), xor: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 3 }),
        fc.option(fc.nat({ max: valid.length - 1 }), { nil: undefined }),
        (flips, cutAt) => {
          const damaged = Buffer.from(valid);
          for (const flip of flips) damaged[flip.offset] ^= flip.xor;
          fs.writeFileSync(damagedPath, cutAt === undefined ? damaged : damaged.subarray(0, cutAt));
          let fast: ReturnType<typeof viaReadPagesInto> | { status: 'invalid'; reason: string };
          try {
            fast = viaReadPagesInto(damagedPath, 300);
          } catch (error) {
            fast = { status: 'invalid', reason: (error as Error).message }; // header refused on open
          }
          let slow: ReturnType<typeof viaPages> | { status: 'invalid'; reason: string };
          try {
            slow = viaPages(damagedPath, 300);
          } catch (error) {
            slow = { status: 'invalid', reason: (error as Error).message };
          }
          expect(fast).toEqual(slow);
          expect(fast.status).not.toBe('ok');
        },
      ),
      { numRuns: 150 },
    );
  });

  test('a store with deleted keys loads through the fast path page for page, with the same digest', () => {
    const heap = createHeap({ pageSizeBytes: 256, maxMemoryBytes: 0, segmentPageCount: 128 });
    const store = Store.create(heap, { hashSeed: 3 });
    for (let index = 0; index < 3000; index += 1) {
      expect(store.set(index % 4, Buffer.from(`key:${index}`), Buffer.alloc((index * 37) % 900, index)).status).toBe('ok');
    }
    for (let index = 0; index < 3000; index += 3) expect(store.del(index % 4, Buffer.from(`key:${index}`))).toBe(true);
    const point = takeSnapshotPoint(heap, {
      strategy: 'stw',
      keyCountsPerDb: store.keyCountsPerDb(),
      checksums: true,
      createdAtMs: Date.now(),
    });
    const snapshot = new InProcessSnapshot(point, { directory: temp.directory, fileName: 'store.snap', tempFileName: 'temp-store.snap' });
    expect(snapshot.runToEnd(1000)).toBe('done');
    const loaded = loadSnapshotStore(snapshot.finalPath, { heapOptions: { maxMemoryBytes: 0 } });
    if (loaded.status !== 'ok') throw new Error(`load failed: ${JSON.stringify(loaded)}`);
    expect(loaded.store.digest()).toBe(store.digest());
    expect(loaded.heap.stats()).toEqual({ ...heap.stats(), shadowPagesPeak: 0, pagesCopied: 0 });
    expect(loaded.heap.verifyIntegrity()).toEqual(heap.verifyIntegrity());
    const original = new Uint8Array(256);
    const restored = new Uint8Array(256);
    let freePageCount = 0;
    for (let pageNumber = 0; pageNumber < heap.pageCount; pageNumber += 1) {
      const isUsed = heap.readPageImage(pageNumber, original);
      expect(loaded.heap.readPageImage(pageNumber, restored)).toBe(isUsed);
      if (isUsed) expect(restored).toEqual(original);
      else freePageCount += 1;
    }
    expect(freePageCount).toBeGreaterThan(0); // the file had gaps to guess past
  });
});
