/**
 * The snapshot service: the one object the server calls for persistence. SAVE, BGSAVE,
 * LASTSAVE, save rules on the cron tick, shutdown saves, load at start-up, MISCONF, and the
 * `INFO persistence` fields with Redis's names plus our own.
 *
 *   save()            stw, on the main thread, blocking (Redis's SAVE)
 *   bgsave()          configured strategy: cow/copy in a worker, stw inline
 *   tick(nowMs)       save rules; also where a finished background save is noticed in INFO
 *   beforeShutdown()  abort a running background save, then save if asked to
 *   afterFlushAll()   FLUSHALL: abort a running background save, save the empty keyspace if
 *                     save rules exist (as Redis's flushAllDataAndResetRDB)
 *   load()            start-up; logs progress (percent, MB/s) at most once a second
 *
 * Why one object, free of RESP: the server maps replies and error texts; everything about when
 * and how snapshots happen, and what they cost, stays in this layer and is tested here.
 * Invariants: at most one snapshot at a time (a heap has one epoch); a failed snapshot leaves
 * no temp file, logs the failing step, sets rdb_last_bgsave_status to err and keeps serving;
 * changes made during a background save still count after it succeeds (Redis's dirty math).
 * Not here: the file format (format.ts), threads (bgsave.ts), reply texts (src/server/errors.ts).
 */

import * as fs from 'node:fs';
import * as path from 'node:path';

import type { HeapOptions } from '../cow/heap.js';
import type { StoreOptions } from '../store/store.js';
import { BackgroundSnapshot, writerJobFor, type BackgroundSnapshotOptions, type BackgroundSnapshotOutcome } from './bgsave.js';
import { errorMessage } from './file-system.js';
import { InProcessSnapshot } from './in-process-snapshot.js';
import { loadSnapshotStore, type LoadProgress, type LoadStoreResult } from './loader.js';
import { dueSaveRule, type SaveRule } from './save-rules.js';
import { snapshotHeaderFor, takeSnapshotPoint, type SnapshotPoint } from './snapshot-point.js';
import { snapshotSegmentsOf } from './strategy-segments.js';
import { strategyNamed } from './strategies.js';
import type { CopyStats, SnapshotHeap, SnapshotStrategyName } from './strategy.js';
import { tempFileNameFor, type WriterFailure, type WriterProgress } from './writer-core.js';
import { WriterThread } from './writer-thread.js';

/** Page numbers per step when a snapshot is written on the main thread (SAVE). */
export const INLINE_STEP_PAGE_BUDGET = 4096;
/** Load progress is logged at most this often, so only loads longer than this log any. */
export const LOAD_PROGRESS_LOG_INTERVAL_MS = 1000;

/** Read at every use, so CONFIG SET takes effect for the next snapshot. */
export interface SnapshotSettings {
  readonly directory: string;
  readonly fileName: string;
  /** rdbchecksum. */
  readonly checksums: boolean;
  readonly saveRules: readonly SaveRule[];
  readonly stopWritesOnBgsaveError: boolean;
  /** Strategy for BGSAVE and save rules (SAVE is always stw). */
  readonly strategy: SnapshotStrategyName;
}

export type SnapshotLogLevel = 'verbose' | 'notice' | 'warning';

export interface SnapshotServiceOptions {
  readonly settings: () => SnapshotSettings;
  /** The live heap (the store's); read at each snapshot point. */
  readonly heap: () => SnapshotHeap;
  /** Keys per database now (store.stats().databases[i].keys), for the header. */
  readonly keyCountsPerDb: () => readonly number[];
  readonly log: (level: SnapshotLogLevel, message: string) => void;
  /** Milliseconds since the epoch; default Date.now. */
  readonly clock?: () => number;
  /**
   * The compiled writer worker (default: next to bgsave.js). Its thread boots on the first
   * tick() while the strategy is a background one, and serves every background save after.
   */
  readonly workerUrl?: URL;
  /** Called when a background save ends (after the service's state is updated). */
  readonly onBackgroundSaveDone?: (outcome: BackgroundSnapshotOutcome) => void;
  /**
   * Starts the writer of a background save; default BackgroundSnapshot.start (a worker thread).
   * Tests pass a driver whose steps a fast-check scheduler orders, to replay every interleaving
   * of the service's asynchronous paths (abort, FLUSHALL, shutdown, SCHEDULE) deterministically.
   */
  readonly startBackground?: (options: BackgroundSnapshotOptions) => BackgroundSnapshotHandle;
}

/** What the service needs of a running background save (BackgroundSnapshot implements it). */
export interface BackgroundSnapshotHandle {
  /** Settles once with the outcome, never rejects; the capture is released before it settles. */
  readonly finished: Promise<BackgroundSnapshotOutcome>;
  readonly progress: WriterProgress;
  readonly startMs: number;
  /** Asks the writer to stop; `finished` then settles as failed at step 'aborted'. */
  abort(): void;
  copyStats(): CopyStats;
}

export type SaveOutcome =
  | { readonly status: 'ok' }
  | { readonly status: 'alreadyInProgress' }
  | { readonly status: 'failed'; readonly message: string };

export type BgsaveOutcome =
  | { readonly status: 'started' }
  | { readonly status: 'alreadyInProgress' }
  | { readonly status: 'failed'; readonly message: string };

export type ShutdownSaveMode = 'default' | 'save' | 'nosave';

/**
 * What FLUSHALL did about snapshots: 'notSaved' (no save rules), 'saved' (the empty keyspace
 * was written at once), 'saveScheduled' (a background save was being stopped; the save runs
 * when it has ended), 'failed' (the save failed; logged, as Redis logs it).
 */
export type FlushAllSaveOutcome = 'notSaved' | 'saved' | 'saveScheduled' | 'failed';

/** What the last finished snapshot cost, for INFO. */
interface LastSnapshotStats {
  readonly strategy: SnapshotStrategyName;
  readonly copyStats: CopyStats;
  readonly startPauseUs: number;
  readonly bytesWritten: number;
  readonly durationMs: number;
}

type RunningSnapshot = {
  readonly point: SnapshotPoint;
  readonly background: BackgroundSnapshotHandle;
  readonly changesAtStart: number;
  /** The main thread's whole start: the capture plus handing the job to the writer thread. */
  readonly startPauseUs: number;
};

/**
 * Rehearsals of the cow start (#warmUpStart), one per cron tick from the first: enough calls
 * for V8 to compile the start path rather than interpret it.
 */
export const START_REHEARSAL_COUNT = 10;

export class SnapshotService {
  readonly #options: SnapshotServiceOptions;
  readonly #clock: () => number;
  #tempSequence = 0;
  #changesSinceLastSave = 0;
  #lastSaveTimeMs: number;
  #lastBgsaveStatus: 'ok' | 'err' = 'ok';
  #lastBgsaveAttemptMs = 0;
  #lastBgsaveDurationSec = -1;
  #saveCount = 0;
  #running: RunningSnapshot | null = null;
  #last: LastSnapshotStats | null = null;
  #isLoading = false;
  #lastLoadKeysLoaded = 0;
  #lastLoadKeysExpired = 0;
  /** Null when the caller starts background saves itself (options.startBackground). */
  readonly #writerThread: WriterThread | null;
  /** Rehearsals of the cow start still to run, one per cron tick (#warmUpStart). */
  #startRehearsalsLeft = START_REHEARSAL_COUNT;

  constructor(options: SnapshotServiceOptions) {
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
    this.#writerThread = options.startBackground === undefined ? new WriterThread(options.workerUrl) : null;
    // As Redis: until a save happens, LASTSAVE reports the start-up time.
    this.#lastSaveTimeMs = this.#clock();
  }

  /** LASTSAVE: seconds since the epoch of the last successful save. */
  get lastSaveTimeSec(): number {
    return Math.floor(this.#lastSaveTimeMs / 1000);
  }

  get lastSaveTimeMs(): number {
    return this.#lastSaveTimeMs;
  }

  get changesSinceLastSave(): number {
    return this.#changesSinceLastSave;
  }

  get isBackgroundSaveInProgress(): boolean {
    return this.#running !== null;
  }

  get lastBackgroundSaveStatus(): 'ok' | 'err' {
    return this.#lastBgsaveStatus;
  }

  /** The snapshot file's full path under the current settings. */
  snapshotPath(): string {
    const settings = this.#options.settings();
    return path.join(settings.directory, settings.fileName);
  }

  /** Counts modifications (Redis's server.dirty): call with 1 per key changed. */
  noteChanges(count = 1): void {
    this.#changesSinceLastSave += count;
  }

  /** MISCONF: the last background save failed, save rules exist and the option is on. */
  isWriteBlocked(): boolean {
    // Dispatch asks before every write command: the status first, so the settings object is
    // built only after a failed background save.
    if (this.#lastBgsaveStatus !== 'err') return false;
    const settings = this.#options.settings();
    return settings.stopWritesOnBgsaveError && settings.saveRules.length > 0;
  }

  /** SAVE: stop the world and write the snapshot on this thread. */
  save(): SaveOutcome {
    if (this.#running !== null) return { status: 'alreadyInProgress' };
    const outcome = this.#saveInline('stw');
    if (outcome.status === 'ok') this.#lastBgsaveStatus = 'ok'; // as Redis: a good SAVE clears MISCONF
    return outcome;
  }

  /** BGSAVE: start a background snapshot with the configured (or given) strategy. */
  bgsave(options: { readonly strategy?: SnapshotStrategyName } = {}): BgsaveOutcome {
    if (this.#running !== null) return { status: 'alreadyInProgress' };
    const strategy = options.strategy ?? this.#options.settings().strategy;
    this.#lastBgsaveAttemptMs = this.#clock();
    if (!strategyNamed(strategy).isBackground) return this.#bgsaveInline(strategy);
    return this.#startBackground(strategy);
  }

  /** Cron: starts a background save if a save rule is due. Returns true if one started. */
  tick(nowMs: number): boolean {
    if (this.#running !== null) return false;
    const settings = this.#options.settings();
    this.#prepareWriterThread(settings.strategy);
    const rule = dueSaveRule(settings.saveRules, {
      nowMs,
      changesSinceLastSave: this.#changesSinceLastSave,
      lastSaveTimeMs: this.#lastSaveTimeMs,
      lastAttemptTimeMs: this.#lastBgsaveAttemptMs,
      isLastAttemptFailed: this.#lastBgsaveStatus === 'err',
    });
    if (rule === null) return false;
    this.#options.log('notice', `${rule.changes} changes in ${rule.seconds} seconds. Saving...`);
    return this.bgsave().status === 'started';
  }

  /**
   * Boots the writer thread ahead of the first background save, so BGSAVE neither waits for a
   * thread to start nor spends main-thread time creating one. A failure here is not reported:
   * the next BGSAVE tries again and reports it.
   */
  #prepareWriterThread(strategy: SnapshotStrategyName): void {
    if (this.#writerThread === null || !strategyNamed(strategy).isBackground) return;
    if (this.#writerThread.idleDeathCount > 0) return; // booting fails: BGSAVE reports it
    try {
      this.#writerThread.prepare();
    } catch (error) {
      this.#options.log('verbose', `Cannot boot the snapshot writer thread yet: ${errorMessage(error)}`);
      return;
    }
    if (this.#startRehearsalsLeft > 0 && strategy === 'cow') this.#warmUpStart(this.#writerThread);
    this.#armWriterThread();
  }

  /**
   * Arms the idle writer thread with the cow job a BGSAVE would post now (armed-job.ts), built
   * by the same functions the BGSAVE uses, so the BGSAVE can start it through shared memory.
   * Cheap when nothing changed (the thread keeps its template); a BGSAVE whose job differs
   * (the heap grew, a setting changed, another strategy) posts its job as before.
   */
  #armWriterThread(): void {
    const thread = this.#writerThread;
    const settings = this.#options.settings();
    if (thread === null || this.#running !== null || settings.strategy !== 'cow') return;
    const share = this.#options.heap().nextEpochShare();
    if (share === null) return;
    const header = snapshotHeaderFor(
      { pageSizeBytes: share.pageSizeBytes, strategy: 'cow', segments: snapshotSegmentsOf(share.segments), pageCount: share.pageCountAtStart, usedPageCount: 0 },
      { keyCountsPerDb: this.#options.keyCountsPerDb(), checksums: settings.checksums, createdAtMs: 0 },
    );
    thread.arm(writerJobFor({ kind: 'epoch', share }, header, {
      directory: settings.directory,
      fileName: settings.fileName,
      tempFileName: this.#upcomingTempFileName(),
    }));
  }

  /**
   * Rehearses a cow BGSAVE, off any client's clock: the same #launchBackground a BGSAVE runs,
   * through the writer thread's own start code with its side effects turned aside
   * (WriterThread.rehearsal(): split, compare with the armed template and fire into a scratch
   * mailbox), then answered 'finished', so the epoch opens and closes within this call (no page
   * is copied, the store sees nothing, no file is touched). The first time, the thread also
   * posts the job for its worker to drop (WriterThread.warmUp), for starts that must post.
   * It uses the temp file name the next BGSAVE will use, so its job matches the armed one.
   * Why: this path runs once per BGSAVE, so V8 would run it cold, in its interpreter, every
   * time. Without a rehearsal the first BGSAVE of a 2M-key server paused 0.7-2.3 ms; with one
   * through a separate stand-in, later BGSAVEs paused a median 0.25-0.3 ms on a 1M-key server
   * under light load but the first still paid for compiling the thread's start code (its
   * first call: 150-470 us); with START_REHEARSAL_COUNT through the thread's own code, one
   * per cron tick (0.5-1.5 ms each) so no tick stalls long, V8 has compiled the whole path.
   */
  #warmUpStart(writerThread: WriterThread): void {
    this.#startRehearsalsLeft -= 1;
    const rehearsal = writerThread.rehearsal();
    const tempFileName = this.#upcomingTempFileName();
    const launched = this.#launchBackground('cow', (options) => BackgroundSnapshot.start({ ...options, writerThread: rehearsal }), tempFileName);
    if (launched.status === 'failed') return;
    rehearsal.finish();
    const { point } = launched;
    if (point.capture.descriptor === null) return;
    const settings = this.#options.settings();
    const job = writerJobFor(point.capture.descriptor, point.header, {
      directory: settings.directory,
      fileName: settings.fileName,
      tempFileName,
    });
    writerThread.warmUp(job);
  }

  /** Resolves when the running background save (if any) has ended. */
  async waitForBackgroundSave(): Promise<BackgroundSnapshotOutcome | null> {
    const running = this.#running;
    if (running === null) return null;
    const outcome = await running.background.finished;
    return outcome;
  }

  /**
   * Stops a running background save (FLUSHALL does this in Redis, before saving the empty
   * keyspace); its temp file is removed. Not an error: rdb_last_bgsave_status is unchanged.
   */
  async abortBackgroundSave(): Promise<void> {
    const running = this.#running;
    if (running === null) return;
    running.background.abort();
    await running.background.finished;
  }

  /**
   * FLUSHALL, after the keyspace was emptied. As Redis: a running background save is stopped
   * (it would write the data just flushed), and with save rules the empty keyspace is saved
   * synchronously. The worker stops asynchronously, so with one running the save happens as
   * soon as it has ended; writes made in between are in that save, which is still a consistent
   * point in time. FLUSHALL replies OK whatever happens here, as in Redis.
   */
  afterFlushAll(): FlushAllSaveOutcome {
    const shouldSave = this.#options.settings().saveRules.length > 0;
    if (this.#running !== null) {
      const aborted = this.abortBackgroundSave();
      if (!shouldSave) return 'notSaved';
      // Another BGSAVE may start before this runs: it captures the flushed keyspace too.
      void aborted.then(() => {
        if (this.#running === null) this.save();
      });
      return 'saveScheduled';
    }
    if (!shouldSave) return 'notSaved';
    return this.save().status === 'ok' ? 'saved' : 'failed';
  }

  /**
   * SHUTDOWN / SIGTERM: stop a running background save (its temp file is removed), then save
   * synchronously if asked to ('default' saves when save rules exist, as Redis does).
   */
  async beforeShutdown(saveMode: ShutdownSaveMode): Promise<SaveOutcome> {
    if (this.#running !== null) {
      this.#options.log('warning', 'There is a background save in progress: stopping it before shutdown');
      await this.abortBackgroundSave();
    }
    const shouldSave = saveMode === 'save' || (saveMode === 'default' && this.#options.settings().saveRules.length > 0);
    if (!shouldSave) return { status: 'ok' };
    this.#options.log('notice', 'Saving the final snapshot before exiting.');
    return this.save();
  }

  /**
   * Start-up: loads the snapshot file if there is one. 'missing' means start empty. The caller
   * (main) treats 'invalid' as fatal: it refuses to start rather than overwrite the file later.
   */
  load(options: {
    readonly heapOptions: Omit<HeapOptions, 'pageSizeBytes'>;
    readonly storeOptions?: StoreOptions;
    readonly onProgress?: (progress: LoadProgress) => void;
  }): LoadStoreResult {
    const filePath = this.snapshotPath();
    for (const name of removeStaleTempFiles(this.#options.settings().directory)) {
      this.#options.log('notice', `Removed the temp file "${name}" of a snapshot that never finished`);
    }
    const fileLengthBytes = fileSizeOrNull(filePath);
    if (fileLengthBytes !== null) this.#options.log('notice', `Loading snapshot "${filePath}" (${fileLengthBytes} bytes)`);
    this.#isLoading = true;
    const startMs = this.#clock();
    const onProgress = options.onProgress ?? this.#progressLogger(filePath);
    let result: LoadStoreResult;
    try {
      result = loadSnapshotStore(filePath, { ...options, onProgress, clock: this.#clock });
    } finally {
      this.#isLoading = false;
    }
    if (result.status === 'ok') {
      this.#lastLoadKeysLoaded = result.keysLoaded;
      this.#lastLoadKeysExpired = result.keysExpired;
      const elapsedMs = this.#clock() - startMs;
      const mbPerSec = result.fileLengthBytes / (1024 * 1024) / Math.max(1e-3, elapsedMs / 1000);
      this.#options.log('notice', `Done loading snapshot, keys loaded: ${result.keysLoaded}, keys expired: ${result.keysExpired}.`);
      this.#options.log('notice', `DB loaded from disk: ${(elapsedMs / 1000).toFixed(3)} seconds (${result.fileLengthBytes} bytes, ${mbPerSec.toFixed(1)} MB/s)`);
      if (result.heap.stats().restoredWithHugePages) {
        this.#options.log('notice', 'The restored heap was faulted in on transparent huge pages (2 MiB; see INFO cowkv restored_with_huge_pages)');
      }
      const maxMemoryBytes = options.heapOptions.maxMemoryBytes;
      const heapBytes = result.heap.stats().heapBytes;
      if (maxMemoryBytes > 0 && heapBytes > maxMemoryBytes) {
        // As Redis: the data is loaded anyway; eviction (or OOM replies) takes it from here.
        this.#options.log('warning', `The loaded heap (${heapBytes} bytes) is larger than maxmemory (${maxMemoryBytes} bytes)`);
      }
    } else if (result.status === 'invalid') {
      this.#options.log('warning', result.message);
    }
    return result;
  }

  /** Logs load progress at most every LOAD_PROGRESS_LOG_INTERVAL_MS (large files only log). */
  #progressLogger(filePath: string): (progress: LoadProgress) => void {
    let lastLogMs = this.#clock();
    return (progress) => {
      const nowMs = this.#clock();
      if (nowMs - lastLogMs < LOAD_PROGRESS_LOG_INTERVAL_MS) return;
      lastLogMs = nowMs;
      this.#options.log('notice', `Loading snapshot "${filePath}": ${progress.percent.toFixed(1)}%, ${progress.mbPerSec.toFixed(1)} MB/s`);
    };
  }

  /** `INFO persistence`: Redis's fields in Redis's order, then cowkv's own. */
  infoFields(): Array<readonly [string, string | number]> {
    const nowMs = this.#clock();
    const running = this.#running;
    const current = running === null ? null : currentSnapshotFields(running, nowMs);
    const shown = current?.shown ?? this.#lastShown();
    const mbPerSec = shown.durationMs > 0 ? shown.bytesWritten / (1024 * 1024) / (shown.durationMs / 1000) : 0;
    return [
      ['loading', this.#isLoading ? 1 : 0],
      ['async_loading', 0],
      ['current_cow_peak', current?.copyStats.copyBytesPeak ?? 0],
      ['current_cow_size', current?.copyStats.copyBytesNow ?? 0],
      ['current_cow_size_age', 0],
      ['current_fork_perc', ((current?.progressFraction ?? 0) * 100).toFixed(2)],
      // Pages are written, not keys: this is the key count times the fraction of pages done.
      ['current_save_keys_processed', Math.floor((current?.keysTotal ?? 0) * (current?.progressFraction ?? 0))],
      ['current_save_keys_total', current?.keysTotal ?? 0],
      ['rdb_changes_since_last_save', this.#changesSinceLastSave],
      ['rdb_bgsave_in_progress', running === null ? 0 : 1],
      ['rdb_last_save_time', this.lastSaveTimeSec],
      ['rdb_last_bgsave_status', this.#lastBgsaveStatus],
      ['rdb_last_bgsave_time_sec', this.#lastBgsaveDurationSec],
      ['rdb_current_bgsave_time_sec', current === null ? -1 : Math.floor(current.shown.durationMs / 1000)],
      ['rdb_saves', this.#saveCount],
      ['rdb_last_cow_size', this.#last?.copyStats.copyBytesPeak ?? 0],
      ['rdb_last_load_keys_expired', this.#lastLoadKeysExpired],
      ['rdb_last_load_keys_loaded', this.#lastLoadKeysLoaded],
      ...AOF_INFO_FIELDS,
      ['snapshot_strategy', shown.strategy],
      ['snapshot_pages_copied', shown.copyStats.pagesCopied],
      ['snapshot_shadow_bytes_peak', shown.copyStats.copyBytesPeak],
      ['snapshot_start_pause_us', shown.startPauseUs],
      ['snapshot_bytes_written', shown.bytesWritten],
      ['snapshot_write_mb_per_sec', mbPerSec.toFixed(2)],
      // How background jobs reached the writer: through the armed mailbox, or posted (armed-job.ts).
      ['snapshot_armed_starts', this.#writerThread?.armedStartCount ?? 0],
      ['snapshot_posted_starts', this.#writerThread?.postedStartCount ?? 0],
    ];
  }

  /** Our snapshot_* fields when nothing runs: the last snapshot's, or zeros. */
  #lastShown(): LastSnapshotStats {
    return this.#last ?? {
      strategy: this.#options.settings().strategy,
      copyStats: { pagesCopied: 0, copyBytesNow: 0, copyBytesPeak: 0 },
      startPauseUs: 0,
      bytesWritten: 0,
      durationMs: 0,
    };
  }

  #takePoint(strategy: SnapshotStrategyName): SnapshotPoint {
    const settings = this.#options.settings();
    return takeSnapshotPoint(this.#options.heap(), {
      strategy,
      keyCountsPerDb: this.#options.keyCountsPerDb(),
      checksums: settings.checksums,
      createdAtMs: this.#clock(),
    });
  }

  #nextTempFileName(): string {
    const tempFileName = this.#upcomingTempFileName();
    this.#tempSequence += 1;
    return tempFileName;
  }

  /** The temp file name the next snapshot will take (armed jobs and rehearsals use it). */
  #upcomingTempFileName(): string {
    return tempFileNameFor(this.#tempSequence + 1);
  }

  /** Writes a whole snapshot on this thread; updates save state on success. */
  #saveInline(strategy: SnapshotStrategyName): SaveOutcome {
    const settings = this.#options.settings();
    const startMs = this.#clock();
    const changesAtStart = this.#changesSinceLastSave;
    const point = this.#takePoint(strategy);
    const snapshot = new InProcessSnapshot(point, {
      directory: settings.directory,
      fileName: settings.fileName,
      tempFileName: this.#nextTempFileName(),
    });
    const result = snapshot.runToEnd(INLINE_STEP_PAGE_BUDGET);
    const durationMs = this.#clock() - startMs;
    this.#last = { strategy, copyStats: snapshot.copyStats(), startPauseUs: point.startPauseUs, bytesWritten: snapshot.progress.bytesWritten, durationMs };
    if (result !== 'done') {
      const message = describeFailure(snapshot.failure);
      this.#options.log('warning', `Error saving snapshot: ${message}`);
      return { status: 'failed', message };
    }
    this.#recordSuccess(startMs, changesAtStart);
    this.#options.log('notice', 'DB saved on disk');
    return { status: 'ok' };
  }

  /** BGSAVE with a strategy that cannot run in the background: write now, report as BGSAVE. */
  #bgsaveInline(strategy: SnapshotStrategyName): BgsaveOutcome {
    const startMs = this.#clock();
    const outcome = this.#saveInline(strategy);
    this.#lastBgsaveDurationSec = Math.floor((this.#clock() - startMs) / 1000);
    this.#lastBgsaveStatus = outcome.status === 'ok' ? 'ok' : 'err';
    if (outcome.status === 'failed') return outcome;
    return { status: 'started' };
  }

  #startBackground(strategy: SnapshotStrategyName): BgsaveOutcome {
    const changesAtStart = this.#changesSinceLastSave;
    const writerThread = this.#writerThread;
    const startBackground = this.#options.startBackground
      ?? ((options) => BackgroundSnapshot.start(writerThread === null ? options : { ...options, writerThread }));
    const launched = this.#launchBackground(strategy, startBackground, this.#nextTempFileName());
    if (launched.status === 'failed') {
      const message = `cannot start the snapshot writer: ${launched.message}`;
      this.#lastBgsaveStatus = 'err';
      this.#options.log('warning', `Can't save in background: ${message}`);
      return { status: 'failed', message };
    }
    const { point, background, startPauseUs } = launched;
    const running: RunningSnapshot = { point, background, changesAtStart, startPauseUs };
    this.#running = running;
    this.#options.log('notice', `Background saving started (strategy ${strategy}, start pause ${startPauseUs} us)`);
    void background.finished.then((outcome) => this.#onBackgroundDone(running, outcome));
    return { status: 'started' };
  }

  /**
   * Takes the snapshot point and starts its background writer: the whole timed start, with no
   * bookkeeping, so the rehearsal (#warmUpStart) runs exactly the code a BGSAVE runs.
   */
  #launchBackground(
    strategy: SnapshotStrategyName,
    startBackground: (options: BackgroundSnapshotOptions) => BackgroundSnapshotHandle,
    tempFileName: string,
  ):
    | { readonly status: 'started'; readonly point: SnapshotPoint; readonly background: BackgroundSnapshotHandle; readonly startPauseUs: number }
    | { readonly status: 'failed'; readonly message: string } {
    const settings = this.#options.settings();
    let point: SnapshotPoint | null = null;
    const startNs = process.hrtime.bigint();
    try {
      point = this.#takePoint(strategy);
      const background = startBackground({
        point,
        directory: settings.directory,
        fileName: settings.fileName,
        tempFileName,
        clock: this.#clock,
        ...(this.#options.workerUrl === undefined ? {} : { workerUrl: this.#options.workerUrl }),
      });
      const startPauseUs = Number((process.hrtime.bigint() - startNs) / 1000n);
      return { status: 'started', point, background, startPauseUs };
    } catch (error) {
      point?.capture.release();
      return { status: 'failed', message: errorMessage(error) };
    }
  }

  #onBackgroundDone(running: RunningSnapshot, outcome: BackgroundSnapshotOutcome): void {
    this.#running = null;
    this.#armWriterThread(); // the epoch's close prepared the next release ring
    this.#lastBgsaveDurationSec = Math.floor(outcome.durationMs / 1000);
    this.#last = {
      strategy: running.point.capture.strategy,
      copyStats: outcome.copyStats,
      startPauseUs: running.startPauseUs,
      bytesWritten: outcome.progress.bytesWritten,
      durationMs: outcome.durationMs,
    };
    if (outcome.status === 'ok') {
      this.#lastBgsaveStatus = 'ok';
      this.#recordSuccess(running.background.startMs, running.changesAtStart);
      this.#options.log('notice', 'Background saving terminated with success');
    } else if (outcome.failure?.step === 'aborted') {
      // Stopped on request (shutdown, FLUSHALL): not an error, as Redis's SIGUSR1 kill is not.
      this.#options.log('notice', 'Background saving stopped by request');
    } else {
      this.#lastBgsaveStatus = 'err';
      this.#options.log('warning', `Background saving error: ${describeFailure(outcome.failure)}`);
    }
    this.#options.onBackgroundSaveDone?.(outcome);
  }

  /** Redis: dirty -= dirty at start (writes during the save still count); lastsave = start. */
  #recordSuccess(startMs: number, changesAtStart: number): void {
    this.#changesSinceLastSave = Math.max(0, this.#changesSinceLastSave - changesAtStart);
    this.#lastSaveTimeMs = startMs;
    this.#saveCount += 1;
  }
}

/** What INFO shows about the running background snapshot. */
function currentSnapshotFields(running: RunningSnapshot, nowMs: number): {
  shown: LastSnapshotStats;
  copyStats: CopyStats;
  progressFraction: number;
  keysTotal: number;
} {
  const copyStats = running.background.copyStats();
  const progress = running.background.progress;
  return {
    shown: {
      strategy: running.point.capture.strategy,
      copyStats,
      startPauseUs: running.startPauseUs,
      bytesWritten: progress.bytesWritten,
      durationMs: nowMs - running.background.startMs,
    },
    copyStats,
    progressFraction: progress.pageCount === 0 ? 0 : progress.pagesScanned / progress.pageCount,
    keysTotal: running.point.header.keyCountsPerDb.reduce((sum, count) => sum + count, 0),
  };
}

/** Redis's AOF fields: cowkv has no AOF (appendonly is always no). */
const AOF_INFO_FIELDS: ReadonlyArray<readonly [string, string | number]> = [
  ['aof_enabled', 0],
  ['aof_rewrite_in_progress', 0],
  ['aof_rewrite_scheduled', 0],
  ['aof_last_rewrite_time_sec', -1],
  ['aof_current_rewrite_time_sec', -1],
  ['aof_last_bgrewrite_status', 'ok'],
  ['aof_rewrites', 0],
  ['aof_rewrites_consecutive_failures', 0],
  ['aof_last_write_status', 'ok'],
  ['aof_last_cow_size', 0],
  ['module_fork_in_progress', 0],
  ['module_fork_last_cow_size', 0],
];

/** Temp files are named temp-<pid>-<sequence>.snap (tempFileNameFor). */
const TEMP_FILE_PATTERN = /^temp-(\d+)-\d+\.snap$/;

/**
 * Removes temp files left in `directory` by processes that no longer run (a crash mid-write);
 * returns their names. Files of live processes (this one included) are left alone.
 */
export function removeStaleTempFiles(directory: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(directory);
  } catch {
    return []; // no directory yet: nothing left over
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = TEMP_FILE_PATTERN.exec(name);
    if (match === null || isProcessAlive(Number(match[1]))) continue;
    fs.rmSync(path.join(directory, name), { force: true });
    removed.push(name);
  }
  return removed;
}

/** The file's size, or null if it cannot be stat'ed (the loader then says why). */
function fileSizeOrNull(filePath: string): number | null {
  try {
    return fs.statSync(filePath).size;
  } catch {
    return null; // missing or unreadable: the loader reports it as missing or invalid
  }
}

function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function describeFailure(failure: WriterFailure | null): string {
  if (failure === null) return 'unknown failure';
  return `failed at ${failure.step}: ${failure.message}`;
}
