/**
 * When the shadow pool cannot grow (no memory for another SharedArrayBuffer chunk), the
 * snapshot fails and the write does not: the main thread's write lands, the writer fails at its
 * 'read' step naming the page, the temp file is removed, the previous snapshot stays, the epoch
 * closes, the service reports err (MISCONF with save rules), and the next snapshot succeeds.
 * How memory runs out on demand: SharedArrayBuffer is swapped, for the duration of one write,
 * for a constructor that throws RangeError as V8 does when an allocation fails (the pool looks
 * the global up when it grows). The worker thread is another isolate and is not affected.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';

import { afterEach, beforeEach, describe, expect, test } from 'vitest';

import { createHeap, type PagedHeap } from '../../../src/cow/paged-heap.js';
import { InProcessSnapshot } from '../../../src/snapshot/in-process-snapshot.js';
import { loadSnapshotHeap } from '../../../src/snapshot/loader.js';
import { SnapshotService } from '../../../src/snapshot/snapshot-service.js';
import { takeSnapshotPoint } from '../../../src/snapshot/snapshot-point.js';
import { makeTempDirectory } from '../../fixtures/snapshot/snapshot-fixtures.js';

/** A one-page shadow pool: the second page copied in an epoch needs the pool to grow. */
const HEAP_OPTIONS = { pageSizeBytes: 256, maxMemoryBytes: 0, segmentPageCount: 256, shadowPoolPageCount: 1 };
const ALLOCATION_BYTES = 200;
const ALLOCATION_COUNT = 100;

let temp: { directory: string; remove: () => void };
beforeEach(() => {
  temp = makeTempDirectory();
});
afterEach(() => temp.remove());

/** Runs `write` while every `new SharedArrayBuffer` throws RangeError; returns its result. */
function withoutSharedMemory<T>(write: () => T): T {
  const original = globalThis.SharedArrayBuffer;
  const failing = function SharedArrayBuffer(): never {
    throw new RangeError('Array buffer allocation failed');
  };
  (globalThis as { SharedArrayBuffer: unknown }).SharedArrayBuffer = failing;
  try {
    return write();
  } finally {
    globalThis.SharedArrayBuffer = original;
  }
}

function filledHeap(byte: number): { heap: PagedHeap; addresses: number[] } {
  const heap = createHeap(HEAP_OPTIONS);
  const addresses = Array.from({ length: ALLOCATION_COUNT }, () => {
    const address = heap.allocate(ALLOCATION_BYTES);
    heap.fill(address, byte, ALLOCATION_BYTES);
    return address;
  });
  return { heap, addresses };
}

function snapshotNow(heap: PagedHeap, tempFileName: string): InProcessSnapshot {
  const point = takeSnapshotPoint(heap, { strategy: 'cow', keyCountsPerDb: [], checksums: true, createdAtMs: 0 });
  return new InProcessSnapshot(point, { directory: temp.directory, fileName: 'dump.snap', tempFileName });
}

function firstByteAt(filePath: string, address: number): number | string {
  const loaded = loadSnapshotHeap(filePath, { heapOptions: { maxMemoryBytes: 0 } });
  if (loaded.status !== 'ok') return loaded.status;
  return loaded.heap.readBytes(address, 1)[0];
}

describe('a shadow pool that cannot grow', () => {
  test('fails the in-process cow snapshot at its read step, not the write, and keeps the old file', () => {
    const { heap, addresses } = filledHeap(1);
    expect(snapshotNow(heap, 'temp-1-1.snap').runToEnd(1000)).toBe('done');
    const filePath = path.join(temp.directory, 'dump.snap');
    const previous = fs.readFileSync(filePath);

    const snapshot = snapshotNow(heap, 'temp-1-2.snap');
    const first = addresses[0];
    const last = addresses[ALLOCATION_COUNT - 1];
    withoutSharedMemory(() => {
      heap.fill(first, 2, ALLOCATION_BYTES); // copied into the pool's only slot
      heap.fill(last, 3, ALLOCATION_BYTES); // another page: the pool would have to grow
    });
    expect(heap.isEpochFailed).toBe(true);
    expect(heap.readBytes(last, 1)[0]).toBe(3); // the write itself landed

    expect(snapshot.runToEnd(1000)).toBe('failed');
    expect(snapshot.failure?.step).toBe('read');
    expect(snapshot.failure?.message).toMatch(/no memory for a shadow copy of a page the main thread wrote/);
    expect(heap.isEpochOpen).toBe(false);
    expect(fs.readdirSync(temp.directory)).toEqual(['dump.snap']);
    expect(fs.readFileSync(filePath).equals(previous)).toBe(true);

    // With memory back, the next snapshot holds the new bytes.
    expect(snapshotNow(heap, 'temp-1-3.snap').runToEnd(1000)).toBe('done');
    expect(firstByteAt(filePath, first)).toBe(2);
    expect(firstByteAt(filePath, last)).toBe(3);
  });

  test('fails a background save in the service with status err and MISCONF, then recovers', async () => {
    const { heap, addresses } = filledHeap(4);
    const logs: string[] = [];
    const service = new SnapshotService({
      settings: () => ({
        directory: temp.directory,
        fileName: 'dump.snap',
        checksums: true,
        saveRules: [{ seconds: 3600, changes: 1 }],
        stopWritesOnBgsaveError: true,
        strategy: 'cow',
      }),
      heap: () => heap,
      keyCountsPerDb: () => [],
      log: (level, message) => logs.push(`${level}: ${message}`),
    });
    expect(service.bgsave()).toEqual({ status: 'started' });
    // The writer thread needs milliseconds to start and these writes take microseconds, so they
    // reach their pages first and must copy them (the same holds in the existing abort test).
    withoutSharedMemory(() => {
      for (const address of addresses) heap.fill(address, 5, ALLOCATION_BYTES);
    });
    const outcome = await service.waitForBackgroundSave();
    expect(outcome?.status).toBe('failed');
    expect(outcome?.failure?.step).toBe('read');
    expect(service.lastBackgroundSaveStatus).toBe('err');
    expect(service.isWriteBlocked()).toBe(true);
    expect(logs.some((line) => line.startsWith('warning: Background saving error: failed at read'))).toBe(true);
    expect(heap.isEpochOpen).toBe(false);
    expect(fs.readdirSync(temp.directory)).toEqual([]);

    expect(service.bgsave()).toEqual({ status: 'started' });
    expect((await service.waitForBackgroundSave())?.status).toBe('ok');
    expect(service.isWriteBlocked()).toBe(false);
    expect(firstByteAt(path.join(temp.directory, 'dump.snap'), addresses[0])).toBe(5);
  });
});
