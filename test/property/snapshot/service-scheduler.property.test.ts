/**
 * The snapshot service's asynchronous paths under fc.scheduler: BGSAVE (cow, copy, stw), SAVE,
 * abort, FLUSHALL (stop + save), BGSAVE SCHEDULE and heap writes, in any order and with the
 * background writer's steps and ends interleaved in any order the scheduler picks.
 * The background writer is a driver with the same contract as the worker (BackgroundSnapshot):
 * the real writer core over the real capture, one scheduled step at a time, abort honoured
 * between steps. So every race between the service's state, the epoch and the writer replays
 * from fast-check's printed seed and path.
 * Model: address -> byte of 200-byte allocations (a Map). `committed` is the model as it was at
 * the snapshot point of the last save that succeeded (inline saves commit when they log
 * success; background ones when their outcome is ok). At the end, when everything has settled:
 * the file on disk holds exactly `committed`; no epoch is open; no temp file is left; no
 * background save runs; no save failed; and after a FLUSHALL (save rules are set) the file's
 * snapshot point is not older than the FLUSHALL, unless a later abort (shutdown's) stopped it.
 */

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

import { createHeap, type PagedHeap } from '../../../src/cow/paged-heap.js';
import type { BackgroundSnapshotOptions, BackgroundSnapshotOutcome } from '../../../src/snapshot/bgsave.js';
import { InProcessSnapshot } from '../../../src/snapshot/in-process-snapshot.js';
import { loadSnapshotHeap } from '../../../src/snapshot/loader.js';
import { SnapshotService, type BackgroundSnapshotHandle, type SnapshotSettings } from '../../../src/snapshot/snapshot-service.js';
import type { CopyStats, SnapshotStrategyName } from '../../../src/snapshot/strategy.js';
import type { WriterFailure, WriterProgress } from '../../../src/snapshot/writer-core.js';

/** Small pages and a 4-page shadow pool, so writes hit pages in use and the pool grows. */
const HEAP_OPTIONS = { pageSizeBytes: 256, maxMemoryBytes: 0, segmentPageCount: 64, shadowPoolPageCount: 4 };
const ALLOCATION_BYTES = 200;
const SLOT_COUNT = 8;
/** Pages per scheduled writer step: small, so a snapshot takes several steps. */
const STEP_PAGE_BUDGET = 3;
const SETTLE_ROUND_COUNT_MAX = 200;
const RUN_COUNT = 150;

type Model = Map<number, number>;

type Operation =
  | { readonly kind: 'write'; readonly slot: number; readonly byte: number }
  | { readonly kind: 'free'; readonly slot: number }
  | { readonly kind: 'bgsave'; readonly strategy: SnapshotStrategyName }
  | { readonly kind: 'bgsaveSchedule' }
  | { readonly kind: 'save' }
  | { readonly kind: 'abort' }
  | { readonly kind: 'flushAll' }
  | { readonly kind: 'wait' };

const slot = fc.nat({ max: SLOT_COUNT - 1 });
const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('write' as const), slot, byte: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('free' as const), slot }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('bgsave' as const), strategy: fc.constantFrom<SnapshotStrategyName>('cow', 'copy', 'stw') }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'bgsaveSchedule' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'save' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'abort' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'flushAll' as const }) },
  { weight: 5, arbitrary: fc.constant({ kind: 'wait' as const }) },
);

/** The worker's contract, in-process: one writer step per scheduler turn; abort between steps. */
class ScheduledBackgroundSnapshot implements BackgroundSnapshotHandle {
  readonly finished: Promise<BackgroundSnapshotOutcome>;
  readonly startMs = 0;
  /** The model at this snapshot's point. */
  readonly pointModel: Model;
  readonly #snapshot: InProcessSnapshot;
  #isAbortRequested = false;

  constructor(options: BackgroundSnapshotOptions, scheduler: fc.Scheduler, pointModel: Model) {
    this.pointModel = pointModel;
    this.#snapshot = new InProcessSnapshot(options.point, {
      directory: options.directory,
      fileName: options.fileName,
      tempFileName: options.tempFileName,
    });
    this.finished = this.#run(scheduler, options.point.capture.strategy);
  }

  get progress(): WriterProgress {
    return this.#snapshot.progress;
  }

  abort(): void {
    this.#isAbortRequested = true;
  }

  copyStats(): CopyStats {
    return this.#snapshot.copyStats();
  }

  async #run(scheduler: fc.Scheduler, strategy: SnapshotStrategyName): Promise<BackgroundSnapshotOutcome> {
    for (;;) {
      await scheduler.schedule(Promise.resolve(), `${strategy} writer step`);
      if (this.#isAbortRequested) {
        this.#snapshot.abort();
        return this.#outcome('failed', { step: 'aborted', message: 'stopped by request' });
      }
      const result = this.#snapshot.step(STEP_PAGE_BUDGET);
      if (result === 'done') return this.#outcome('ok', null);
      if (result === 'failed') return this.#outcome('failed', this.#snapshot.failure);
    }
  }

  #outcome(status: 'ok' | 'failed', failure: WriterFailure | null): BackgroundSnapshotOutcome {
    return { status, failure, progress: this.#snapshot.progress, copyStats: this.#snapshot.copyStats(), durationMs: 0 };
  }
}

interface World {
  readonly heap: PagedHeap;
  readonly service: SnapshotService;
  readonly model: Model;
  readonly slots: (number | null)[];
  readonly pending: Promise<unknown>[];
  readonly logs: string[];
  committed: Model | null;
  /** Index of the operation being applied (or the last one, while settling). */
  operationIndex: number;
  /** The operation index at the committed snapshot's point. */
  committedAtOperation: number;
  /** The last FLUSHALL's operation index, unless an abort came after it. */
  flushAtOperation: number | null;
}

function makeWorld(scheduler: fc.Scheduler, directory: string): World {
  const heap = createHeap(HEAP_OPTIONS);
  const settings: SnapshotSettings = {
    directory,
    fileName: 'dump.snap',
    checksums: true,
    saveRules: [{ seconds: 3600, changes: 1 }], // so FLUSHALL saves
    stopWritesOnBgsaveError: true,
    strategy: 'cow',
  };
  let running: ScheduledBackgroundSnapshot | null = null;
  let runningAtOperation = -1;
  const world: World = {
    heap,
    service: undefined as unknown as SnapshotService,
    model: new Map(),
    slots: new Array<number | null>(SLOT_COUNT).fill(null),
    pending: [],
    logs: [],
    committed: null,
    operationIndex: 0,
    committedAtOperation: -1,
    flushAtOperation: null,
  };
  (world as { service: SnapshotService }).service = new SnapshotService({
    settings: () => settings,
    heap: () => heap,
    keyCountsPerDb: () => [world.model.size],
    log: (level, message) => {
      world.logs.push(`${level}: ${message}`);
      if (message !== 'DB saved on disk') return;
      world.committed = new Map(world.model); // inline saves commit the model as it is now
      world.committedAtOperation = world.operationIndex;
    },
    clock: () => 1_700_000_000_000,
    startBackground: (options) => {
      running = new ScheduledBackgroundSnapshot(options, scheduler, new Map(world.model));
      runningAtOperation = world.operationIndex;
      return running;
    },
    onBackgroundSaveDone: (outcome) => {
      if (outcome.status === 'ok' && running !== null) {
        world.committed = running.pointModel;
        world.committedAtOperation = runningAtOperation;
      }
      running = null;
    },
  });
  return world;
}

async function apply(world: World, scheduler: fc.Scheduler, op: Operation): Promise<void> {
  const { heap, service, model, slots } = world;
  switch (op.kind) {
    case 'write': {
      let address = slots[op.slot];
      if (address === null) {
        address = heap.allocate(ALLOCATION_BYTES);
        slots[op.slot] = address;
      }
      heap.fill(address, op.byte, ALLOCATION_BYTES);
      model.set(address, op.byte);
      service.noteChanges(1);
      return;
    }
    case 'free': {
      const address = slots[op.slot];
      if (address === null) return;
      heap.free(address);
      model.delete(address);
      slots[op.slot] = null;
      service.noteChanges(1);
      return;
    }
    case 'bgsave': {
      const outcome = service.bgsave({ strategy: op.strategy });
      expect(outcome.status === 'started' || outcome.status === 'alreadyInProgress').toBe(true);
      return;
    }
    case 'bgsaveSchedule':
      // What BGSAVE SCHEDULE does while one runs (commands/persistence.ts).
      if (service.isBackgroundSaveInProgress) world.pending.push(service.waitForBackgroundSave().then(() => service.bgsave()));
      else service.bgsave();
      return;
    case 'save': {
      const outcome = service.save();
      expect(outcome.status === 'ok' || outcome.status === 'alreadyInProgress').toBe(true);
      return;
    }
    case 'abort':
      world.pending.push(service.abortBackgroundSave());
      world.flushAtOperation = null;
      return;
    case 'flushAll':
      for (const address of model.keys()) heap.free(address);
      service.noteChanges(model.size);
      model.clear();
      slots.fill(null);
      world.flushAtOperation = world.operationIndex;
      expect(service.afterFlushAll()).not.toBe('failed');
      return;
    case 'wait':
      if (scheduler.count() > 0) await scheduler.waitOne();
      return;
  }
}

/** Lets every scheduled step and every continuation run until nothing is left. */
async function settle(world: World, scheduler: fc.Scheduler): Promise<void> {
  for (let round = 0; round < SETTLE_ROUND_COUNT_MAX; round += 1) {
    await scheduler.waitAll();
    await Promise.all(world.pending);
    await new Promise((resolve) => setImmediate(resolve));
    if (scheduler.count() === 0 && !world.service.isBackgroundSaveInProgress) return;
  }
  throw new Error('The snapshot service did not settle');
}

function expectFileHolds(filePath: string, committed: Model | null): void {
  if (committed === null) {
    expect(fs.existsSync(filePath)).toBe(false);
    return;
  }
  const loaded = loadSnapshotHeap(filePath, { heapOptions: { maxMemoryBytes: 0 } });
  expect(loaded.status).toBe('ok');
  if (loaded.status !== 'ok') return;
  expect(loaded.heap.stats().allocationCount).toBe(committed.size);
  for (const [address, byte] of committed) {
    expect(loaded.heap.readBytes(address, ALLOCATION_BYTES).equals(Buffer.alloc(ALLOCATION_BYTES, byte)), `allocation at ${address}`).toBe(true);
  }
}

describe('SnapshotService under fc.scheduler', () => {
  test('any interleaving of saves, aborts, FLUSHALL and writes leaves exactly the last committed snapshot', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(operation, { maxLength: 40 }), async (scheduler, operations) => {
        const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'cowkv-scheduler-'));
        try {
          const world = makeWorld(scheduler, directory);
          for (const [index, op] of operations.entries()) {
            world.operationIndex = index;
            await apply(world, scheduler, op);
          }
          await settle(world, scheduler);
          expect(world.heap.isEpochOpen).toBe(false);
          expect(world.service.lastBackgroundSaveStatus).toBe('ok');
          expect(fs.readdirSync(directory).filter((name) => name !== 'dump.snap')).toEqual([]);
          expectFileHolds(path.join(directory, 'dump.snap'), world.committed);
          if (world.flushAtOperation !== null) expect(world.committedAtOperation).toBeGreaterThanOrEqual(world.flushAtOperation);
        } finally {
          fs.rmSync(directory, { recursive: true, force: true });
        }
      }),
      { numRuns: RUN_COUNT },
    );
  });
});
