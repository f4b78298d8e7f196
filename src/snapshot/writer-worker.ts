/**
 * The snapshot writer's worker thread: a thin loop around SnapshotWriterCore.step().
 * Why so thin: all logic lives in the synchronous core, which tests drive in-process; this file
 * only opens the page source from the posted descriptor, polls for abort between steps and
 * reports progress and the outcome to the main thread.
 * Invariants: exactly one 'finished' or 'failed' message is posted, last; on abort or failure
 * the temp file is gone before that message is sent.
 * Not here: starting the worker and closing the epoch (bgsave.ts).
 */

import assert from 'node:assert/strict';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';

import { openPageSource } from './epoch-page-source.js';
import { errorMessage } from './file-system.js';
import { SnapshotWriterCore, type WriterStepResult } from './writer-core.js';
import type { WriterControlMessage, WriterWorkerData, WriterWorkerMessage } from './writer-worker-protocol.js';

function post(message: WriterWorkerMessage): void {
  assert.ok(parentPort !== null, 'writer-worker.ts must run in a worker thread');
  parentPort.postMessage(message);
}

function isAbortRequested(data: WriterWorkerData): boolean {
  for (;;) {
    const received = receiveMessageOnPort(data.controlPort);
    if (received === undefined) return false;
    if ((received.message as WriterControlMessage).type === 'abort') return true;
  }
}

function runWriter(data: WriterWorkerData): void {
  const writer = new SnapshotWriterCore({
    directory: data.directory,
    fileName: data.fileName,
    tempFileName: data.tempFileName,
    header: data.header,
    source: openPageSource(data.descriptor, data.shadowChunkPort),
  });
  let lastProgressMs = Date.now();
  let result: WriterStepResult = 'more';
  while (result === 'more') {
    if (isAbortRequested(data)) {
      writer.abort();
      post({ type: 'failed', failure: { step: 'aborted', message: 'snapshot aborted' }, progress: writer.progress });
      return;
    }
    result = writer.step(data.stepPageBudget);
    const nowMs = Date.now();
    if (result === 'more' && nowMs - lastProgressMs >= data.progressIntervalMs) {
      lastProgressMs = nowMs;
      post({ type: 'progress', progress: writer.progress });
    }
  }
  if (result === 'done') post({ type: 'finished', progress: writer.progress });
  else {
    const failure = writer.failure ?? { step: 'write', message: 'unknown failure' };
    post({ type: 'failed', failure, progress: writer.progress });
  }
}

const data = workerData as WriterWorkerData;
try {
  runWriter(data);
} catch (error) {
  // A bug (an assertion in the reader, say): report it; the main side removes the temp file.
  post({
    type: 'failed',
    failure: { step: 'worker', message: errorMessage(error) },
    progress: { pagesScanned: 0, pageCount: data.header.pageCount, pagesWritten: 0, bytesWritten: 0 },
  });
} finally {
  data.controlPort.close();
  data.shadowChunkPort.close();
}
