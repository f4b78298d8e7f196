/**
 * Progress for long benchmark runs, on stderr: a one-line bar redrawn in place on a TTY, plain
 * lines otherwise (CI logs, pipes), so stdout stays free for the machine-readable result line.
 * Why: a full run takes minutes; without progress it looks hung.
 * Invariants: plain mode prints a line only when the step or phase text changes and at most once
 * per PLAIN_MIN_INTERVAL_MS for the same step, so logs stay short.
 */
const BAR_WIDTH = 30;
const PLAIN_MIN_INTERVAL_MS = 2000;

export class Progress {
  readonly #stepCount: number;
  readonly #isTty: boolean;
  #stepIndex = 0;
  #stepLabel = '';
  #lastPlainMs = 0;
  #lastPlainText = '';
  readonly #startedMs = Date.now();

  constructor(stepCount: number, isTty = process.stderr.isTTY === true) {
    this.#stepCount = stepCount;
    this.#isTty = isTty;
  }

  /** Starts the next step (1-based in the output). */
  step(label: string): void {
    this.#stepIndex += 1;
    this.#stepLabel = label;
    this.phase('starting');
  }

  /** A phase inside the current step, e.g. "fill 40%". */
  phase(text: string): void {
    const elapsedS = Math.round((Date.now() - this.#startedMs) / 1000);
    const head = `[${this.#stepIndex}/${this.#stepCount}] ${this.#stepLabel}: ${text}`;
    if (this.#isTty) {
      const done = Math.round((BAR_WIDTH * (this.#stepIndex - 1)) / this.#stepCount);
      const bar = `${'#'.repeat(done)}${'.'.repeat(BAR_WIDTH - done)}`;
      process.stderr.write(`\r\x1b[2K${bar} ${elapsedS}s ${head}`);
      return;
    }
    const nowMs = Date.now();
    const textWithoutNumbers = head.replace(/\d+%/, '');
    if (textWithoutNumbers === this.#lastPlainText && nowMs - this.#lastPlainMs < PLAIN_MIN_INTERVAL_MS) return;
    this.#lastPlainText = textWithoutNumbers;
    this.#lastPlainMs = nowMs;
    process.stderr.write(`${elapsedS}s ${head}\n`);
  }

  done(text: string): void {
    if (this.#isTty) process.stderr.write('\r\x1b[2K');
    process.stderr.write(`${text}\n`);
  }
}
