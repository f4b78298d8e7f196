/**
 * armed-job.ts: splitting a cow job into a template and its numbers and joining them back gives
 * the same job; two jobs of one heap and settings share a template, and any other difference
 * (a buffer, a setting, the number of databases) makes templates differ; the mailbox hands the
 * numbers over once, only for the template it was fired for.
 */

import { describe, expect, test } from 'vitest';

import { createHeap } from '../../../src/cow/paged-heap.js';
import { ArmedJobMailbox, createMailbox, isSameTemplate, joinJob, splitJob } from '../../../src/snapshot/armed-job.js';
import { writerJobFor } from '../../../src/snapshot/bgsave.js';
import { snapshotHeaderFor } from '../../../src/snapshot/snapshot-point.js';
import { snapshotSegmentsOf } from '../../../src/snapshot/strategy-segments.js';
import type { EpochShare } from '../../../src/cow/heap.js';

const FILES = { directory: '/data', fileName: 'dump.snap', tempFileName: 'temp-1-1.snap' };

function cowJob(share: EpochShare, keyCounts: number[], createdAtMs: number, usedPageCount: number, checksums = true) {
  const header = snapshotHeaderFor(
    { pageSizeBytes: share.pageSizeBytes, strategy: 'cow', segments: snapshotSegmentsOf(share.segments), pageCount: share.pageCountAtStart, usedPageCount },
    { keyCountsPerDb: keyCounts, checksums, createdAtMs },
  );
  return writerJobFor({ kind: 'epoch', share }, header, FILES);
}

describe('armed jobs', () => {
  test('split then join gives the job back; two epochs of one heap share a template', () => {
    const heap = createHeap({ pageSizeBytes: 1024, maxMemoryBytes: 0, segmentPageCount: 32 });
    for (let index = 0; index < 50; index += 1) heap.allocate(100);
    const armedShare = heap.nextEpochShare();
    expect(armedShare).not.toBeNull();
    const share = heap.openEpoch();
    expect(isSameTemplate(armedShare, share)).toBe(true); // same buffers, same numbers: next epoch
    const job = cowJob(share, [7, 0, 3], 1_700_000_000_123, 12);
    const split = splitJob(job, 42);
    expect(split).not.toBeNull();
    if (split === null) return;
    expect(joinJob(split.template, split.numbers)).toEqual({ ...job, jobId: 42 });
    const armed = splitJob(cowJob(armedShare!, [0, 0, 0], 0, 0), 0);
    expect(armed !== null && isSameTemplate(armed.template, split.template)).toBe(true);
    heap.closeEpoch();
    // After the close a new ring is prepared: the next template differs from the last one.
    const nextShare = heap.nextEpochShare();
    expect(nextShare?.releaseRing).not.toBe(share.releaseRing);
    const next = splitJob(cowJob(nextShare!, [0, 0, 0], 0, 0), 0);
    expect(next !== null && isSameTemplate(next.template, split.template)).toBe(false);
  });

  test('a different setting, database count or buffer makes another template', () => {
    const heap = createHeap({ pageSizeBytes: 1024, maxMemoryBytes: 0, segmentPageCount: 32 });
    const share = heap.nextEpochShare()!;
    const base = splitJob(cowJob(share, [1, 2], 5, 6), 1)!.template;
    expect(isSameTemplate(base, splitJob(cowJob(share, [9, 9], 7, 8), 2)!.template)).toBe(true);
    expect(isSameTemplate(base, splitJob(cowJob(share, [1, 2], 5, 6, false), 1)!.template)).toBe(false);
    expect(isSameTemplate(base, splitJob(cowJob(share, [1, 2, 3], 5, 6), 1)!.template)).toBe(false);
    const otherRing = { ...share, releaseRing: new SharedArrayBuffer(share.releaseRing.byteLength) };
    expect(isSameTemplate(base, splitJob(cowJob(otherRing, [1, 2], 5, 6), 1)!.template)).toBe(false);
    // A copy-strategy job is never armed.
    const copyJob = { ...cowJob(share, [1, 2], 5, 6), descriptor: { kind: 'copy' as const, copy: { pageSizeBytes: 1024, pageCount: 0, pages: [] } } };
    expect(splitJob(copyJob as never, 1)).toBeNull();
  });

  test('the mailbox gives the numbers once, and only for the template it was fired for', () => {
    const mailbox = new ArmedJobMailbox(createMailbox(3));
    const reader = new ArmedJobMailbox(mailbox.buffer);
    expect(reader.databaseCount).toBe(3);
    expect(reader.take(1)).toBeNull();
    const numbers = { jobId: 9, epoch: 4, pageCountAtStart: 64, createdAtMs: 1_700_000_000_999, pageCount: 64, usedPageCount: 17, keyCountsPerDb: [5, 0, 2] };
    mailbox.fire(2, numbers);
    expect(reader.take(1)).toBeNull();
    expect(reader.take(2)).toEqual(numbers);
    expect(reader.take(2)).toBeNull();
  });
});
