/**
 * Prefault: while a heap is being restored, a helper thread faults in the new segments' memory
 * just ahead of the loader, so the loader's reads mostly find it already mapped.
 * Why: a fresh SharedArrayBuffer is zero pages the kernel maps on first write, and on this kind
 * of machine (a VM) each 4 KiB fault costs ~11 us: faulting in 300 MB took 860 ms on one thread
 * and 440 ms split over two, more than the loader's reading and checksumming together. The
 * loader publishes how far it got; the helper walks up through the segments and, whenever the
 * loader has overtaken it, jumps to where the loader is. Both stay busy to the end: the loader
 * reads (and faults whatever the helper has not reached), the helper faults ahead of it. (A
 * helper walking down from the top to meet the loader was slower, 1.34 s against 1.17 s for a
 * 450 MB file: after they met, the loader read the helper's half alone.)
 * How a page is faulted: `Atomics.add(word, 0)`, a write access that changes no byte. So the
 * heap's contents are the same whether the helper ran, ran partly, or never started, and this
 * is not a mutation of heap memory (nothing bypasses the write API: no byte changes).
 * Invariants: after stop() returns the helper touches no heap memory (stop waits for it to leave
 * its loop, or wins the race to keep it from starting); the helper never holds a JS reference
 * to anything but the segment buffers and its control cells; a helper that fails to start
 * changes nothing but the speed.
 * Not here: which restores are worth a thread (paged-heap.ts, RESTORE_PREFAULT_BYTES_MIN_DEFAULT).
 */
import { Worker } from 'node:worker_threads';

/** Control cells (Int32 indices) shared by the loader and the helper. */
const CELL_STATE = 0;
/** How far the loader got, in 4 KiB units of heap address (exclusive); LOADER_DONE ends the helper. */
const CELL_LOADER_PROGRESS = 1;
/** Units the helper faulted in. */
const CELL_FAULTED_COUNT = 2;
const CELL_COUNT = 3;
/** Past every heap address: the helper leaves at its next unit. */
const LOADER_DONE = 0x7fffffff;

const STATE_STARTING = 0;
const STATE_RUNNING = 1;
const STATE_DONE = 2;
/** stop() came first: the helper never started and never will. */
const STATE_CANCELLED = 3;

/** The stride: the kernel's page size on the machines we run on. */
export const PREFAULT_UNIT_BYTES = 4096;
/** stop() waits in slices this long for the helper to leave its loop (it checks per unit). */
const STOP_WAIT_MS = 1000;

export interface PrefaultRegion {
  readonly buffer: SharedArrayBuffer;
  /** The buffer's first byte's heap address. */
  readonly baseAddress: number;
}

export interface PrefaultJob {
  readonly regions: readonly PrefaultRegion[];
  readonly cells: SharedArrayBuffer;
}

/**
 * The helper's whole loop; runs in the helper thread (and in tests, in-process). Self-contained
 * on purpose: it is sent to the thread as source text, so it may use nothing from outside.
 */
export function prefaultLoop(job: PrefaultJob): void {
  const cells = new Int32Array(job.cells);
  // Cell indices repeated as literals: this function's text is all the helper thread gets.
  if (Atomics.compareExchange(cells, 0, 0, 1) !== 0) return; // STARTING -> RUNNING, or stop() won
  const unitBytes = 4096;
  let faultedCount = 0;
  try {
    for (const region of job.regions) {
      const words = new Int32Array(region.buffer, 0, region.buffer.byteLength >> 2);
      for (let offsetBytes = 0; offsetBytes < region.buffer.byteLength; offsetBytes += unitBytes) {
        const unit = Math.floor((region.baseAddress + offsetBytes) / unitBytes);
        const loaderUnit = Atomics.load(cells, 1);
        if (unit < loaderUnit) {
          // The loader got here first: go on from where it is now.
          if (loaderUnit === 0x7fffffff) return; // LOADER_DONE
          offsetBytes = loaderUnit * unitBytes - region.baseAddress - unitBytes;
          continue;
        }
        Atomics.add(words, offsetBytes >> 2, 0);
        faultedCount++;
        if ((faultedCount & 255) === 0) Atomics.store(cells, 2, faultedCount);
      }
    }
  } finally {
    Atomics.store(cells, 2, faultedCount);
    Atomics.store(cells, 0, 2); // DONE
    Atomics.notify(cells, 0);
  }
}

export interface PrefaultResult {
  /** 4 KiB units the helper faulted in (the loader faulted the rest itself). */
  readonly helperFaultedCount: number;
  readonly didHelperRun: boolean;
}

/** The loader's side: note progress while filling, stop() before anyone else sees the heap. */
export class Prefaulter {
  readonly #cells: Int32Array;
  readonly #job: PrefaultJob;
  #worker: Worker | null;
  #progressUnit = 0;

  /** Starts the helper thread on `regions` (ascending addresses). */
  constructor(regions: readonly PrefaultRegion[], options: { startThread?: boolean } = {}) {
    const cellsBuffer = new SharedArrayBuffer(CELL_COUNT * 4);
    this.#cells = new Int32Array(cellsBuffer);
    const job: PrefaultJob = { regions, cells: cellsBuffer };
    this.#job = job;
    this.#worker = null;
    if (options.startThread === false) return;
    try {
      const source = `(${prefaultLoop.toString()})(require('node:worker_threads').workerData);`;
      const worker = new Worker(source, { eval: true, workerData: job });
      worker.on('error', () => undefined); // only speed is lost; stop() still ends the race
      worker.unref();
      this.#worker = worker;
    } catch {
      this.#worker = null;
    }
  }

  /** Runs the helper's loop on this thread: for tests of a Prefaulter made with startThread false. */
  runHelperHere(): void {
    prefaultLoop(this.#job);
  }

  /** Units the helper has faulted in so far (it publishes every 256 and when it ends). */
  get helperFaultedCount(): number {
    return Atomics.load(this.#cells, CELL_FAULTED_COUNT);
  }

  /** The loader is about to write the bytes below `endAddress`: the helper goes on above them. */
  noteLoaderProgress(endAddress: number): void {
    const unit = Math.ceil(endAddress / PREFAULT_UNIT_BYTES);
    if (unit <= this.#progressUnit) return;
    this.#progressUnit = unit;
    Atomics.store(this.#cells, CELL_LOADER_PROGRESS, unit);
  }

  /** Ends the helper's work; when this returns it touches no heap memory any more. */
  stop(): PrefaultResult {
    const previous = Atomics.compareExchange(this.#cells, CELL_STATE, STATE_STARTING, STATE_CANCELLED);
    if (previous === STATE_RUNNING) {
      // Pushing progress past every address makes the helper leave at its next unit.
      Atomics.store(this.#cells, CELL_LOADER_PROGRESS, LOADER_DONE);
      // The helper checks between units, so this is microseconds unless its thread is
      // descheduled; it always reaches DONE (its loop sets it in a finally).
      while (Atomics.load(this.#cells, CELL_STATE) === STATE_RUNNING) {
        Atomics.wait(this.#cells, CELL_STATE, STATE_RUNNING, STOP_WAIT_MS);
      }
    }
    const worker = this.#worker;
    this.#worker = null;
    if (worker !== null) void worker.terminate();
    return {
      helperFaultedCount: Atomics.load(this.#cells, CELL_FAULTED_COUNT),
      didHelperRun: Atomics.load(this.#cells, CELL_STATE) === STATE_DONE,
    };
  }
}
