/**
 * The per-entry access clock that OBJECT IDLETIME/FREQ read and eviction will sample: Redis's
 * 24-bit LRU clock in seconds, or its LFU word (16-bit minutes of last decay << 8 | 8-bit
 * logarithmic counter), chosen per store like maxmemory-policy chooses in Redis.
 * Why Redis's encodings: they fit the entry's 32-bit field, and eviction ported from Redis
 * (approximated by sampling) will expect exactly these semantics.
 * Invariants: values fit in 24 bits; LFU counters saturate at 255; a fresh entry starts at
 * LFU_INIT_VAL so new keys are not evicted before they have a chance to be used.
 */

/** LRU clock wraps at 2^24 seconds (about 194 days), like Redis's LRU_CLOCK_MAX. */
export const LRU_CLOCK_MAX = (1 << 24) - 1;
export const LRU_CLOCK_RESOLUTION_MS = 1000;
/** Initial LFU counter of a new key (Redis's LFU_INIT_VAL). */
export const LFU_INIT_VAL = 5;
export const LFU_COUNTER_MAX = 255;
const LFU_MINUTES_MAX = 65535;
const MS_PER_MINUTE = 60_000;

export type AccessClockKind = 'lru' | 'lfu';

export interface LfuTuning {
  readonly logFactor: number;
  readonly decayTimeMinutes: number;
}

/** Redis's LRU_CLOCK() for `nowMs`. */
export function lruClock(nowMs: number): number {
  return Math.floor(nowMs / LRU_CLOCK_RESOLUTION_MS) & LRU_CLOCK_MAX;
}

/** Milliseconds since an LRU stamp (estimateObjectIdleTime, wrap-aware). */
export function lruIdleMs(stamp: number, nowMs: number): number {
  const clock = lruClock(nowMs);
  const ticks = clock >= stamp ? clock - stamp : clock + (LRU_CLOCK_MAX - stamp);
  return ticks * LRU_CLOCK_RESOLUTION_MS;
}

function lfuMinutes(nowMs: number): number {
  return Math.floor(nowMs / MS_PER_MINUTE) & LFU_MINUTES_MAX;
}

/** The LFU counter after decay for the time elapsed (LFUDecrAndReturn). */
export function lfuDecayedCounter(word: number, nowMs: number, tuning: LfuTuning): number {
  const lastMinutes = word >>> 8;
  const counter = word & 0xff;
  const now = lfuMinutes(nowMs);
  const elapsed = now >= lastMinutes ? now - lastMinutes : LFU_MINUTES_MAX - lastMinutes + now;
  const periods = tuning.decayTimeMinutes > 0 ? Math.floor(elapsed / tuning.decayTimeMinutes) : 0;
  return periods > counter ? 0 : counter - periods;
}

/** The access word of a new entry. */
export function initialAccess(kind: AccessClockKind, nowMs: number): number {
  return kind === 'lru' ? lruClock(nowMs) : ((lfuMinutes(nowMs) << 8) | LFU_INIT_VAL) >>> 0;
}

/** The access word after one access (updateLFU / LRU stamp). */
export function touchedAccess(
  kind: AccessClockKind, word: number, nowMs: number, tuning: LfuTuning, random: () => number,
): number {
  if (kind === 'lru') return lruClock(nowMs);
  let counter = lfuDecayedCounter(word, nowMs, tuning);
  if (counter < LFU_COUNTER_MAX) {
    const base = Math.max(0, counter - LFU_INIT_VAL);
    if (random() < 1 / (base * tuning.logFactor + 1)) counter++;
  }
  return ((lfuMinutes(nowMs) << 8) | counter) >>> 0;
}
