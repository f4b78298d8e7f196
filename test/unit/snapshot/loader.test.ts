/**
 * Loading: a saved store comes back with the same digest; expired keys are dropped; missing,
 * corrupt, truncated, non-heap and keyspace-less files are refused and left untouched.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';

import { afterEach, beforeEach, describe, expect, test } from 'vitest';

import { createHeap } from '../../../src/cow/paged-heap.js';
import { Store } from '../../../src/store/store.js';
import { InProcessSnapshot } from '../../../src/snapshot/in-process-snapshot.js';
import { loadSnapshotHeap, loadSnapshotStore, type LoadProgress } from '../../../src/snapshot/loader.js';
import { takeSnapshotPoint } from '../../../src/snapshot/snapshot-point.js';
import { writeCorruptSnapshots } from '../../fixtures/snapshot/corrupt-snapshots.js';
import { makeTempDirectory, sampleSource, writeSnapshotFile } from '../../fixtures/snapshot/snapshot-fixtures.js';

const NOW_MS = 1_700_000_000_000;
const HEAP_OPTIONS = { pageSizeBytes: 512, maxMemoryBytes: 0, segmentPageCount: 64 };
/** The every-length test loads the file once per byte: it must stay this small. */
const TINY_SNAPSHOT_BYTES_MAX = 16_384;

let temp: { directory: string; remove: () => void };
beforeEach(() => {
  temp = makeTempDirectory();
});
afterEach(() => temp.remove());

/** A store with keys in db 0 (100 unless told) and db 3, one expiring at NOW_MS + 1000, saved to dump.snap. */
function saveSampleStore(options: { keyCount?: number } = {}): { filePath: string; digest: string } {
  const heap = createHeap(HEAP_OPTIONS);
  const store = Store.create(heap, { clock: () => NOW_MS, hashSeed: 7 });
  for (let index = 0; index < (options.keyCount ?? 100); index += 1) {
    expect(store.set(0, Buffer.from(`key:${index}`), Buffer.alloc(index * 7, index)).status).toBe('ok');
  }
  expect(store.set(3, Buffer.from('short-lived'), Buffer.from('v'), { expireAtMs: NOW_MS + 1000 }).status).toBe('ok');
  const point = takeSnapshotPoint(heap, {
    strategy: 'stw',
    keyCountsPerDb: store.keyCountsPerDb(),
    checksums: true,
    createdAtMs: NOW_MS,
  });
  const snapshot = new InProcessSnapshot(point, { directory: temp.directory, fileName: 'dump.snap', tempFileName: 'temp-1-1.snap' });
  expect(snapshot.runToEnd(1000)).toBe('done');
  return { filePath: snapshot.finalPath, digest: store.digest() };
}

describe('loader', () => {
  test('a saved store loads with the same digest and key counts', () => {
    const { filePath, digest } = saveSampleStore();
    const loaded = loadSnapshotStore(filePath, { heapOptions: { maxMemoryBytes: 0 }, storeOptions: { clock: () => NOW_MS } });
    expect(loaded.status).toBe('ok');
    if (loaded.status !== 'ok') return;
    expect(loaded.store.digest()).toBe(digest);
    expect(loaded.keysLoaded).toBe(101);
    expect(loaded.keysExpired).toBe(0);
    expect(loaded.header.keyCountsPerDb.slice(0, 4)).toEqual([100, 0, 0, 1]);
    expect(loaded.heap.pageSizeBytes).toBe(HEAP_OPTIONS.pageSizeBytes);
  });

  test('keys whose expiry passed while the file sat on disk are dropped at load', () => {
    const { filePath } = saveSampleStore();
    const loaded = loadSnapshotStore(filePath, {
      heapOptions: { maxMemoryBytes: 0 },
      storeOptions: { clock: () => NOW_MS + 2000 },
    });
    expect(loaded.status).toBe('ok');
    if (loaded.status !== 'ok') return;
    expect(loaded.keysExpired).toBe(1);
    expect(loaded.keysLoaded).toBe(100);
    expect(loaded.store.stats().databases[3].keys).toBe(0);
  });

  test('a missing file is reported as missing, not as an error', () => {
    expect(loadSnapshotStore(path.join(temp.directory, 'none.snap'), { heapOptions: { maxMemoryBytes: 0 } })).toEqual({
      status: 'missing',
    });
  });

  test('a corrupt block is refused with the file, block and byte named, and the file is left alone', () => {
    const { filePath } = saveSampleStore();
    const bytes = fs.readFileSync(filePath);
    const headerEnd = 16 + bytes.readUInt32LE(12) + 4;
    bytes[headerEnd + 100] ^= 0x40;
    fs.writeFileSync(filePath, bytes);
    const loaded = loadSnapshotStore(filePath, { heapOptions: { maxMemoryBytes: 0 } });
    expect(loaded).toEqual({
      status: 'invalid',
      message: `Cannot load snapshot "${filePath}": block 0 at byte ${headerEnd} has a bad checksum`,
    });
    expect(fs.readFileSync(filePath).equals(bytes)).toBe(true);
  });

  test('a truncated file is refused', () => {
    const { filePath } = saveSampleStore();
    const bytes = fs.readFileSync(filePath);
    fs.writeFileSync(filePath, bytes.subarray(0, bytes.length - 1));
    expect(loadSnapshotHeap(filePath, { heapOptions: { maxMemoryBytes: 0 } })).toEqual({
      status: 'invalid',
      message: `Cannot load snapshot "${filePath}": file ends after ${bytes.length - 1} bytes`,
    });
  });

  test('a file cut at every length is refused by the whole load, naming where it ends, and left as cut', () => {
    const { filePath } = saveSampleStore({ keyCount: 2 });
    const bytes = fs.readFileSync(filePath);
    expect(bytes.length).toBeLessThan(TINY_SNAPSHOT_BYTES_MAX); // keeps the loop quick
    const cutPath = path.join(temp.directory, 'cut.snap');
    for (let length = 0; length < bytes.length; length += 1) {
      const cut = bytes.subarray(0, length);
      fs.writeFileSync(cutPath, cut);
      const loaded = loadSnapshotStore(cutPath, { heapOptions: { maxMemoryBytes: 0 }, storeOptions: { clock: () => NOW_MS } });
      if (loaded.status !== 'invalid' || loaded.message !== `Cannot load snapshot "${cutPath}": file ends after ${length} bytes`) {
        expect({ length, loaded }).toEqual({ length, loaded: { status: 'invalid', message: `... file ends after ${length} bytes` } });
      }
      expect(fs.readFileSync(cutPath).equals(cut)).toBe(true);
    }
  });

  test('well-formed pages that are not a heap are refused by the restore step', () => {
    const filePath = writeSnapshotFile({
      directory: temp.directory,
      fileName: 'not-a-heap.snap',
      source: sampleSource(512, 8, [0, 1, 2]),
      header: { blockPageCount: 2 },
    });
    const loaded = loadSnapshotHeap(filePath, { heapOptions: { maxMemoryBytes: 0 } });
    expect(loaded.status).toBe('invalid');
    expect(loaded.status === 'invalid' && loaded.message).toMatch(
      new RegExp(`^Cannot load snapshot ".*not-a-heap.snap": the heap cannot be restored: `),
    );
  });

  test('a heap without a keyspace is refused when the store attaches', () => {
    const heap = createHeap(HEAP_OPTIONS);
    const point = takeSnapshotPoint(heap, { strategy: 'stw', keyCountsPerDb: [], checksums: true, createdAtMs: NOW_MS });
    const snapshot = new InProcessSnapshot(point, { directory: temp.directory, fileName: 'empty.snap', tempFileName: 'temp-1-2.snap' });
    expect(snapshot.runToEnd(100)).toBe('done');
    const loaded = loadSnapshotStore(snapshot.finalPath, { heapOptions: { maxMemoryBytes: 0 } });
    expect(loaded.status === 'invalid' && loaded.message).toContain('the keyspace cannot be attached');
  });

  test('progress rises to 100 percent in one pass over the file', () => {
    const { filePath } = saveSampleStore();
    const progress: LoadProgress[] = [];
    const loaded = loadSnapshotHeap(filePath, { heapOptions: { maxMemoryBytes: 0 }, onProgress: (update) => progress.push(update) });
    expect(loaded.status).toBe('ok');
    expect(progress.length).toBeGreaterThanOrEqual(1);
    const percents = progress.map((update) => update.percent);
    expect([...percents].sort((a, b) => a - b)).toEqual(percents);
    expect(percents.at(-1)).toBe(100);
  });
});

describe('loader on corrupt fixtures', () => {
  test('every corrupt variant is refused with its reason and left untouched', () => {
    const { filePath } = saveSampleStore();
    const variantDirectory = path.join(temp.directory, 'variants');
    fs.mkdirSync(variantDirectory);
    for (const variant of writeCorruptSnapshots(filePath, variantDirectory)) {
      const before = fs.readFileSync(variant.filePath);
      expect(loadSnapshotStore(variant.filePath, { heapOptions: { maxMemoryBytes: 0 } }), variant.name).toEqual({
        status: 'invalid',
        message: `Cannot load snapshot "${variant.filePath}": ${variant.expectedReason}`,
      });
      expect(fs.readFileSync(variant.filePath).equals(before)).toBe(true);
    }
  });
});
