/**
 * A snapshot written on the calling thread, step by step: the writer core over the capture's
 * own page source. SAVE runs it to completion at once (stw); tests run cow and copy snapshots
 * this way and interleave store writes between steps, so every interleaving is replayable.
 * Invariant: the capture is released exactly once, when the writer is done, failed or aborted.
 */

import type { SnapshotFileSystem } from './file-system.js';
import type { SnapshotPoint } from './snapshot-point.js';
import type { CopyStats } from './strategy.js';
import {
  SnapshotWriterCore,
  type WriterFailure,
  type WriterProgress,
  type WriterStepResult,
} from './writer-core.js';

export interface SnapshotTarget {
  readonly directory: string;
  readonly fileName: string;
  readonly tempFileName: string;
  readonly fileSystem?: SnapshotFileSystem;
}

export class InProcessSnapshot {
  readonly #point: SnapshotPoint;
  readonly #writer: SnapshotWriterCore;
  #finalCopyStats: CopyStats | null = null;

  constructor(point: SnapshotPoint, target: SnapshotTarget) {
    this.#point = point;
    this.#writer = new SnapshotWriterCore({
      ...target,
      header: point.header,
      source: point.capture.openSource(),
    });
  }

  get point(): SnapshotPoint {
    return this.#point;
  }

  get progress(): WriterProgress {
    return this.#writer.progress;
  }

  get failure(): WriterFailure | null {
    return this.#writer.failure;
  }

  get finalPath(): string {
    return this.#writer.finalPath;
  }

  /** Copy-on-write cost: live while running, frozen when the snapshot ended. */
  copyStats(): CopyStats {
    return this.#finalCopyStats ?? this.#point.capture.copyStats();
  }

  step(pageBudget: number): WriterStepResult {
    const result = this.#writer.step(pageBudget);
    if (result !== 'more') this.#release();
    return result;
  }

  /** Runs to the end (SAVE). */
  runToEnd(pageBudget: number): WriterStepResult {
    let result = this.step(pageBudget);
    while (result === 'more') result = this.step(pageBudget);
    return result;
  }

  abort(): void {
    this.#writer.abort();
    this.#release();
  }

  #release(): void {
    if (this.#finalCopyStats !== null) return;
    this.#finalCopyStats = this.#point.capture.copyStats();
    this.#point.capture.release();
  }
}
