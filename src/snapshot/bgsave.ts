/**
 * The main-thread side of a background snapshot: posts a job for a captured snapshot point to
 * the writer thread, forwards shadow chunks the heap adds, tracks progress, and when the writer
 * finishes or fails, records the copy-on-write cost and releases the capture (closing the epoch).
 *
 *   main:   takeSnapshotPoint() -> BackgroundSnapshot.start() -> ... keeps serving ...
 *   writer:                        open source, step, step, ..., rename   -> 'finished'
 *   main:                          'finished' -> copyStats, capture.release() -> outcome
 *
 * Why here and not in the service: this is the thread plumbing only; the service decides when
 * to snapshot and keeps INFO's state. The thread itself (writer-thread.ts) outlives snapshots;
 * without one given, start() boots its own and stops it at the end (tests, one-off use).
 * Invariants: the outcome promise always settles, exactly once (finished, failed, worker error
 * or exit); the capture is released before it settles; after a failure no temp file remains.
 * Not here: the writing itself (writer-worker.ts over writer-core.ts).
 */

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MessagePort } from 'node:worker_threads';

import { errorMessage } from './file-system.js';
import type { SnapshotPoint } from './snapshot-point.js';
import type { SnapshotHeader } from './format.js';
import type { CopyStats, PageSourceDescriptor } from './strategy.js';
import type { WriterFailure, WriterProgress } from './writer-core.js';
import { WriterThread, writerWorkerUrl, type WriterJobRunner } from './writer-thread.js';
import type { WriterControlMessage, WriterJob, WriterJobPorts, WriterWorkerMessage } from './writer-worker-protocol.js';

export { writerWorkerUrl };

/** Page numbers per worker step: 256 pages of 4 KiB is 1 MiB between abort checks. */
export const WORKER_STEP_PAGE_BUDGET = 256;
/**
 * The worker's sleep after each step (0: flat out). Measured on 2 shared cores, 1M keys, 20k
 * SETs/s, 6 alternating runs: 1 ms after each 1 MiB step lowered the probe p99 during the
 * snapshot by ~12% (medians 7.0 vs 8.0 ms) but cut the write speed by ~28% (189 vs 264 MiB/s)
 * and doubled the shadow peak (11.6 vs 5.2 MiB), so the default stays flat out.
 */
export const WORKER_STEP_SLEEP_MS = 0;
/** The worker reports progress at most this often. */
export const WORKER_PROGRESS_INTERVAL_MS = 100;

export interface BackgroundSnapshotOptions {
  readonly point: SnapshotPoint;
  readonly directory: string;
  readonly fileName: string;
  readonly tempFileName: string;
  /** The writer thread to post the job to; default: a thread of its own, stopped at the end. */
  readonly writerThread?: WriterJobRunner;
  /** The compiled worker module when booting a thread of its own; default writerWorkerUrl(). */
  readonly workerUrl?: URL;
  readonly stepPageBudget?: number;
  /** Worker sleep after each step; default WORKER_STEP_SLEEP_MS. */
  readonly stepSleepMs?: number;
  readonly clock?: () => number;
}

export interface BackgroundSnapshotOutcome {
  readonly status: 'ok' | 'failed';
  /** Set when status is 'failed'. */
  readonly failure: WriterFailure | null;
  readonly progress: WriterProgress;
  readonly copyStats: CopyStats;
  readonly durationMs: number;
}

/** The job a background snapshot posts (also what the service arms its thread with ahead). */
export function writerJobFor(
  descriptor: PageSourceDescriptor,
  header: SnapshotHeader,
  options: Pick<BackgroundSnapshotOptions, 'directory' | 'fileName' | 'tempFileName' | 'stepPageBudget' | 'stepSleepMs'>,
): Omit<WriterJob, 'jobId'> {
  return {
    descriptor,
    header,
    directory: options.directory,
    fileName: options.fileName,
    tempFileName: options.tempFileName,
    stepPageBudget: options.stepPageBudget ?? WORKER_STEP_PAGE_BUDGET,
    progressIntervalMs: WORKER_PROGRESS_INTERVAL_MS,
    stepSleepMs: options.stepSleepMs ?? WORKER_STEP_SLEEP_MS,
  };
}

export class BackgroundSnapshot {
  readonly #point: SnapshotPoint;
  readonly #thread: WriterJobRunner;
  readonly #ownsThread: boolean;
  #isTerminating = false;
  readonly #controlPort: MessagePort;
  readonly #shadowChunkPort: MessagePort;
  readonly #directory: string;
  readonly #tempFileName: string;
  readonly #clock: () => number;
  readonly #startMs: number;
  #progress: WriterProgress;
  #outcome: BackgroundSnapshotOutcome | null = null;
  #resolve: (outcome: BackgroundSnapshotOutcome) => void = () => undefined;
  /** Settles once with the outcome; never rejects. */
  readonly finished: Promise<BackgroundSnapshotOutcome>;

  /** Starts the worker. The point's capture must be a background one (descriptor not null). */
  static start(options: BackgroundSnapshotOptions): BackgroundSnapshot {
    return new BackgroundSnapshot(options);
  }

  private constructor(options: BackgroundSnapshotOptions) {
    const descriptor = options.point.capture.descriptor;
    // Not assert.ok: this runs inside BGSAVE's start pause, where node:assert's first call in a
    // while cost 20-30 us (and the message template was built on every call).
    if (descriptor === null) throw new assert.AssertionError({ message: `strategy ${options.point.capture.strategy} cannot write from a worker` });
    this.#point = options.point;
    this.#clock = options.clock ?? Date.now;
    this.#startMs = this.#clock();
    // Joined only if a failure must remove it: path.join cost 17-42 us cold in the start pause.
    this.#directory = options.directory;
    this.#tempFileName = options.tempFileName;
    this.#progress = { pagesScanned: 0, pageCount: options.point.header.pageCount, pagesWritten: 0, bytesWritten: 0 };
    this.finished = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    this.#ownsThread = options.writerThread === undefined;
    this.#thread = options.writerThread ?? new WriterThread(options.workerUrl ?? writerWorkerUrl());
    let ports: WriterJobPorts;
    try {
      ports = this.#thread.run(
        writerJobFor(descriptor, options.point.header, options),
        {
          onMessage: (message) => this.#onMessage(message),
          onThreadFailure: (message) => this.#settle('failed', { step: this.#isTerminating ? 'aborted' : 'worker', message }),
        },
      );
    } catch (error) {
      // The caller releases the capture; a thread of our own must not outlive this.
      if (this.#ownsThread) void this.#thread.terminate();
      throw error;
    }
    this.#controlPort = ports.controlPort;
    this.#shadowChunkPort = ports.shadowChunkPort;
    // Chunks the heap adds from now on go to the reader's port; those added before are replayed.
    options.point.capture.forwardShadowChunks((chunk) => this.#shadowChunkPort.postMessage(chunk));
  }

  get point(): SnapshotPoint {
    return this.#point;
  }

  get progress(): WriterProgress {
    return this.#progress;
  }

  get isRunning(): boolean {
    return this.#outcome === null;
  }

  get startMs(): number {
    return this.#startMs;
  }

  /** Live copy-on-write cost while running, the final one after. */
  copyStats(): CopyStats {
    return this.#outcome?.copyStats ?? this.#point.capture.copyStats();
  }

  /** Asks the worker to stop and remove its temp file; `finished` settles as 'failed'. */
  abort(): void {
    if (this.#outcome !== null) return;
    const message: WriterControlMessage = { type: 'abort' };
    this.#controlPort.postMessage(message);
  }

  /**
   * Stops the worker at once; the temp file is removed here. Only for shutdown: the main thread
   * must not write to the heap until this settles (a killed reader may hold a page claim).
   */
  async terminate(): Promise<BackgroundSnapshotOutcome> {
    if (this.#outcome === null) {
      this.#isTerminating = true;
      await this.#thread.terminate();
      this.#settle('failed', { step: 'aborted', message: 'snapshot writer terminated' });
    }
    return this.finished;
  }

  #onMessage(message: WriterWorkerMessage): void {
    this.#progress = message.progress;
    switch (message.type) {
      case 'progress':
        return;
      case 'finished':
        this.#settle('ok', null);
        return;
      case 'failed':
        this.#settle('failed', message.failure);
        return;
    }
  }

  #settle(status: 'ok' | 'failed', failure: WriterFailure | null): void {
    if (this.#outcome !== null) return;
    const copyStats = this.#point.capture.copyStats();
    this.#point.capture.release();
    this.#controlPort.close();
    this.#shadowChunkPort.close();
    if (this.#ownsThread) void this.#thread.terminate();
    const leftover = status === 'failed' ? removeTempFile(path.join(this.#directory, this.#tempFileName)) : null;
    const reported = leftover === null || failure === null ? failure : { ...failure, message: `${failure.message} (${leftover})` };
    this.#outcome = { status, failure: reported, progress: this.#progress, copyStats, durationMs: this.#clock() - this.#startMs };
    this.#resolve(this.#outcome);
  }
}

/** The worker normally removes it; after a crash or terminate() it may still be there. */
function removeTempFile(tempPath: string): string | null {
  try {
    fs.rmSync(tempPath, { force: true });
    return null;
  } catch (error) {
    return `temp file not removed: ${errorMessage(error)}`;
  }
}
