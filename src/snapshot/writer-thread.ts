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

/** The thread's start code, called by a rehearsal with itself as the rehearsal. */
type RehearsedStart = (job: Omit<WriterJob, 'jobId'>, listener: WriterJobListener, rehearsal: WriterRehearsal) => WriterJobPorts;

/**
 * A stand-in runner for rehearsing a start (the service's #warmUpStart), made by
 * WriterThread.rehearsal(): its run() is that thread's own start code (split, compare with the
 * armed template, fire, ref) with every side effect turned aside. The numbers go to a scratch
 * mailbox, the ports are a pair of its own whose other ends are closed, ref() is undone, no job
 * is recorded and the armed template stays armed; finish() then answers the job 'finished' on
 * the caller's stack, so the rehearsal's epoch opens and closes within one call.
 */
export class WriterRehearsal implements WriterJobRunner {
  readonly #start: RehearsedStart;
  #finish: (() => void) | null = null;

  constructor(start: RehearsedStart) {
    this.#start = start;
  }

  run(job: Omit<WriterJob, 'jobId'>, listener: WriterJobListener): WriterJobPorts {
    assert.ok(this.#finish === null, 'a rehearsal runs one job');
    return this.#start(job, listener, this);
  }

  /** The rehearsal's own ports: the worker never hears of it. */
  ports(): WriterJobPorts {
    const control = new MessageChannel();
    const shadowChunks = new MessageChannel();
    control.port2.close();
    shadowChunks.port2.close();
    return { controlPort: control.port1, shadowChunkPort: shadowChunks.port1 };
  }

  /** A mailbox nobody reads, for the job's numbers. */
  scratchMailbox(job: Omit<WriterJob, 'jobId'>): ArmedJobMailbox {
    return new ArmedJobMailbox(createMailbox(job.header.keyCountsPerDb.length));
  }

  /** Called by the start code in place of recording the job. */
  hold(job: Omit<WriterJob, 'jobId'>, listener: WriterJobListener): void {
    const progress = { pagesScanned: 0, pageCount: job.header.pageCount, pagesWritten: 0, bytesWritten: 0 };
    this.#finish = () => listener.onMessage({ type: 'finished', jobId: 0, progress });
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
    return this.#start(job, listener, null);
  }

  /**
   * A runner whose run() is this thread's start code with its side effects turned aside
   * (WriterRehearsal). Why not a separate stand-in: V8 compiles a function at its first call
   * and tiers it up by calls, and with a stand-in the first real BGSAVE was the first call of
   * this code: 150-470 us of its start pause.
   */
  rehearsal(): WriterRehearsal {
    return new WriterRehearsal((job, listener, rehearsal) => this.#start(job, listener, rehearsal));
  }

  /** run(), or a rehearsal of it when `rehearsal` is not null (see WriterRehearsal). */
  #start(job: Omit<WriterJob, 'jobId'>, listener: WriterJobListener, rehearsal: WriterRehearsal | null): WriterJobPorts {
    assert.ok(this.#job === null, 'the writer thread already runs a job');
    this.prepare();
    const worker = this.#worker;
    const ports = rehearsal === null ? this.#nextPorts : rehearsal.ports();
    assert.ok(worker !== null && ports !== null);
    const jobId = rehearsal === null ? this.#lastJobId + 1 : 0;
    const armed = this.#armed;
    // One job per arm: the next epoch has a new release ring anyway.
    if (rehearsal === null) this.#armed = null;
    const split = armed === null ? null : splitJob(job, jobId);
    if (armed !== null && split !== null && isSameTemplate(armed.template, split.template)) {
      const mailbox = rehearsal === null ? armed.mailbox : rehearsal.scratchMailbox(job);
      mailbox.fire(armed.templateId, split.numbers);
      if (rehearsal === null) this.armedStartCount += 1;
    } else if (rehearsal === null) {
      const message: WriterThreadMessage = { type: 'job', job: { ...job, jobId } };
      worker.postMessage(message);
      this.postedStartCount += 1;
    }
    worker.ref();
    if (rehearsal !== null) {
      worker.unref();
      rehearsal.hold(job, listener);
      return ports;
    }
    this.#lastJobId = jobId;
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
   * Posts a job for the worker to drop unread, once per worker: the structured clone of a share
   * and header that a posted start (one whose job differs from the armed one) pays, so that it
   * is not paid cold. The armed start's steps are rehearsed through rehearsal().
   */
  warmUp(job: Omit<WriterJob, 'jobId'>): void {
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
