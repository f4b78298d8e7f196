/**
 * Early flush: the snapshot file's data goes to disk while the writer is still writing it,
 * instead of all at once in the final fsync.
 * Why: with plenty of RAM the kernel keeps a whole snapshot as dirty page cache until the
 * writer's fsync, so writing became "copy everything, then wait for the disk" (a profile of a
 * 300 MB snapshot: about 200 ms of the writer's 500 ms was that final fsync). Asking for an
 * fdatasync every EARLY_FLUSH_INTERVAL_BYTES, on a thread of its own, lets the disk work while
 * the writer copies; the final fsync only flushes the tail. Linux's sync_file_range would start
 * the writeback without a thread, but Node does not expose it.
 *
 *   writer thread                      flusher thread (flusher-worker.ts)
 *   request(fd): IDLE -> REQUESTED ──▶ wakes, REQUESTED -> RUNNING, fdatasync(fd), -> IDLE
 *   (keeps writing)                    (back to Atomics.wait)
 *   waitIdle(): blocks until IDLE  ◀── notify
 *
 * Invariants: at most one flush runs at a time and a request while one runs is dropped (the
 * next one covers its bytes); the writer calls waitIdle() before it fsyncs or closes the fd,
 * so the flusher never touches a closed (or reused) descriptor. An early flush is only an
 * optimisation: its errors are ignored, since the final fsync reports any that matter.
 * Not here: when to ask (writer-core.ts), the durable commit (writer-core.ts #commitFile).
 */

import { Worker } from 'node:worker_threads';

import { snapshotWorkerUrl } from './worker-url.js';

/** What the writer core needs from a flusher (tests pass a recording stub). */
export interface EarlyFlusher {
  /** Bytes written between two requests. */
  readonly intervalBytes: number;
  /** Asks for fdatasync(fd) in the background; dropped if a flush is still running. */
  request(fd: number): void;
  /** Returns once no flush is running; call before fsyncing or closing the fd. */
  waitIdle(): void;
}

export const EARLY_FLUSH_INTERVAL_BYTES = 16 * 1024 * 1024;

/** Cell indices and states of the control block shared with flusher-worker.ts. */
export const FLUSH_STATE_INDEX = 0;
export const FLUSH_FD_INDEX = 1;
/** Flushes done (for tests and stats). */
export const FLUSH_COUNT_INDEX = 2;
export const FLUSH_CELL_COUNT = 3;
export const FLUSH_IDLE = 0;
export const FLUSH_REQUESTED = 1;
export const FLUSH_RUNNING = 2;

/** The compiled flusher worker (see worker-url.ts). */
export function flusherWorkerUrl(): URL {
  return snapshotWorkerUrl('flusher-worker.js');
}

/** An EarlyFlusher backed by a thread that sleeps in Atomics.wait between flushes. */
export class FlusherThread implements EarlyFlusher {
  readonly intervalBytes: number;
  readonly #cells = new Int32Array(new SharedArrayBuffer(FLUSH_CELL_COUNT * Int32Array.BYTES_PER_ELEMENT));
  readonly #worker: Worker;
  #isDead = false;

  constructor(intervalBytes = EARLY_FLUSH_INTERVAL_BYTES, workerUrl: URL = flusherWorkerUrl()) {
    this.intervalBytes = intervalBytes;
    this.#worker = new Worker(workerUrl, { workerData: { cells: this.#cells } });
    // An idle flusher never keeps its owner alive; its owner's exit ends it.
    this.#worker.unref();
    // A flusher that dies leaves the state RUNNING or REQUESTED for ever: make it IDLE so that
    // waitIdle() returns, and stop asking (requests then do nothing).
    this.#worker.on('error', () => this.#markDead());
    this.#worker.on('exit', () => this.#markDead());
  }

  /** Flushes completed so far. */
  get flushCount(): number {
    return Atomics.load(this.#cells, FLUSH_COUNT_INDEX);
  }

  request(fd: number): void {
    if (this.#isDead) return;
    if (Atomics.load(this.#cells, FLUSH_STATE_INDEX) !== FLUSH_IDLE) return;
    Atomics.store(this.#cells, FLUSH_FD_INDEX, fd);
    Atomics.store(this.#cells, FLUSH_STATE_INDEX, FLUSH_REQUESTED);
    Atomics.notify(this.#cells, FLUSH_STATE_INDEX);
  }

  waitIdle(): void {
    for (;;) {
      const state = Atomics.load(this.#cells, FLUSH_STATE_INDEX);
      if (state === FLUSH_IDLE || this.#isDead) return;
      // A timeout, so a flusher that died without a word cannot block the writer for ever.
      Atomics.wait(this.#cells, FLUSH_STATE_INDEX, state, 1000);
    }
  }

  async terminate(): Promise<void> {
    this.#markDead();
    await this.#worker.terminate();
  }

  #markDead(): void {
    this.#isDead = true;
  }
}
