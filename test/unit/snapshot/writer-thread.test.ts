/**
 * The writer thread kept across snapshots: several background snapshots run one after another on
 * one worker, an aborted job leaves the thread ready for the next, a terminated thread boots a
 * new worker for the next job. Needs the compiled worker (run after `tsc`).
 */

import * as fs from 'node:fs';
import * as path from 'node:path';

import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';

import { createHeap, type PagedHeap } from '../../../src/cow/paged-heap.js';
import { BackgroundSnapshot, writerJobFor } from '../../../src/snapshot/bgsave.js';
import { loadSnapshotHeap } from '../../../src/snapshot/loader.js';
import { snapshotHeaderFor, takeSnapshotPoint } from '../../../src/snapshot/snapshot-point.js';
import { snapshotSegmentsOf } from '../../../src/snapshot/strategy-segments.js';
import { tempFileNameFor } from '../../../src/snapshot/writer-core.js';
import { WriterThread } from '../../../src/snapshot/writer-thread.js';
import { makeTempDirectory } from '../../fixtures/snapshot/snapshot-fixtures.js';

const HEAP_OPTIONS = { pageSizeBytes: 256, maxMemoryBytes: 0, segmentPageCount: 256, shadowPoolPageCount: 4 };

let temp: { directory: string; remove: () => void };
let thread: WriterThread;
beforeEach(() => {
  temp = makeTempDirectory();
  thread = new WriterThread();
});
afterEach(async () => {
  await thread.terminate();
  temp.remove();
});

/** Allocates `count` blocks of 200 bytes filled with `byte`; returns their addresses. */
function writeBlocks(heap: PagedHeap, count: number, byte: number): number[] {
  const addresses: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const address = heap.allocate(200);
    heap.fill(address, byte, 200);
    addresses.push(address);
  }
  return addresses;
}

function startSnapshot(
  heap: PagedHeap,
  fileName: string,
  sequence: number,
  stepSleepMs = 0,
  runner: Parameters<typeof BackgroundSnapshot.start>[0]['writerThread'] = thread,
): BackgroundSnapshot {
  const point = takeSnapshotPoint(heap, { strategy: 'cow', keyCountsPerDb: [0], checksums: true, createdAtMs: 0 });
  return BackgroundSnapshot.start({
    point,
    directory: temp.directory,
    fileName,
    tempFileName: tempFileNameFor(sequence),
    writerThread: runner,
    stepPageBudget: 4,
    stepSleepMs,
  });
}

/** Arms `thread` with the job startSnapshot() would run next, as the service does. */
function armFor(heap: PagedHeap, fileName: string, sequence: number): void {
  const share = heap.nextEpochShare();
  expect(share).not.toBeNull();
  if (share === null) return;
  const header = snapshotHeaderFor(
    { pageSizeBytes: share.pageSizeBytes, strategy: 'cow', segments: snapshotSegmentsOf(share.segments), pageCount: share.pageCountAtStart, usedPageCount: 0 },
    { keyCountsPerDb: [0], checksums: true, createdAtMs: 0 },
  );
  thread.arm(writerJobFor({ kind: 'epoch', share }, header, { directory: temp.directory, fileName, tempFileName: tempFileNameFor(sequence), stepPageBudget: 4, stepSleepMs: 0 }));
}

function firstByteOfEach(file: string, addresses: readonly number[]): number[] {
  const loaded = loadSnapshotHeap(path.join(temp.directory, file), { heapOptions: { maxMemoryBytes: 0 } });
  expect(loaded.status).toBe('ok');
  if (loaded.status !== 'ok') return [];
  return addresses.map((address) => loaded.heap.readU8(address));
}

describe('WriterThread', () => {
  test('runs one snapshot after another on the same worker, each as the heap was at its start', async () => {
    const heap = createHeap(HEAP_OPTIONS);
    const addresses = writeBlocks(heap, 300, 1);
    thread.prepare();
    const threadId = thread.threadId;
    expect(threadId).not.toBeNull();
    for (let round = 1; round <= 3; round += 1) {
      const snapshot = startSnapshot(heap, `round-${round}.snap`, round);
      expect(thread.isBusy).toBe(true);
      for (const address of addresses) heap.fill(address, round + 1, 200); // after the point
      const outcome = await snapshot.finished;
      expect(outcome.failure).toBeNull();
      expect(thread.isBusy).toBe(false);
      expect(thread.threadId).toBe(threadId);
      expect(heap.isEpochOpen).toBe(false);
      expect(new Set(firstByteOfEach(`round-${round}.snap`, addresses))).toEqual(new Set([round]));
    }
  });

  test('a rehearsal runs the start code without side effects; the armed job then still starts the real snapshot', async () => {
    const heap = createHeap(HEAP_OPTIONS);
    const addresses = writeBlocks(heap, 300, 1);
    thread.prepare();
    armFor(heap, 'real.snap', 1);
    const rehearsal = thread.rehearsal();
    const rehearsed = startSnapshot(heap, 'real.snap', 1, 0, rehearsal);
    expect(heap.isEpochOpen).toBe(true);
    expect(thread.isBusy).toBe(false);
    rehearsal.finish();
    expect((await rehearsed.finished).status).toBe('ok');
    expect(heap.isEpochOpen).toBe(false);
    expect(fs.readdirSync(temp.directory)).toEqual([]);
    expect([thread.armedStartCount, thread.postedStartCount]).toEqual([0, 0]);
    // The heap prepared a new release ring when the rehearsal's epoch closed: arm again, as the
    // service does after each rehearsal, then the real start goes through the mailbox.
    armFor(heap, 'real.snap', 1);
    const snapshot = startSnapshot(heap, 'real.snap', 1);
    for (const address of addresses) heap.fill(address, 9, 200); // after the point
    expect((await snapshot.finished).failure).toBeNull();
    expect([thread.armedStartCount, thread.postedStartCount]).toEqual([1, 0]);
    expect(new Set(firstByteOfEach('real.snap', addresses))).toEqual(new Set([1]));
  });

  test('a paced job (a sleep after each step) writes the same point-in-time snapshot', async () => {
    const heap = createHeap(HEAP_OPTIONS);
    const addresses = writeBlocks(heap, 300, 5);
    const snapshot = startSnapshot(heap, 'paced.snap', 1, 1);
    for (const address of addresses) heap.fill(address, 6, 200);
    expect((await snapshot.finished).failure).toBeNull();
    expect(new Set(firstByteOfEach('paced.snap', addresses))).toEqual(new Set([5]));
  });

  test('an aborted job ends as aborted and the next job on the same thread succeeds', async () => {
    const heap = createHeap(HEAP_OPTIONS);
    const addresses = writeBlocks(heap, 2000, 7);
    const aborted = startSnapshot(heap, 'aborted.snap', 1);
    aborted.abort(); // queued before the first step, so it always wins
    const abortedOutcome = await aborted.finished;
    expect(abortedOutcome.failure?.step).toBe('aborted');
    const next = startSnapshot(heap, 'next.snap', 2);
    expect((await next.finished).status).toBe('ok');
    expect(new Set(firstByteOfEach('next.snap', addresses))).toEqual(new Set([7]));
    expect(fs.readdirSync(temp.directory).sort()).toEqual(['next.snap']);
  });

  test('terminate() fails the running job as aborted; the next job boots a new worker', async () => {
    const heap = createHeap(HEAP_OPTIONS);
    const addresses = writeBlocks(heap, 2000, 3);
    const stopped = startSnapshot(heap, 'stopped.snap', 1);
    const stoppedOutcome = await stopped.terminate();
    expect(stoppedOutcome.status).toBe('failed');
    expect(stoppedOutcome.failure?.step).toBe('aborted');
    expect(heap.isEpochOpen).toBe(false);
    expect(thread.threadId).toBeNull();
    const next = startSnapshot(heap, 'after.snap', 2);
    expect((await next.finished).failure).toBeNull();
    expect(new Set(firstByteOfEach('after.snap', addresses))).toEqual(new Set([3]));
  });

  test('idleDeathCount counts workers that died while idle, not terminate()', async () => {
    thread.prepare();
    await thread.terminate();
    expect(thread.idleDeathCount).toBe(0);
    const broken = new WriterThread(new URL('file:///nonexistent/writer-worker.js'));
    broken.prepare();
    await vi.waitFor(() => expect(broken.idleDeathCount).toBe(1)); // the boot failure arrives as an event
    expect(broken.threadId).toBeNull();
  });

  test('a worker that cannot boot fails the job at step worker and the capture is released', async () => {
    const broken = new WriterThread(new URL('file:///nonexistent/writer-worker.js'));
    const heap = createHeap(HEAP_OPTIONS);
    writeBlocks(heap, 10, 1);
    const point = takeSnapshotPoint(heap, { strategy: 'cow', keyCountsPerDb: [0], checksums: true, createdAtMs: 0 });
    let outcomeStep: string | undefined;
    try {
      const snapshot = BackgroundSnapshot.start({ point, directory: temp.directory, fileName: 'x.snap', tempFileName: tempFileNameFor(1), writerThread: broken });
      outcomeStep = (await snapshot.finished).failure?.step;
    } catch {
      point.capture.release(); // a synchronous boot failure: the caller releases, as the service does
      outcomeStep = 'worker';
    }
    expect(outcomeStep).toBe('worker');
    expect(heap.isEpochOpen).toBe(false);
    expect(broken.isBusy).toBe(false);
  });
});
