/**
 * The armed job: the writer thread is handed the next cow job ahead of time, whole but for a
 * few numbers, and a BGSAVE then starts it by writing those numbers into shared memory. The
 * thread polls for them (WRITER_ARMED_POLL_MS), so starting a snapshot wakes no thread.
 * Why: under load, handing the job to the writer with postMessage was more than half of the
 * start pause (450-560 us of 0.7-0.9 ms in instrumented runs); an Atomics.store is a few us.
 * What a job holds that changes from one snapshot to the next is only numbers (the epoch, page
 * counts, creation time, keys per database); everything else (the heap's buffers, the release
 * ring prepared for the next epoch, file names, settings) is known before the snapshot point.
 *
 *   service (cron, after a snapshot): template = the job a BGSAVE would post now -> arm
 *   BGSAVE: point, job -> splitJob(job) -> same template as armed? -> mailbox.fire(numbers)
 *                                            otherwise            -> postMessage(job) as before
 *   writer (every WRITER_ARMED_POLL_MS while armed): fired for its template -> joinJob -> run
 *
 * Invariants: joinJob(splitJob(job)) equals job; a fired mailbox names the template it was
 * fired for, and the writer runs it only with that template (an arm message still in flight
 * waits for the next poll); the main thread fires only when the job's template is equal, field
 * for field and buffer for buffer, to the one armed; a mailbox is fired once per arm.
 * Not here: posting and polling (writer-thread.ts, writer-worker.ts).
 */
import type { EpochShare } from '../cow/heap.js';
import type { SnapshotHeader } from './format.js';
import type { WriterJob } from './writer-worker-protocol.js';

/** How often an idle, armed writer thread looks at its mailbox. */
export const WRITER_ARMED_POLL_MS = 10;

/** The numbers that differ between two cow jobs of the same heap and settings. */
export interface ArmedJobNumbers {
  readonly jobId: number;
  readonly epoch: number;
  readonly pageCountAtStart: number;
  readonly createdAtMs: number;
  readonly pageCount: number;
  readonly usedPageCount: number;
  readonly keyCountsPerDb: readonly number[];
}

/** A job with those numbers zeroed: equal for two jobs exactly when one can be armed for the other. */
export type JobTemplate = Omit<WriterJob, 'jobId'>;

export function splitJob(job: Omit<WriterJob, 'jobId'>, jobId: number): { template: JobTemplate; numbers: ArmedJobNumbers } | null {
  if (job.descriptor.kind !== 'epoch') return null;
  const share = job.descriptor.share;
  const header = job.header;
  const templateShare: EpochShare = { ...share, epoch: 0, pageCountAtStart: 0 };
  const templateHeader: SnapshotHeader = {
    ...header,
    createdAtMs: 0,
    pageCount: 0,
    usedPageCount: 0,
    keyCountsPerDb: header.keyCountsPerDb.map(() => 0),
  };
  return {
    template: { ...job, descriptor: { kind: 'epoch', share: templateShare }, header: templateHeader },
    numbers: {
      jobId,
      epoch: share.epoch,
      pageCountAtStart: share.pageCountAtStart,
      createdAtMs: header.createdAtMs,
      pageCount: header.pageCount,
      usedPageCount: header.usedPageCount,
      keyCountsPerDb: header.keyCountsPerDb,
    },
  };
}

export function joinJob(template: JobTemplate, numbers: ArmedJobNumbers): WriterJob {
  if (template.descriptor.kind !== 'epoch') throw new Error('an armed job is a cow job');
  return {
    ...template,
    jobId: numbers.jobId,
    descriptor: { kind: 'epoch', share: { ...template.descriptor.share, epoch: numbers.epoch, pageCountAtStart: numbers.pageCountAtStart } },
    header: {
      ...template.header,
      createdAtMs: numbers.createdAtMs,
      pageCount: numbers.pageCount,
      usedPageCount: numbers.usedPageCount,
      keyCountsPerDb: [...numbers.keyCountsPerDb],
    },
  };
}

/** Deep equality of plain data where SharedArrayBuffers are equal only if they are the same one. */
export function isSameTemplate(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (left instanceof SharedArrayBuffer || right instanceof SharedArrayBuffer) return false;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false;
  if (Array.isArray(left) !== Array.isArray(right)) return false;
  const leftKeys = Object.keys(left);
  if (leftKeys.length !== Object.keys(right).length) return false;
  for (const key of leftKeys) {
    if (!isSameTemplate((left as Record<string, unknown>)[key], (right as Record<string, unknown>)[key])) return false;
  }
  return true;
}

// ---- the mailbox: Int32 cells, then Float64 numbers ------------------------------------------

const CELL_STATE = 0;
const CELL_TEMPLATE_ID = 1;
const CELL_COUNT = 2;
// State 0: empty (a new mailbox per arm, so nothing ever empties one).
const MAILBOX_FIRED = 1;
const MAILBOX_TAKEN = 2;
/** Float64 slots before the keys per database. */
const NUMBER_FIXED_COUNT = 6;

export function createMailbox(databaseCount: number): SharedArrayBuffer {
  return new SharedArrayBuffer(8 + (NUMBER_FIXED_COUNT + databaseCount) * 8);
}

export class ArmedJobMailbox {
  readonly buffer: SharedArrayBuffer;
  readonly #cells: Int32Array;
  readonly #numbers: Float64Array;

  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.#cells = new Int32Array(buffer, 0, CELL_COUNT);
    this.#numbers = new Float64Array(buffer, 8);
  }

  get databaseCount(): number {
    return this.#numbers.length - NUMBER_FIXED_COUNT;
  }

  /** Main thread: the numbers, then the state, so a reader that sees FIRED sees them all. */
  fire(templateId: number, numbers: ArmedJobNumbers): void {
    const slots = this.#numbers;
    slots[0] = numbers.jobId;
    slots[1] = numbers.epoch;
    slots[2] = numbers.pageCountAtStart;
    slots[3] = numbers.createdAtMs;
    slots[4] = numbers.pageCount;
    slots[5] = numbers.usedPageCount;
    for (let db = 0; db < numbers.keyCountsPerDb.length; db++) slots[NUMBER_FIXED_COUNT + db] = numbers.keyCountsPerDb[db];
    Atomics.store(this.#cells, CELL_TEMPLATE_ID, templateId);
    Atomics.store(this.#cells, CELL_STATE, MAILBOX_FIRED);
  }

  /** Writer thread: the numbers fired for `templateId`, taken (once), or null. */
  take(templateId: number): ArmedJobNumbers | null {
    if (Atomics.load(this.#cells, CELL_STATE) !== MAILBOX_FIRED) return null;
    if (Atomics.load(this.#cells, CELL_TEMPLATE_ID) !== templateId) return null;
    const slots = this.#numbers;
    const numbers: ArmedJobNumbers = {
      jobId: slots[0],
      epoch: slots[1],
      pageCountAtStart: slots[2],
      createdAtMs: slots[3],
      pageCount: slots[4],
      usedPageCount: slots[5],
      keyCountsPerDb: Array.from(slots.subarray(NUMBER_FIXED_COUNT)),
    };
    Atomics.store(this.#cells, CELL_STATE, MAILBOX_TAKEN);
    return numbers;
  }
}
