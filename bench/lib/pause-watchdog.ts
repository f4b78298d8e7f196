/**
 * A watchdog thread for telling a process's own stalls from the machine's: it wakes every
 * millisecond and records how late it woke; a bench reads (and resets) the longest lateness
 * at the end of each loop cycle.
 * Why: on a shared VM the whole machine is sometimes not running for tens of ms, and the
 * guest cannot see it (this one reports no steal time: the lost time is billed as CPU time to
 * whatever was running). A main-thread stall during which this thread, free on the other core,
 * was just as late is such a pause; one during which it woke on time is the process's own.
 * Cost: about a thousand short wake-ups per second on the other core.
 * Invariants: the lateness cell only grows between takes; stop() ends the thread.
 */
import { Worker } from 'node:worker_threads';

const TICK_MS = 1;

/** Runs in the thread (CommonJS, eval'd): sleep a tick, record lateness, until told to stop. */
const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
const cells = workerData.cells;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
let lastMs = performance.now();
while (Atomics.load(cells, 1) === 0) {
  Atomics.wait(sleeper, 0, 0, ${TICK_MS});
  const nowMs = performance.now();
  const lateUs = Math.round((nowMs - lastMs - ${TICK_MS}) * 1000);
  if (lateUs > Atomics.load(cells, 0)) Atomics.store(cells, 0, lateUs);
  lastMs = nowMs;
}
`;

export class PauseWatchdog {
  /** [0]: longest lateness in µs since the last take; [1]: non-zero asks the thread to stop. */
  readonly #cells = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  readonly #worker: Worker;

  constructor() {
    this.#worker = new Worker(WATCHDOG_SOURCE, { eval: true, workerData: { cells: this.#cells } });
    this.#worker.unref();
  }

  /** The watchdog's longest lateness (ms) since the previous call, and a reset. */
  takeLongestLateMs(): number {
    return Atomics.exchange(this.#cells, 0, 0) / 1000;
  }

  async stop(): Promise<void> {
    Atomics.store(this.#cells, 1, 1);
    await this.#worker.terminate();
  }
}
