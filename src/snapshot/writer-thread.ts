/**
 * The snapshot writer thread, kept across snapshots: one Worker running writer-worker.ts, to
 * which each background snapshot posts a job (EpochShare, header, file names, two ports).
 * Why: booting a worker thread costs a few hundred ms of CPU and a BGSAVE should not wait for
 * it, nor should the main thread pay for creating one at the snapshot point. The service boots
 * the thread ahead of time (prepare()); starting a snapshot is then one postMessage.
 *
 *   prepare() -> Worker boots (unref'd: an idle writer never keeps the process alive), and the
 *                next job's two ports are created and sent to it (off the snapshot's clock)
 *   run(job)  -> ref, postMessage(job) ... messages of that job ... finished | failed -> unref
 *   worker dies (error, exit, terminate()) -> the running job hears onThreadFailure; the next
 *                                           prepare() or run() boots a new worker
 *
 * Invariants: at most one job at a time (asserted); each job's listener hears exactly the
 * messages carrying its jobId, then at most one onThreadFailure, and nothing after its final
 * message; a worker that died is never reused.
 * Not here: what a job does (writer-worker.ts), epochs and outcomes (bgsave.ts).
 */

import assert from 'node:assert/strict';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';

import { ArmedJobMailbox, createMailbox, isSameTemplate, splitJob, type JobTemplate } from './armed-job.js';
import { snapshotWorkerUrl } from './worker-url.js';
import type { WriterJob, WriterJobPorts, WriterThreadMessage, WriterWorkerMessage } from './writer-worker-protocol.js';

/** The compiled writer worker (see worker-url.ts). */
export function writerWorkerUrl(): URL {
  return snapshotWorkerUrl('writer-worker.js');
}

/** What a job's owner hears from the thread. */
export interface WriterJobListener {
  /** A message of this job; after a 'finished' or 'failed' one the listener hears nothing more. */
  onMessage(message: WriterWorkerMessage): void;
  /** The worker died (error, exit, terminate) while this job ran. */
  onThreadFailure(message: string): void;
}

interface RunningJob {
  readonly jobId: number;
  readonly listener: WriterJobListener;
}

/** What a background snapshot needs of a writer thread (bgsave.ts). */
export type WriterJobRunner = Pick<WriterThread, 'run' | 'terminate'>;

/**
 * A stand-in thread for rehearsing a snapshot: run() posts nothing, and finish() then answers
 * the job 'finished' at once, on the caller's stack. The service rehearses the whole start and
 * finish path once, off any client's clock, so V8 has compiled it before the first real BGSAVE;
 * the rehearsal's epoch opens and closes within that one call.
 */
export class RehearsalWriterThread implements WriterJobRunner {
  #finish: (() => void) | null = null;

  run(job: Omit<WriterJob, 'jobId'>, listener: WriterJobListener): WriterJobPorts {
    assert.ok(this.#finish === null, 'a rehearsal runs one job');
    const control = new MessageChannel();
    const shadowChunks = new MessageChannel();
    control.port2.close();
    shadowChunks.port2.close();
    const progress = { pagesScanned: 0, pageCount: job.header.pageCount, pagesWritten: 0, bytesWritten: 0 };
    this.#finish = () => listener.onMessage({ type: 'finished', jobId: 0, progress });
    return { controlPort: control.port1, shadowChunkPort: shadowChunks.port1 };
  }

  /** Answers the job 'finished' now (its snapshot then releases its capture). */
  finish(): void {
    const finish = this.#finish;
    this.#finish = () => undefined;
    finish?.();
  }

  async terminate(): Promise<void> {
    // Nothing runs.
  }
}

export class WriterThread {
  readonly #workerUrl: URL;
  #worker: Worker | null = null;
  /** The worker warmUp() has posted a job to (it posts once per worker). */
  #warmedUpWorker: Worker | null = null;
  #job: RunningJob | null = null;
  /** Main-thread ends of the ports already sent for the next job. */
  #nextPorts: WriterJobPorts | null = null;
  #lastJobId = 0;
  #idleDeathCount = 0;
  /** The job template the live worker holds, with its mailbox (armed-job.ts). */
  #armed: { readonly templateId: number; readonly template: JobTemplate; readonly mailbox: ArmedJobMailbox } | null = null;
  #lastTemplateId = 0;
  /** Jobs started through the mailbox, and through a postMessage (for tests and INFO). */
  armedStartCount = 0;
  postedStartCount = 0;

  constructor(workerUrl: URL = writerWorkerUrl()) {
    this.#workerUrl = workerUrl;
  }

  get isBusy(): boolean {
    return this.#job !== null;
  }

  /**
   * Workers that died while idle (failed to boot, or crashed between jobs); terminate() does
   * not count. The service stops booting ahead of time once this is non-zero, so a worker that
   * cannot start is not retried on every cron tick; run() still boots one for each job.
   */
  get idleDeathCount(): number {
    return this.#idleDeathCount;
  }

  /** The live worker's thread id, or null when none is alive (for tests and logs). */
  get threadId(): number | null {
    return this.#worker?.threadId ?? null;
  }

  /**
   * Boots the worker now if none is alive (it then waits, unref'd, for a job) and sends it the
   * next job's ports if not yet done. Cheap when both are done. May throw.
   */
  prepare(): void {
    if (this.#worker === null) this.#boot();
    if (this.#nextPorts === null && this.#job === null) this.#sendNextPorts();
  }

  /**
   * Hands the idle worker the job a BGSAVE would post now (`job`, from the same code), so that
   * the BGSAVE can start it with a few numbers in shared memory instead of a postMessage. A
   * no-op while a job runs, without a worker, or when the worker already holds this template.
   */
  arm(job: Omit<WriterJob, 'jobId'>): void {
    const worker = this.#worker;
    if (worker === null || this.#job !== null) return;
    const split = splitJob(job, 0);
    if (split === null) return;
    if (this.#armed !== null && isSameTemplate(this.#armed.template, split.template)) return;
    this.#lastTemplateId += 1;
    const mailbox = new ArmedJobMailbox(createMailbox(job.header.keyCountsPerDb.length));
    this.#armed = { templateId: this.#lastTemplateId, template: split.template, mailbox };
    const message: WriterThreadMessage = { type: 'arm', templateId: this.#lastTemplateId, template: split.template, mailbox: mailbox.buffer };
    worker.postMessage(message);
  }

  #boot(): void {
    this.#armed = null;
    const worker = new Worker(this.#workerUrl);
    worker.unref();
    worker.on('message', (message: WriterWorkerMessage) => this.#onMessage(message));
    worker.on('error', (error: Error) => this.#onWorkerGone(worker, error.message));
    worker.on('exit', (exitCode: number) => {
      this.#onWorkerGone(worker, `writer thread exited with code ${exitCode} before finishing`);
    });
    this.#worker = worker;
  }

  /**
   * Posts a job (booting the worker and sending ports first if prepare() has not; that may
   * throw). Returns the main thread's ends of the job's ports: `controlPort` takes
   * { type: 'abort' }, `shadowChunkPort` the shadow chunks the heap adds. The caller closes them
   * when the job has ended.
   */
  run(job: Omit<WriterJob, 'jobId'>, listener: WriterJobListener): WriterJobPorts {
    assert.ok(this.#job === null, 'the writer thread already runs a job');
    this.prepare();
    const worker = this.#worker;
    const ports = this.#nextPorts;
    assert.ok(worker !== null && ports !== null);
    this.#lastJobId += 1;
    const jobId = this.#lastJobId;
    const armed = this.#armed;
    this.#armed = null; // one job per arm: the next epoch has a new release ring anyway
    const split = armed === null ? null : splitJob(job, jobId);
    if (armed !== null && split !== null && isSameTemplate(armed.template, split.template)) {
      armed.mailbox.fire(armed.templateId, split.numbers);
      this.armedStartCount += 1;
    } else {
      const message: WriterThreadMessage = { type: 'job', job: { ...job, jobId } };
      worker.postMessage(message);
      this.postedStartCount += 1;
    }
    worker.ref();
    this.#nextPorts = null;
    this.#job = { jobId, listener };
    return ports;
  }

  /**
   * Stops the worker at once (shutdown); a running job hears onThreadFailure first. The next
   * prepare() or run() boots a new one.
   */
  async terminate(): Promise<void> {
    const worker = this.#worker;
    if (worker === null) return;
    this.#onWorkerGone(worker, 'snapshot writer terminated', { isTerminated: true });
    await worker.terminate();
  }

  #onMessage(message: WriterWorkerMessage): void {
    const job = this.#job;
    if (job === null || message.jobId !== job.jobId) return;
    if (message.type !== 'progress') this.#endJob();
    job.listener.onMessage(message);
  }

  /**
   * Fires a job's numbers into a mailbox nobody reads and, the first time for each worker,
   * posts the job for the worker to drop unread: it runs the main thread's side of run() both
   * ways (split, compare and fire; structured clone of a share and header), so that real starts
   * do not run them cold. Called repeatedly (the service's rehearsals), it posts only once.
   */
  warmUp(job: Omit<WriterJob, 'jobId'>): void {
    // The armed start's steps too, on a mailbox nobody reads.
    const split = splitJob(job, 0);
    const again = splitJob(job, 0);
    if (split !== null && again !== null && isSameTemplate(split.template, again.template)) {
      new ArmedJobMailbox(createMailbox(job.header.keyCountsPerDb.length)).fire(0, split.numbers);
    }
    const worker = this.#worker;
    if (worker === null || this.#warmedUpWorker === worker) return;
    this.#warmedUpWorker = worker;
    const message: WriterThreadMessage = { type: 'warmUp', job: { ...job, jobId: 0 } };
    worker.postMessage(message);
  }

  #sendNextPorts(): void {
    const worker = this.#worker;
    assert.ok(worker !== null);
    const control = new MessageChannel();
    const shadowChunks = new MessageChannel();
    const message: WriterThreadMessage = { type: 'ports', controlPort: control.port2, shadowChunkPort: shadowChunks.port2 };
    const transfer: MessagePort[] = [control.port2, shadowChunks.port2];
    worker.postMessage(message, transfer);
    this.#nextPorts = { controlPort: control.port1, shadowChunkPort: shadowChunks.port1 };
  }

  #onWorkerGone(worker: Worker, reason: string, options: { readonly isTerminated?: boolean } = {}): void {
    if (this.#worker !== worker) return;
    this.#worker = null;
    this.#armed = null;
    if (this.#job === null && options.isTerminated !== true) this.#idleDeathCount += 1;
    // Their other ends died with the worker.
    this.#nextPorts?.controlPort.close();
    this.#nextPorts?.shadowChunkPort.close();
    this.#nextPorts = null;
    const job = this.#job;
    if (job === null) return;
    this.#job = null;
    job.listener.onThreadFailure(reason);
  }

  #endJob(): void {
    this.#job = null;
    this.#worker?.unref();
  }
}
