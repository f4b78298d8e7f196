/**
 * Messages between the main thread and the snapshot writer worker.
 * Why a file of its own: both sides import these types, and the worker entry must not be
 * imported by the main thread (it starts listening at module load).
 *
 *   main -> worker  parentPort: { type: 'ports', ... }  the next job's two ports, sent while idle
 *                   parentPort: { type: 'job', job }     a job; it takes the ports sent before it
 *                   parentPort: { type: 'arm', ... }     the next job but for its numbers, which
 *                                                        a BGSAVE writes into the mailbox (polled)
 *                   parentPort: { type: 'warmUp', job }  ignored (see WriterThread.warmUp)
 *                   controlPort: { type: 'abort' }       polled between steps
 *                   shadowChunkPort: SharedArrayBuffer   polled by the EpochReader
 *   worker -> main  parentPort: WriterWorkerMessage      progress..., then finished | failed
 *
 * The worker lives across snapshots (writer-thread.ts) and runs one job at a time. Each job gets
 * fresh ports (a chunk or abort left over from an earlier job can never reach it), but they are
 * created and transferred ahead of time: transferring ports costs a few hundred microseconds,
 * which the snapshot start must not pay. Every message back names its job.
 */

import type { MessagePort } from 'node:worker_threads';

import type { SnapshotHeader } from './format.js';
import type { PageSourceDescriptor } from './strategy.js';
import type { WriterFailure, WriterProgress } from './writer-core.js';

/** One snapshot to write: structured-clonable data only (SharedArrayBuffers, numbers, text). */
export interface WriterJob {
  readonly jobId: number;
  readonly descriptor: PageSourceDescriptor;
  readonly header: SnapshotHeader;
  readonly directory: string;
  readonly fileName: string;
  readonly tempFileName: string;
  /** Page numbers per writer step: the granularity of abort checks and progress messages. */
  readonly stepPageBudget: number;
  /** Progress messages are sent at most this often. */
  readonly progressIntervalMs: number;
  /** The worker sleeps this long after each step (0: never), leaving the CPU to the main thread. */
  readonly stepSleepMs: number;
}

/** The worker's ends of one job's ports. */
export interface WriterJobPorts {
  readonly controlPort: MessagePort;
  readonly shadowChunkPort: MessagePort;
}

export type WriterThreadMessage =
  | ({ readonly type: 'ports' } & WriterJobPorts)
  | { readonly type: 'job'; readonly job: WriterJob }
  /** The next job but for its numbers; a BGSAVE fires it through `mailbox` (armed-job.ts). */
  | { readonly type: 'arm'; readonly templateId: number; readonly template: Omit<WriterJob, 'jobId'>; readonly mailbox: SharedArrayBuffer }
  /** Dropped unread: the main thread posts it once to compile its side of a job post. */
  | { readonly type: 'warmUp'; readonly job: WriterJob };

export type WriterControlMessage = { readonly type: 'abort' };

export type WriterWorkerMessage =
  | { readonly type: 'progress'; readonly jobId: number; readonly progress: WriterProgress }
  | { readonly type: 'finished'; readonly jobId: number; readonly progress: WriterProgress }
  | { readonly type: 'failed'; readonly jobId: number; readonly failure: WriterFailure; readonly progress: WriterProgress };
