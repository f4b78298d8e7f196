/**
 * prefault.ts: the helper faults every unit from the loader's published progress up to the end
 * of the regions (skipping what the loader has passed); it never changes a byte; stop() before
 * it starts keeps it from starting; a real helper thread on a restore leaves the restored heap
 * byte-identical.
 */

import { randomFillSync } from 'node:crypto';

import { describe, expect, test } from 'vitest';

import { Prefaulter, PREFAULT_UNIT_BYTES, type PrefaultRegion } from '../../../src/cow/prefault.js';
import { expectSameHeap, restoreCopy, sampleHeap, SAMPLE_HEAP_OPTIONS } from '../../helpers/heap-restore.js';

const UNIT = PREFAULT_UNIT_BYTES;

/** Two regions of random bytes, contiguous in address: [0, 8 units) and [8, 20 units). */
function regions(): { regions: PrefaultRegion[]; copies: Uint8Array[] } {
  const first = new SharedArrayBuffer(8 * UNIT);
  const second = new SharedArrayBuffer(12 * UNIT);
  randomFillSync(new Uint8Array(first));
  randomFillSync(new Uint8Array(second));
  return {
    regions: [
      { buffer: first, baseAddress: 0 },
      { buffer: second, baseAddress: 8 * UNIT },
    ],
    copies: [new Uint8Array(first).slice(), new Uint8Array(second).slice()],
  };
}

function expectUnchanged(made: { regions: PrefaultRegion[]; copies: Uint8Array[] }): void {
  made.regions.forEach((region, index) => expect(new Uint8Array(region.buffer)).toEqual(made.copies[index]));
}

describe('Prefaulter', () => {
  test('the helper faults every unit from the loader progress up, and changes no byte', () => {
    for (const [progressAddress, expectedCount] of [
      [0, 20],
      [1, 19], // the loader is inside unit 0: the helper leaves unit 0 to it
      [5 * UNIT, 15],
      [8 * UNIT + 1, 11],
      [20 * UNIT, 0],
    ]) {
      const made = regions();
      const prefaulter = new Prefaulter(made.regions, { startThread: false });
      prefaulter.noteLoaderProgress(progressAddress);
      prefaulter.runHelperHere();
      expect(prefaulter.stop(), `progress ${progressAddress}`).toEqual({ helperFaultedCount: expectedCount, didHelperRun: true });
      expectUnchanged(made);
    }
  });

  test('progress only moves up: an earlier page view does not send the helper back', () => {
    const made = regions();
    const prefaulter = new Prefaulter(made.regions, { startThread: false });
    prefaulter.noteLoaderProgress(10 * UNIT);
    prefaulter.noteLoaderProgress(2 * UNIT);
    prefaulter.runHelperHere();
    expect(prefaulter.stop().helperFaultedCount).toBe(10);
  });

  test('stop() before the helper starts keeps it from touching anything', () => {
    const made = regions();
    const prefaulter = new Prefaulter(made.regions, { startThread: false });
    expect(prefaulter.stop()).toEqual({ helperFaultedCount: 0, didHelperRun: false });
    prefaulter.runHelperHere(); // a thread that booted late finds the race lost
    expect(prefaulter.stop()).toEqual({ helperFaultedCount: 0, didHelperRun: false });
    expectUnchanged(made);
  });

  test('a real helper thread, left to finish, faults every unit; stop() then returns its count', async () => {
    const made = regions();
    const prefaulter = new Prefaulter(made.regions);
    const deadline = Date.now() + 10_000;
    while (prefaulter.helperFaultedCount < 20 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    const result = prefaulter.stop();
    expect(result.didHelperRun).toBe(true);
    expect(result.helperFaultedCount).toBe(20);
    expectUnchanged(made);
  });

  test('a restore with a helper thread (threshold 0) rebuilds the heap byte for byte', () => {
    const heap = sampleHeap();
    expectSameHeap(restoreCopy(heap, { ...SAMPLE_HEAP_OPTIONS, restorePrefaultBytesMin: 0 }), heap);
  });
});
