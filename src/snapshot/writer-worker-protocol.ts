/**
 * Messages between the main thread and the snapshot writer worker.
 * Why a file of its own: both sides import these types, and the worker entry must not be
 * imported by the main thread (it starts listening at module load).
 *
 *   main -> worker  parentPort: { type: 'job', job: WriterJob }   (the job's two ports transferred)
 *                   job.controlPort: { type: 'abort' }            polled between steps
 *                   job.shadowChunkPort: SharedArrayBuffer        polled by the EpochReader
 *   worker -> main  parentPort: WriterWorkerMessage               progress..., then finished | failed
 *
 * The worker lives across snapshots (writer-thread.ts) and runs one job at a time; every message
 * back names its job, so a late message of an abandoned job is never taken for the current one.
 */

import type { MessagePort } from 'node:worker_threads';

import type { SnapshotHeader } from './format.js';
import type { PageSourceDescriptor } from './strategy.js';
import type { WriterFailure, WriterProgress } from './writer-core.js';

/** One snapshot to write: everything is structured-clonable (SharedArrayBuffers, ports). */
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
  readonly controlPort: MessagePort;
  readonly shadowChunkPort: MessagePort;
}

export type WriterJobMessage = { readonly type: 'job'; readonly job: WriterJob };

export type WriterControlMessage = { readonly type: 'abort' };

export type WriterWorkerMessage =
  | { readonly type: 'progress'; readonly jobId: number; readonly progress: WriterProgress }
  | { readonly type: 'finished'; readonly jobId: number; readonly progress: WriterProgress }
  | { readonly type: 'failed'; readonly jobId: number; readonly failure: WriterFailure; readonly progress: WriterProgress };
