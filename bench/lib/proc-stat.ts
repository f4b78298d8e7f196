/**
 * CPU time of another process, read from /proc/<pid>/stat (Linux only).
 * Why: a benchmark that compares servers must charge each server for the CPU it burns, not
 * only for the throughput a client sees; utime + stime of the server process, sampled before
 * and after a run, divided by the requests served, is "CPU per request".
 * Invariants: fields 14 (utime) and 15 (stime) are in clock ticks (`getconf CLK_TCK`, 100 on
 * every Linux we run on); the command name (field 2) may contain spaces and parentheses, so
 * fields are counted from the last ')'. Includes all threads of the process (Node's worker and
 * libuv threads too), as the kernel accounts them.
 * Not here: what to do with the numbers (see the benches).
 */
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

/** Clock ticks per second when `getconf` cannot tell (the Linux value on x86 and arm64). */
const CLOCK_TICKS_PER_SECOND_DEFAULT = 100;

let clockTicksPerSecond: number | null = null;

/** `getconf CLK_TCK`, asked once. */
export function clockTicksPerSecondValue(): number {
  if (clockTicksPerSecond === null) {
    const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const value = Number(result.stdout?.trim());
    clockTicksPerSecond = result.status === 0 && Number.isInteger(value) && value > 0 ? value : CLOCK_TICKS_PER_SECOND_DEFAULT;
  }
  return clockTicksPerSecond;
}

export interface CpuTime {
  readonly userMs: number;
  readonly systemMs: number;
  readonly totalMs: number;
}

/** Parses the text of /proc/<pid>/stat; null when it does not look like one. */
export function parseProcStat(text: string, ticksPerSecond: number): CpuTime | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  // After ") " come fields 3 (state), 4, ... so field n is at index n - 3.
  const fields = text.slice(close + 2).trim().split(/\s+/);
  const userTicks = Number(fields[14 - 3]);
  const systemTicks = Number(fields[15 - 3]);
  if (!Number.isFinite(userTicks) || !Number.isFinite(systemTicks)) return null;
  const msPerTick = 1000 / ticksPerSecond;
  return { userMs: userTicks * msPerTick, systemMs: systemTicks * msPerTick, totalMs: (userTicks + systemTicks) * msPerTick };
}

/** The CPU time a live process has used so far; null if it is gone or /proc is unavailable. */
export function readCpuTime(pid: number): CpuTime | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null; // no such process (exited) or no procfs: the caller reports "n/a"
  }
  return parseProcStat(text, clockTicksPerSecondValue());
}

/** CPU time spent between two samples. */
export function cpuTimeBetween(before: CpuTime, after: CpuTime): CpuTime {
  return {
    userMs: after.userMs - before.userMs,
    systemMs: after.systemMs - before.systemMs,
    totalMs: after.totalMs - before.totalMs,
  };
}
