/**
 * Messages between the main thread and the snapshot writer worker.
 * Why a file of its own: both sides import these types, and the worker entry must not be
 * imported by the main thread (it runs its loop at module load).
 *
 *   main -> worker  workerData: WriterWorkerData (ports transferred with it)
 *                   controlPort: { type: 'abort' }          polled between steps
 *                   shadowChunkPort: SharedArrayBuffer       polled by the EpochReader
 *   worker -> main  parentPort: WriterWorkerMessage          progress..., then finished | failed
 */

import type { MessagePort } from 'node:worker_threads';

import type { SnapshotHeader } from './format.js';
import type { PageSourceDescriptor } from './strategy.js';
import type { WriterFailure, WriterProgress } from './writer-core.js';

export interface WriterWorkerData {
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

export type WriterControlMessage = { readonly type: 'abort' };

export type WriterWorkerMessage =
  | { readonly type: 'progress'; readonly progress: WriterProgress }
  | { readonly type: 'finished'; readonly progress: WriterProgress }
  | { readonly type: 'failed'; readonly failure: WriterFailure; readonly progress: WriterProgress };
