/** Unit tests of the LRU clock and LFU counter encodings (Redis's). */
import { describe, expect, test } from 'vitest';
import {
  LFU_INIT_VAL, LRU_CLOCK_MAX, initialAccess, lfuDecayedCounter, lruClock, lruIdleMs, touchedAccess,
} from '../../../src/store/access-clock.js';

const TUNING = { logFactor: 10, decayTimeMinutes: 1 };

describe('LRU clock', () => {
  test('counts idle time in whole seconds, across the 24-bit wrap', () => {
    const stamp = lruClock(10_000);
    expect(lruIdleMs(stamp, 15_400)).toBe(5000);
    const nearWrap = LRU_CLOCK_MAX - 1;
    expect(lruIdleMs(nearWrap, 3_000)).toBe((3 + 1) * 1000);
  });
});

describe('LFU counter', () => {
  test('starts at LFU_INIT_VAL and decays one per decay period', () => {
    const word = initialAccess('lfu', 0);
    expect(word & 0xff).toBe(LFU_INIT_VAL);
    expect(lfuDecayedCounter(word, 3 * 60_000, TUNING)).toBe(LFU_INIT_VAL - 3);
    expect(lfuDecayedCounter(word, 60 * 60_000, TUNING)).toBe(0);
  });

  test('increments with probability 1 / ((counter - 5) * logFactor + 1) and saturates at 255', () => {
    const word = initialAccess('lfu', 0);
    expect(touchedAccess('lfu', word, 0, TUNING, () => 0.99) & 0xff).toBe(LFU_INIT_VAL + 1);
    const higher = (LFU_INIT_VAL + 2) | 0;
    expect(touchedAccess('lfu', higher, 0, TUNING, () => 0.5) & 0xff).toBe(LFU_INIT_VAL + 2);
    expect(touchedAccess('lfu', higher, 0, TUNING, () => 0.01) & 0xff).toBe(LFU_INIT_VAL + 3);
    expect(touchedAccess('lfu', 255, 0, TUNING, () => 0) & 0xff).toBe(255);
  });
});
