/**
 * The early-flush thread (see early-flush.ts): sleeps in Atomics.wait until the snapshot writer
 * asks for a flush, fdatasyncs the descriptor it names, and goes back to sleep.
 * Why a thread: fdatasync blocks until the disk has the data; here it blocks this thread only,
 * while the writer keeps copying pages into the page cache.
 * Invariants: the state goes REQUESTED -> RUNNING -> IDLE, and only this thread makes those
 * moves (the writer moves IDLE -> REQUESTED); errors are swallowed (the writer's own fsync
 * reports what matters).
 */

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { workerData } from 'node:worker_threads';

import {
  FLUSH_COUNT_INDEX,
  FLUSH_FD_INDEX,
  FLUSH_IDLE,
  FLUSH_REQUESTED,
  FLUSH_RUNNING,
  FLUSH_STATE_INDEX,
} from './early-flush.js';

const cells = (workerData as { cells?: Int32Array } | null)?.cells;
assert.ok(cells instanceof Int32Array, 'flusher-worker.ts needs workerData.cells');

for (;;) {
  Atomics.wait(cells, FLUSH_STATE_INDEX, FLUSH_IDLE);
  if (Atomics.compareExchange(cells, FLUSH_STATE_INDEX, FLUSH_REQUESTED, FLUSH_RUNNING) !== FLUSH_REQUESTED) continue;
  try {
    fs.fdatasyncSync(Atomics.load(cells, FLUSH_FD_INDEX));
  } catch {
    // Ignored: an early flush is an optimisation; the writer's final fsync reports failures.
  }
  Atomics.add(cells, FLUSH_COUNT_INDEX, 1);
  Atomics.store(cells, FLUSH_STATE_INDEX, FLUSH_IDLE);
  Atomics.notify(cells, FLUSH_STATE_INDEX);
}
