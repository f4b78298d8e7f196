/**
 * The snapshot writer's worker thread: a thin loop around SnapshotWriterCore.step(), one job at
 * a time, for as long as the process lives (writer-thread.ts keeps it, so a BGSAVE does not pay
 * for booting a thread).
 * Why so thin: all logic lives in the synchronous core, which tests drive in-process; this file
 * only opens the page source from the posted descriptor, polls for abort between steps and
 * reports progress and the outcome to the main thread. It also owns the early-flush thread
 * (early-flush.ts) and holds the snapshot a job replaces open until the job has reported.
 * Invariants: per job exactly one 'finished' or 'failed' message is posted, last; on abort or
 * failure the temp file is gone before that message is sent; a job's ports are closed when it
 * ends and nothing of it (page source, buffers) is kept for the next one.
 * Not here: starting the thread and closing the epoch (writer-thread.ts, bgsave.ts).
 */

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parentPort, receiveMessageOnPort } from 'node:worker_threads';

import { ArmedJobMailbox, joinJob, WRITER_ARMED_POLL_MS, type JobTemplate } from './armed-job.js';
import { FlusherThread } from './early-flush.js';
import { openPageSource } from './epoch-page-source.js';
import { errorMessage } from './file-system.js';
import { SnapshotWriterCore, type WriterStepResult } from './writer-core.js';
import type {
  WriterControlMessage,
  WriterJob,
  WriterJobPorts,
  WriterThreadMessage,
  WriterWorkerMessage,
} from './writer-worker-protocol.js';

/** Atomics.wait on a cell nobody notifies: a sleep that keeps the worker's loop synchronous. */
const SLEEP_CELL = new Int32Array(new SharedArrayBuffer(4));

function post(message: WriterWorkerMessage): void {
  assert.ok(parentPort !== null, 'writer-worker.ts must run in a worker thread');
  parentPort.postMessage(message);
}

function isAbortRequested(ports: WriterJobPorts): boolean {
  for (;;) {
    const received = receiveMessageOnPort(ports.controlPort);
    if (received === undefined) return false;
    if ((received.message as WriterControlMessage).type === 'abort') return true;
  }
}

/** Made once, at boot (off any snapshot's clock); null if its thread cannot start. */
const earlyFlusher: FlusherThread | null = startFlusher();

function startFlusher(): FlusherThread | null {
  try {
    return new FlusherThread();
  } catch {
    return null; // Snapshots still work; all their data is then flushed by the final fsync.
  }
}

/**
 * Opens the snapshot this job will replace, so that the rename at its end does not free the
 * old file's blocks while the snapshot is timed (about 100 ms for 300 MB on ext4): the last
 * close does that, after the job has reported (closeReplacedSnapshot). Redis closes a
 * replaced file in a background thread for the same reason. -1 when there is none.
 */
function holdReplacedSnapshot(job: WriterJob): number {
  try {
    return fs.openSync(path.join(job.directory, job.fileName), 'r');
  } catch {
    return -1;
  }
}

function closeReplacedSnapshot(fd: number): void {
  if (fd >= 0) fs.close(fd, () => undefined);
}

function runWriter(job: WriterJob, ports: WriterJobPorts): void {
  const writer = new SnapshotWriterCore({
    directory: job.directory,
    fileName: job.fileName,
    tempFileName: job.tempFileName,
    header: job.header,
    source: openPageSource(job.descriptor, ports.shadowChunkPort),
    ...(earlyFlusher === null ? {} : { earlyFlusher }),
  });
  const { jobId } = job;
  let lastProgressMs = Date.now();
  let result: WriterStepResult = 'more';
  while (result === 'more') {
    if (isAbortRequested(ports)) {
      writer.abort();
      post({ type: 'failed', jobId, failure: { step: 'aborted', message: 'snapshot aborted' }, progress: writer.progress });
      return;
    }
    result = writer.step(job.stepPageBudget);
    if (job.stepSleepMs > 0 && result === 'more') Atomics.wait(SLEEP_CELL, 0, 0, job.stepSleepMs);
    const nowMs = Date.now();
    if (result === 'more' && nowMs - lastProgressMs >= job.progressIntervalMs) {
      lastProgressMs = nowMs;
      post({ type: 'progress', jobId, progress: writer.progress });
    }
  }
  if (result === 'done') post({ type: 'finished', jobId, progress: writer.progress });
  else {
    const failure = writer.failure ?? { step: 'write', message: 'unknown failure' };
    post({ type: 'failed', jobId, failure, progress: writer.progress });
  }
}

function runJob(job: WriterJob, ports: WriterJobPorts): void {
  const replacedFd = holdReplacedSnapshot(job);
  try {
    runWriter(job, ports);
  } catch (error) {
    // A bug (an assertion in the reader, say): report it; the main side removes the temp file.
    post({
      type: 'failed',
      jobId: job.jobId,
      failure: { step: 'worker', message: errorMessage(error) },
      progress: { pagesScanned: 0, pageCount: job.header.pageCount, pagesWritten: 0, bytesWritten: 0 },
    });
  } finally {
    ports.controlPort.close();
    ports.shadowChunkPort.close();
    closeReplacedSnapshot(replacedFd);
  }
}

/** The ports the main thread sent for the next job (it always sends them before the job). */
let nextPorts: WriterJobPorts | null = null;

/** The job the main thread armed this thread with, and the timer that polls its mailbox. */
let armed: { readonly templateId: number; readonly template: JobTemplate; readonly mailbox: ArmedJobMailbox } | null = null;
let armedPoll: ReturnType<typeof setInterval> | null = null;

function disarm(): void {
  armed = null;
  if (armedPoll !== null) clearInterval(armedPoll);
  armedPoll = null;
}

/** Every WRITER_ARMED_POLL_MS while armed: runs the armed job once a BGSAVE has fired it. */
function pollArmed(): void {
  if (armed === null) return;
  const numbers = armed.mailbox.take(armed.templateId);
  if (numbers === null) return;
  const job = joinJob(armed.template, numbers);
  disarm();
  startJob(job);
}

function startJob(job: WriterJob): void {
  const ports = nextPorts;
  assert.ok(ports !== null, `job ${job.jobId} arrived without its ports`);
  nextPorts = null;
  runJob(job, ports);
}

function onMessage(message: WriterThreadMessage): void {
  switch (message.type) {
    case 'ports':
      assert.ok(nextPorts === null, 'job ports sent twice');
      nextPorts = { controlPort: message.controlPort, shadowChunkPort: message.shadowChunkPort };
      return;
    case 'arm':
      disarm();
      armed = { templateId: message.templateId, template: message.template, mailbox: new ArmedJobMailbox(message.mailbox) };
      armedPoll = setInterval(pollArmed, WRITER_ARMED_POLL_MS);
      return;
    case 'job':
      disarm(); // the main thread posts a job only when it did not fire the armed one
      startJob(message.job);
      return;
    case 'warmUp':
      return;
  }
}

assert.ok(parentPort !== null, 'writer-worker.ts must run in a worker thread');
parentPort.on('message', onMessage);
