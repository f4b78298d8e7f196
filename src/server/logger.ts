/**
 * Redis-style log lines: `pid:M 23 Nov 2026 17:40:00.123 * message`.
 * Levels and their marks are Redis's: debug '.', verbose '-', notice '*', warning '#'.
 * Why: operators and tests already parse this format (our tests find the port in the
 * `Ready to accept connections tcp` line).
 * Invariants: a line is written whole with one synchronous write, so lines from a dying
 * process are not lost; logging never throws (a failed log write is dropped).
 * Not here: what is logged (callers decide), log rotation.
 */

import { appendFileSync, writeSync } from 'node:fs';
import type { LogLevel } from './config.js';

const LEVEL_RANK: Record<LogLevel, number> = { debug: 0, verbose: 1, notice: 2, warning: 3, nothing: 4 };
const LEVEL_MARK: Record<Exclude<LogLevel, 'nothing'>, string> = { debug: '.', verbose: '-', notice: '*', warning: '#' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** `23 Nov 2026 17:40:00.123`, local time as Redis prints it. */
export function formatLogTime(date: Date): string {
  return `${pad(date.getDate(), 2)} ${MONTHS[date.getMonth()]} ${date.getFullYear()} ` +
    `${pad(date.getHours(), 2)}:${pad(date.getMinutes(), 2)}:${pad(date.getSeconds(), 2)}.${pad(date.getMilliseconds(), 3)}`;
}

export class Logger {
  level: LogLevel;
  readonly #logfile: string;

  /** `logfile` empty = standard output. */
  constructor(level: LogLevel, logfile: string) {
    this.level = level;
    this.#logfile = logfile;
  }

  isEnabled(level: Exclude<LogLevel, 'nothing'>): boolean {
    return LEVEL_RANK[level] >= LEVEL_RANK[this.level];
  }

  debug(message: string): void {
    this.log('debug', message);
  }
  verbose(message: string): void {
    this.log('verbose', message);
  }
  notice(message: string): void {
    this.log('notice', message);
  }
  warning(message: string): void {
    this.log('warning', message);
  }

  log(level: Exclude<LogLevel, 'nothing'>, message: string): void {
    if (!this.isEnabled(level)) return;
    const line = `${process.pid}:M ${formatLogTime(new Date())} ${LEVEL_MARK[level]} ${message}\n`;
    try {
      if (this.#logfile === '') writeSync(1, line);
      else appendFileSync(this.#logfile, line);
    } catch {
      // A log line that cannot be written is dropped: logging must never take the server down.
    }
  }
}
