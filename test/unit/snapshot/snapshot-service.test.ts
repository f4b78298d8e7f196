/**
 * The snapshot service as the server uses it: SAVE, BGSAVE (real worker from dist/), save rules
 * on tick, failures and MISCONF, shutdown, abort, FLUSHALL, load at start-up (with progress
 * logging) and INFO persistence.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';

import { afterEach, beforeEach, describe, expect, test } from 'vitest';

import { createHeap, type PagedHeap } from '../../../src/cow/paged-heap.js';
import { Store } from '../../../src/store/store.js';
import { loadSnapshotHeap } from '../../../src/snapshot/loader.js';
import type { SaveRule } from '../../../src/snapshot/save-rules.js';
import { LOAD_PROGRESS_LOG_INTERVAL_MS, SnapshotService, START_REHEARSAL_COUNT, type SnapshotSettings } from '../../../src/snapshot/snapshot-service.js';
import { makeTempDirectory } from '../../fixtures/snapshot/snapshot-fixtures.js';

const HEAP_OPTIONS = { pageSizeBytes: 256, maxMemoryBytes: 0, segmentPageCount: 256, shadowPoolPageCount: 4 };

let temp: { directory: string; remove: () => void };
beforeEach(() => {
  temp = makeTempDirectory();
});
afterEach(() => temp.remove());

interface Harness {
  readonly service: SnapshotService;
  readonly heap: PagedHeap;
  readonly logs: string[];
  settings: SnapshotSettings;
  nowMs: number;
  /** address -> first byte written there */
  readonly allocations: Map<number, number>;
}

function makeHarness(overrides: Partial<SnapshotSettings> = {}, workerUrl?: URL): Harness {
  const heap = createHeap(HEAP_OPTIONS);
  const harness: Harness = {
    heap,
    logs: [],
    nowMs: 1_700_000_000_000,
    allocations: new Map(),
    settings: {
      directory: temp.directory,
      fileName: 'dump.snap',
      checksums: true,
      saveRules: [{ seconds: 60, changes: 1 }],
      stopWritesOnBgsaveError: true,
      strategy: 'cow',
      ...overrides,
    },
    service: undefined as unknown as SnapshotService,
  };
  (harness as { service: SnapshotService }).service = new SnapshotService({
    settings: () => harness.settings,
    heap: () => heap,
    keyCountsPerDb: () => [harness.allocations.size],
    log: (level, message) => harness.logs.push(`${level}: ${message}`),
    clock: () => harness.nowMs,
    ...(workerUrl === undefined ? {} : { workerUrl }),
  });
  return harness;
}

function writeSome(harness: Harness, count: number, byte: number): void {
  for (let index = 0; index < count; index += 1) {
    const address = harness.heap.allocate(200);
    harness.heap.fill(address, byte, 200);
    harness.allocations.set(address, byte);
    harness.service.noteChanges(1);
  }
}

/** The number of allocations in the heap a snapshot file holds, or why it cannot be loaded. */
function loadedAllocationCount(filePath: string): number | string {
  const loaded = loadSnapshotHeap(filePath, { heapOptions: { maxMemoryBytes: 0 } });
  if (loaded.status !== 'ok') return loaded.status === 'invalid' ? loaded.message : 'missing';
  return loaded.heap.stats().allocationCount;
}

/** What FLUSHALL does to the heap: every allocation freed (and counted as a change). */
function flushAll(harness: Harness): void {
  for (const address of harness.allocations.keys()) harness.heap.free(address);
  harness.service.noteChanges(harness.allocations.size);
  harness.allocations.clear();
}

function info(harness: Harness): Record<string, string | number> {
  return Object.fromEntries(harness.service.infoFields());
}

describe('SnapshotService', () => {
  test('save() writes a loadable snapshot, resets the change count and sets LASTSAVE', () => {
    const harness = makeHarness();
    writeSome(harness, 20, 7);
    harness.nowMs += 5000;
    expect(harness.service.save()).toEqual({ status: 'ok' });
    expect(harness.service.changesSinceLastSave).toBe(0);
    expect(harness.service.lastSaveTimeSec).toBe(Math.floor(harness.nowMs / 1000));
    expect(loadedAllocationCount(path.join(temp.directory, 'dump.snap'))).toBe(20);
    expect(info(harness)).toMatchObject({ rdb_saves: 1, rdb_changes_since_last_save: 0, snapshot_strategy: 'stw' });
    expect(harness.logs).toContain('notice: DB saved on disk');
  });

  test('bgsave() with cow runs in the worker; a second BGSAVE is refused until it ends', async () => {
    const harness = makeHarness();
    writeSome(harness, 50, 3);
    expect(harness.service.bgsave()).toEqual({ status: 'started' });
    expect(harness.service.bgsave()).toEqual({ status: 'alreadyInProgress' });
    expect(harness.service.save()).toEqual({ status: 'alreadyInProgress' });
    expect(info(harness)).toMatchObject({
      rdb_bgsave_in_progress: 1,
      rdb_current_bgsave_time_sec: 0,
      snapshot_strategy: 'cow',
      current_save_keys_total: 50,
    });
    writeSome(harness, 5, 9); // changes during the save still count after it
    const outcome = await harness.service.waitForBackgroundSave();
    expect(outcome?.status).toBe('ok');
    expect(harness.service.isBackgroundSaveInProgress).toBe(false);
    expect(harness.service.changesSinceLastSave).toBe(5);
    expect(harness.heap.isEpochOpen).toBe(false);
    expect(loadedAllocationCount(path.join(temp.directory, 'dump.snap'))).toBe(50);
    expect(info(harness)).toMatchObject({
      rdb_bgsave_in_progress: 0,
      rdb_last_bgsave_status: 'ok',
      rdb_saves: 1,
      snapshot_strategy: 'cow',
    });
    expect(harness.logs).toContain('notice: Background saving terminated with success');
  });

  test('bgsave() with the copy strategy and with stw both produce the snapshot', async () => {
    for (const strategy of ['copy', 'stw'] as const) {
      const harness = makeHarness({ fileName: `${strategy}.snap` });
      writeSome(harness, 10, 1);
      expect(harness.service.bgsave({ strategy })).toEqual({ status: 'started' });
      await harness.service.waitForBackgroundSave();
      expect(harness.service.lastBackgroundSaveStatus).toBe('ok');
      expect(loadedAllocationCount(path.join(temp.directory, `${strategy}.snap`))).toBe(10);
    }
  });

  test('a background save into an unusable directory fails, leaves no temp file and blocks writes', async () => {
    const notADirectory = path.join(temp.directory, 'plain-file');
    fs.writeFileSync(notADirectory, 'x');
    const harness = makeHarness({ directory: notADirectory });
    writeSome(harness, 5, 1);
    expect(harness.service.bgsave()).toEqual({ status: 'started' });
    const outcome = await harness.service.waitForBackgroundSave();
    expect(outcome?.status).toBe('failed');
    expect(outcome?.failure?.step).toBe('open');
    expect(harness.service.isWriteBlocked()).toBe(true);
    expect(info(harness).rdb_last_bgsave_status).toBe('err');
    expect(harness.logs.some((line) => line.startsWith('warning: Background saving error: failed at open'))).toBe(true);
    expect(fs.readdirSync(temp.directory)).toEqual(['plain-file']);
    expect(harness.heap.isEpochOpen).toBe(false);
    // Without save rules, or with the option off, a failed save does not block writes.
    harness.settings = { ...harness.settings, saveRules: [] };
    expect(harness.service.isWriteBlocked()).toBe(false);
    harness.settings = { ...harness.settings, saveRules: [{ seconds: 1, changes: 1 }], stopWritesOnBgsaveError: false };
    expect(harness.service.isWriteBlocked()).toBe(false);
    // A good SAVE clears the error.
    harness.settings = { ...harness.settings, directory: temp.directory, stopWritesOnBgsaveError: true };
    expect(harness.service.save()).toEqual({ status: 'ok' });
    expect(harness.service.isWriteBlocked()).toBe(false);
  });

  test('SAVE into an unusable directory reports the failing step and keeps the old file', () => {
    const harness = makeHarness();
    writeSome(harness, 3, 1);
    expect(harness.service.save()).toEqual({ status: 'ok' });
    const before = fs.readFileSync(path.join(temp.directory, 'dump.snap'));
    harness.settings = { ...harness.settings, directory: path.join(temp.directory, 'missing', 'deeper') };
    const outcome = harness.service.save();
    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' && outcome.message.startsWith('failed at open: cannot create temp file')).toBe(true);
    expect(fs.readFileSync(path.join(temp.directory, 'dump.snap')).equals(before)).toBe(true);
    expect(harness.service.changesSinceLastSave).toBe(0);
  });

  test('tick() starts a background save when a save rule is due, not before', async () => {
    const rules: SaveRule[] = [{ seconds: 10, changes: 3 }];
    const harness = makeHarness({ saveRules: rules });
    const startMs = harness.nowMs;
    writeSome(harness, 3, 1);
    expect(harness.service.tick(startMs + 10_000)).toBe(false);
    harness.nowMs = startMs + 10_001;
    expect(harness.service.tick(harness.nowMs)).toBe(true);
    expect(harness.logs).toContain('notice: 3 changes in 10 seconds. Saving...');
    expect(harness.service.tick(harness.nowMs)).toBe(false); // one at a time
    await harness.service.waitForBackgroundSave();
    expect(harness.service.lastSaveTimeMs).toBe(startMs + 10_001);
    expect(harness.service.tick(harness.nowMs + 60_000)).toBe(false); // no changes since
  });

  test('beforeShutdown() stops a running background save and then saves when rules exist', async () => {
    const harness = makeHarness();
    writeSome(harness, 400, 2);
    expect(harness.service.bgsave()).toEqual({ status: 'started' });
    expect(await harness.service.beforeShutdown('default')).toEqual({ status: 'ok' });
    expect(harness.service.isBackgroundSaveInProgress).toBe(false);
    expect(fs.readdirSync(temp.directory)).toEqual(['dump.snap']);
    expect(loadedAllocationCount(path.join(temp.directory, 'dump.snap'))).toBe(400);
  });

  test('beforeShutdown() saves with SAVE, not with NOSAVE, and by default only with rules', async () => {
    const harness = makeHarness({ saveRules: [] });
    writeSome(harness, 2, 2);
    expect(await harness.service.beforeShutdown('default')).toEqual({ status: 'ok' });
    expect(await harness.service.beforeShutdown('nosave')).toEqual({ status: 'ok' });
    expect(fs.existsSync(path.join(temp.directory, 'dump.snap'))).toBe(false);
    expect(await harness.service.beforeShutdown('save')).toEqual({ status: 'ok' });
    expect(fs.existsSync(path.join(temp.directory, 'dump.snap'))).toBe(true);
  });

  test('INFO persistence lists Redis fields first and cowkv fields after', () => {
    const harness = makeHarness();
    const names = harness.service.infoFields().map(([name]) => name);
    expect(names.slice(0, 3)).toEqual(['loading', 'async_loading', 'current_cow_peak']);
    expect(names).toContain('rdb_last_cow_size');
    expect(names.slice(-3)).toEqual(['snapshot_write_mb_per_sec', 'snapshot_armed_starts', 'snapshot_posted_starts']);
    expect(info(harness)).toMatchObject({ rdb_last_bgsave_time_sec: -1, rdb_current_bgsave_time_sec: -1, loading: 0 });
  });

  test('load() restores a saved keyspace, reports keys in INFO and removes dead temp files', () => {
    const heap = createHeap(HEAP_OPTIONS);
    const store = Store.create(heap, { databases: 4, hashSeed: 3 });
    for (let index = 0; index < 25; index += 1) store.set(index % 4, Buffer.from(`k${index}`), Buffer.from(`v${index}`));
    const settings: SnapshotSettings = {
      directory: temp.directory,
      fileName: 'dump.snap',
      checksums: true,
      saveRules: [],
      stopWritesOnBgsaveError: true,
      strategy: 'cow',
    };
    const logs: string[] = [];
    const makeService = (): SnapshotService =>
      new SnapshotService({
        settings: () => settings,
        heap: () => heap,
        keyCountsPerDb: () => store.keyCountsPerDb(),
        log: (level, message) => logs.push(`${level}: ${message}`),
      });
    const fresh = makeService();
    expect(fresh.load({ heapOptions: { maxMemoryBytes: 0 } })).toEqual({ status: 'missing' });
    expect(fresh.save()).toEqual({ status: 'ok' });
    fs.writeFileSync(path.join(temp.directory, 'temp-999999999-1.snap'), 'left by a crash');
    const restarted = makeService();
    const loaded = restarted.load({ heapOptions: { maxMemoryBytes: 0 }, storeOptions: { databases: 4 } });
    expect(loaded.status).toBe('ok');
    if (loaded.status !== 'ok') return;
    expect(loaded.store.digest()).toBe(store.digest());
    expect(Object.fromEntries(restarted.infoFields())).toMatchObject({ rdb_last_load_keys_loaded: 25, loading: 0 });
    expect(fs.readdirSync(temp.directory)).toEqual(['dump.snap']);
    expect(logs).toContain('notice: Removed the temp file "temp-999999999-1.snap" of a snapshot that never finished');
  });

  test('tick() boots the writer thread and warms the start path: no epoch left open, no file, nothing copied', async () => {
    const harness = makeHarness({ saveRules: [] });
    writeSome(harness, 50, 1);
    const before = harness.heap.stats();
    // One rehearsal per tick for the first START_REHEARSAL_COUNT ticks, then none.
    for (let tick = 0; tick < START_REHEARSAL_COUNT + 2; tick++) {
      expect(harness.service.tick(harness.nowMs)).toBe(false);
      expect(harness.heap.isEpochOpen).toBe(false);
    }
    expect(harness.heap.stats().pagesCopied).toBe(0);
    expect(harness.heap.stats().pagesInUse).toBe(before.pagesInUse);
    expect(fs.readdirSync(temp.directory)).toEqual([]);
    // The rehearsal is not a save: nothing logged, nothing recorded.
    expect(harness.logs.filter((line) => line.includes('Background saving'))).toEqual([]);
    expect(harness.service.isBackgroundSaveInProgress).toBe(false);
    // The warmed thread then serves a real BGSAVE, through the armed mailbox: the rehearsals
    // (which ran the thread's own start code) neither used up the armed job nor posted one.
    writeSome(harness, 50, 2);
    expect(harness.service.bgsave()).toEqual({ status: 'started' });
    expect((await harness.service.waitForBackgroundSave())?.status).toBe('ok');
    expect(info(harness)).toMatchObject({ snapshot_armed_starts: 1, snapshot_posted_starts: 0 });
    const loaded = loadSnapshotHeap(path.join(temp.directory, 'dump.snap'), { heapOptions: { maxMemoryBytes: 0 } });
    expect(loaded.status).toBe('ok');
    if (loaded.status === 'ok') expect(loaded.heap.stats().allocationCount).toBe(100);
  });

  test('after a tick the BGSAVE starts through the armed mailbox; a job that changed since is posted; both files load', async () => {
    const harness = makeHarness({ saveRules: [] });
    writeSome(harness, 60, 1);
    harness.service.tick(harness.nowMs);
    expect(harness.service.bgsave()).toEqual({ status: 'started' });
    expect((await harness.service.waitForBackgroundSave())?.status).toBe('ok');
    expect(info(harness)).toMatchObject({ snapshot_armed_starts: 1, snapshot_posted_starts: 0 });
    const loadedCount = (): number => {
      const loaded = loadSnapshotHeap(path.join(temp.directory, 'dump.snap'), { heapOptions: { maxMemoryBytes: 0 } });
      expect(loaded.status).toBe('ok');
      return loaded.status === 'ok' ? loaded.heap.stats().allocationCount : -1;
    };
    expect(loadedCount()).toBe(60);
    // The end of that save re-armed the thread; a setting changed since makes the job differ.
    writeSome(harness, 40, 2);
    harness.settings = { ...harness.settings, checksums: !harness.settings.checksums };
    expect(harness.service.bgsave()).toEqual({ status: 'started' });
    expect((await harness.service.waitForBackgroundSave())?.status).toBe('ok');
    expect(info(harness)).toMatchObject({ snapshot_armed_starts: 1, snapshot_posted_starts: 1 });
    expect(loadedCount()).toBe(100);
    // Re-armed at the end again, with the setting as it is now: the next one is armed.
    writeSome(harness, 10, 3);
    expect(harness.service.bgsave()).toEqual({ status: 'started' });
    expect((await harness.service.waitForBackgroundSave())?.status).toBe('ok');
    expect(info(harness)).toMatchObject({ snapshot_armed_starts: 2, snapshot_posted_starts: 1 });
    expect(loadedCount()).toBe(110);
  });

  test('a writer thread that cannot boot is not retried on every tick; BGSAVE still tries and reports it', async () => {
    const harness = makeHarness({ saveRules: [] }, new URL('file:///nonexistent/writer-worker.js'));
    writeSome(harness, 5, 1);
    harness.service.tick(harness.nowMs);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the boot failure arrives as an event
    const threadCount = (): number => fs.readdirSync('/proc/self/task').length;
    const before = threadCount();
    for (let tick = 0; tick < 20; tick += 1) harness.service.tick(harness.nowMs);
    expect(threadCount()).toBeLessThanOrEqual(before);
    const started = harness.service.bgsave();
    if (started.status === 'started') expect((await harness.service.waitForBackgroundSave())?.failure?.step).toBe('worker');
    else expect(started.status).toBe('failed');
    expect(harness.heap.isEpochOpen).toBe(false);
  });

  test('a writer thread that cannot start fails the background save and closes the epoch', async () => {
    const harness = makeHarness({}, new URL('file:///nonexistent/writer-worker.js'));
    writeSome(harness, 5, 1);
    const started = harness.service.bgsave();
    if (started.status === 'started') {
      const outcome = await harness.service.waitForBackgroundSave();
      expect(outcome?.status).toBe('failed');
      expect(outcome?.failure?.step).toBe('worker');
    } else {
      expect(started.status).toBe('failed');
    }
    expect(harness.service.lastBackgroundSaveStatus).toBe('err');
    expect(harness.heap.isEpochOpen).toBe(false);
    expect(fs.readdirSync(temp.directory)).toEqual([]);
  });

  test('abortBackgroundSave() stops the save, removes its temp file and is not an error', async () => {
    const harness = makeHarness();
    writeSome(harness, 2000, 4);
    expect(harness.service.bgsave()).toEqual({ status: 'started' });
    // The abort is queued before the worker's first step, so it always wins.
    await harness.service.abortBackgroundSave();
    expect(harness.logs).toContain('notice: Background saving stopped by request');
    expect(harness.service.isBackgroundSaveInProgress).toBe(false);
    expect(harness.heap.isEpochOpen).toBe(false);
    expect(fs.readdirSync(temp.directory).filter((name) => name.startsWith('temp-'))).toEqual([]);
    expect(harness.service.lastBackgroundSaveStatus).toBe('ok');
    expect(harness.service.isWriteBlocked()).toBe(false);
    await harness.service.abortBackgroundSave(); // nothing running: a no-op
  });

  test('afterFlushAll() saves the emptied heap at once when save rules exist, and not without', () => {
    const withoutRules = makeHarness({ saveRules: [] });
    writeSome(withoutRules, 10, 1);
    flushAll(withoutRules);
    expect(withoutRules.service.afterFlushAll()).toBe('notSaved');
    expect(fs.existsSync(path.join(temp.directory, 'dump.snap'))).toBe(false);

    const withRules = makeHarness();
    writeSome(withRules, 10, 1);
    expect(withRules.service.save()).toEqual({ status: 'ok' });
    flushAll(withRules);
    expect(withRules.service.afterFlushAll()).toBe('saved');
    expect(loadedAllocationCount(path.join(temp.directory, 'dump.snap'))).toBe(0);
    expect(withRules.service.changesSinceLastSave).toBe(0);
  });

  test('afterFlushAll() stops a running background save, then saves the emptied heap', async () => {
    const harness = makeHarness();
    writeSome(harness, 2000, 5);
    expect(harness.service.save()).toEqual({ status: 'ok' });
    expect(harness.service.bgsave()).toEqual({ status: 'started' });
    flushAll(harness);
    expect(harness.service.afterFlushAll()).toBe('saveScheduled');
    await harness.service.waitForBackgroundSave();
    // The save runs in a continuation of the stopped save's end: one more turn.
    for (let turn = 0; turn < 10 && harness.service.changesSinceLastSave !== 0; turn += 1) await Promise.resolve();
    expect(harness.logs).toContain('notice: Background saving stopped by request');
    expect(harness.service.changesSinceLastSave).toBe(0);
    expect(loadedAllocationCount(path.join(temp.directory, 'dump.snap'))).toBe(0);
    expect(harness.service.lastBackgroundSaveStatus).toBe('ok');
    expect(harness.heap.isEpochOpen).toBe(false);
  });

  test('afterFlushAll() without save rules only stops the running background save', async () => {
    const harness = makeHarness({ saveRules: [] });
    writeSome(harness, 2000, 6);
    expect(harness.service.bgsave()).toEqual({ status: 'started' });
    flushAll(harness);
    expect(harness.service.afterFlushAll()).toBe('notSaved');
    await harness.service.waitForBackgroundSave();
    expect(harness.service.isBackgroundSaveInProgress).toBe(false);
    expect(fs.readdirSync(temp.directory)).toEqual([]);
  });

  test('bgsave() takes a strategy for one call without changing the configured one', async () => {
    const harness = makeHarness();
    writeSome(harness, 30, 8);
    expect(harness.service.bgsave({ strategy: 'copy' })).toEqual({ status: 'started' });
    await harness.service.waitForBackgroundSave();
    expect(info(harness)).toMatchObject({ snapshot_strategy: 'copy', rdb_last_bgsave_status: 'ok' });
    expect(harness.settings.strategy).toBe('cow');
    expect(loadedAllocationCount(path.join(temp.directory, 'dump.snap'))).toBe(30);
  });

  /** A saved sample store (300 keys of 100 bytes) and a service whose log lines land in `logs`. */
  function savedServiceWithLog(clock?: () => number): { service: SnapshotService; logs: string[] } {
    const heap = createHeap(HEAP_OPTIONS);
    const store = Store.create(heap, { databases: 2, hashSeed: 5 });
    for (let index = 0; index < 300; index += 1) store.set(0, Buffer.from(`key:${index}`), Buffer.alloc(100, index));
    const settings: SnapshotSettings = {
      directory: temp.directory,
      fileName: 'dump.snap',
      checksums: true,
      saveRules: [],
      stopWritesOnBgsaveError: true,
      strategy: 'cow',
    };
    const logs: string[] = [];
    const service = new SnapshotService({
      settings: () => settings,
      heap: () => heap,
      keyCountsPerDb: () => store.keyCountsPerDb(),
      log: (level, message) => logs.push(`${level}: ${message}`),
      ...(clock === undefined ? {} : { clock }),
    });
    return { service, logs };
  }

  test('load() logs the file, then progress with percent and MB/s when loading takes longer than the interval', () => {
    let nowMs = 1_700_000_000_000;
    // Every reading of the clock is 0.4 s later: a slow disk, deterministically.
    const { service, logs } = savedServiceWithLog(() => (nowMs += LOAD_PROGRESS_LOG_INTERVAL_MS * 0.4));
    expect(service.save()).toEqual({ status: 'ok' });
    expect(service.load({ heapOptions: { maxMemoryBytes: 0 }, storeOptions: { databases: 2 } }).status).toBe('ok');
    expect(logs).toContain(`notice: Loading snapshot "${path.join(temp.directory, 'dump.snap')}" (${fs.statSync(path.join(temp.directory, 'dump.snap')).size} bytes)`);
    const progressLines = logs.filter((line) => line.includes('Loading snapshot') && line.includes('%'));
    expect(progressLines.length).toBeGreaterThanOrEqual(1);
    for (const line of progressLines) expect(line).toMatch(/: \d+\.\d%, \d+\.\d MB\/s$/);
    expect(logs.some((line) => /DB loaded from disk: \d+\.\d{3} seconds \(\d+ bytes, [\d.]+ MB\/s\)/.test(line))).toBe(true);
    // A small heap is under the huge-pages threshold (huge-pages.ts): no such line.
    expect(logs.some((line) => line.includes('huge pages'))).toBe(false);
  });

  test.skipIf(process.env.COWKV_NATIVE === '0')('a load that takes the huge-pages advice says so in the log', () => {
    const { service, logs } = savedServiceWithLog();
    expect(service.save()).toEqual({ status: 'ok' });
    const loaded = service.load({ heapOptions: { maxMemoryBytes: 0, restorePrefaultBytesMin: 0 }, storeOptions: { databases: 2 } });
    expect(loaded.status).toBe('ok');
    expect(logs).toContain('notice: The restored heap was faulted in on transparent huge pages (2 MiB; see INFO cowkv restored_with_huge_pages)');
  });

});
