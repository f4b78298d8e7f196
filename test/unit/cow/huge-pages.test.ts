/**
 * huge-pages.ts and its native helper: the helper is built here (npm install and npm run build
 * build it; COWKV_NATIVE=0 is the only way to run without it); advising changes no byte; where
 * the kernel's THP mode allows it, advised memory really is backed by 2 MiB pages once touched;
 * a large restore takes the advice and rebuilds the heap byte for byte; restoreHugePages false
 * and COWKV_NATIVE=0 each leave it out.
 */

import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, test } from 'vitest';

import { adviseHugePages, isHugePagesHelperAvailable } from '../../../src/cow/huge-pages.js';
import { expectSameHeap, restoreCopy, sampleHeap, SAMPLE_HEAP_OPTIONS } from '../../helpers/heap-restore.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const isNativeDisabled = process.env.COWKV_NATIVE === '0';
const THP_ENABLED_PATH = '/sys/kernel/mm/transparent_hugepage/enabled';
const isThpOff = !existsSync(THP_ENABLED_PATH) || readFileSync(THP_ENABLED_PATH, 'utf8').includes('[never]');
const MIB = 1024 * 1024;

/** Kilobytes of anonymous memory backed by huge pages in this process (/proc/self/smaps_rollup). */
function anonHugePagesKb(): number {
  const match = /^AnonHugePages:\s+(\d+) kB/m.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'));
  return match === null ? 0 : Number(match[1]);
}

describe('adviseHugePages', () => {
  test.skipIf(isNativeDisabled)('the native helper is built and loads', () => {
    expect(isHugePagesHelperAvailable(), 'the native helper was not built (see what npm install or npm run build printed); ' +
      'on a machine without g++, make or Node headers, run the tests with COWKV_NATIVE=0').toBe(true);
  });

  test.skipIf(isNativeDisabled)('advising changes no byte, written or fresh', () => {
    const written = new SharedArrayBuffer(5 * MIB + 123);
    randomFillSync(new Uint8Array(written));
    const copy = new Uint8Array(written).slice();
    const fresh = new SharedArrayBuffer(3 * 4096);
    expect(adviseHugePages([written, fresh])).toBe(true);
    expect(Buffer.from(written).equals(copy)).toBe(true); // (toEqual on 5 MiB takes half a minute)
    expect(new Uint8Array(fresh).every((byte) => byte === 0)).toBe(true);
  });

  test.skipIf(isNativeDisabled || isThpOff)('advised memory is backed by 2 MiB pages once touched', () => {
    const before = anonHugePagesKb();
    const buffer = new SharedArrayBuffer(64 * MIB);
    expect(adviseHugePages([buffer])).toBe(true);
    const words = new Int32Array(buffer);
    for (let offset = 0; offset < buffer.byteLength; offset += 4096) Atomics.add(words, offset >> 2, 0);
    // Edges of the mapping may stay 4 KiB, and the kernel may lack free 2 MiB pages for some.
    expect(anonHugePagesKb() - before).toBeGreaterThanOrEqual(32 * 1024);
  });

  test.skipIf(isNativeDisabled)('a restore over the threshold is advised and rebuilds the heap byte for byte', () => {
    const heap = sampleHeap();
    for (const restoreHugePages of [true, false]) {
      const restored = restoreCopy(heap, { ...SAMPLE_HEAP_OPTIONS, restorePrefaultBytesMin: 0, restoreHugePages });
      expect(restored.stats().restoredWithHugePages).toBe(restoreHugePages);
      expectSameHeap(restored, heap);
    }
  });

  test('a restore under the threshold is not advised', () => {
    expect(restoreCopy(sampleHeap(), SAMPLE_HEAP_OPTIONS).stats().restoredWithHugePages).toBe(false);
  });

  test('with COWKV_NATIVE=0 the helper is not loaded and nothing is advised', () => {
    // A fresh process: the helper is loaded at most once per process.
    const script = `
      import { adviseHugePages, isHugePagesHelperAvailable } from ${JSON.stringify(path.join(REPO_ROOT, 'dist', 'src', 'cow', 'huge-pages.js'))};
      console.log(JSON.stringify([isHugePagesHelperAvailable(), adviseHugePages([new SharedArrayBuffer(4096)])]));`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, COWKV_NATIVE: '0' }, encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([false, false]);
  });
});
