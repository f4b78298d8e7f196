/**
 * Snapshot epochs: the claim protocol between the main thread (writer) and the snapshot reader.
 * A snapshot must see every page as it was when its epoch opened while the main thread keeps
 * writing. Each page has a few Int32 fields in its segment's `pageState` SharedArrayBuffer:
 *
 *   CLAIM   epoch of the last claim (main's first write or the reader's read in that epoch)
 *   READY   epoch whose claim has finished: the page may be written / its copy may be read
 *   SHADOW  after a main-thread claim: shadow slot holding the old bytes, SHADOW_UNUSED if the
 *           page held nothing at the snapshot point, SHADOW_FAILED if main had no memory to save
 *           it (the snapshot fails, readPage throws); after a reader claim: SHADOW_READ
 *   USED    1 if the page holds something (metadata, slab, run); written by main only, and only
 *           after main has claimed the page in the open epoch
 *
 * Protocol, per page p < pageCountAtStart, epoch e (claims only move forward: a stale reader of
 * an older epoch can never take a newer claim):
 * - main, before its first write to p: CAS CLAIM from an older epoch to e. Win: copy p into a
 *   shadow slot if USED (else SHADOW_UNUSED), then READY = e. Lose (reader holds it): spin until
 *   READY == e (the reader is copying one page, microseconds), then write freely.
 * - reader, readPage(p): CAS CLAIM to e. Win: USED == 0 -> 'unused', else copy the live page;
 *   then READY = e. Lose: wait for READY == e, then take the shadow copy (or learn 'unused') and
 *   hand the slot back through the release ring.
 * Because main claims before it changes USED, a reader that wins the claim reads the USED value
 * of the snapshot point.
 *
 * Release ring: SPSC over an Int32Array [writeCount, readCount, closed, slots...]; the reader produces,
 * the main thread consumes. Capacity is pageCountAtStart (each page is copied at most once per
 * epoch), so it never fills. A fresh ring per epoch keeps a stale reader from corrupting it.
 *
 * Shadow chunks created after the epoch opened reach the reader by addShadowChunk() or, in a
 * worker whose loop is busy, through `shadowChunkPort` (receiveMessageOnPort, synchronous).
 * Not here: page copies into shadow slots and epoch bookkeeping (paged-heap.ts, shadow-pool.ts).
 */
import assert from 'node:assert/strict';
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { EpochShare, SegmentShare } from './heap.js';

export const PAGE_STATE_FIELD_COUNT = 4;
export const PAGE_STATE_CLAIM = 0;
export const PAGE_STATE_READY = 1;
export const PAGE_STATE_SHADOW = 2;
export const PAGE_STATE_USED = 3;

export const SHADOW_UNUSED = -1;
export const SHADOW_READ = -2;
/** Main could not save the page (no memory for shadow pages): the snapshot has failed. */
export const SHADOW_FAILED = -3;

const RING_WRITE_INDEX = 0;
const RING_READ_INDEX = 1;
/** 1 once the main thread has closed the epoch (finished or aborted). */
const RING_CLOSED_INDEX = 2;
/** Protocol version stamp: a reader compiled from other sources (a stale dist/) refuses to run. */
const RING_PROTOCOL_INDEX = 3;
const RING_HEADER_FIELDS = 4;
export const EPOCH_PROTOCOL_VERSION = 2;

/** Spins before the main thread yields while the reader holds a page it wants to write. */
const WRITER_SPIN_COUNT = 10_000;
const WRITER_YIELD_MS = 0.05;
/** Spins before the reader starts sleeping while waiting on the main thread's page copy. */
const READER_SPIN_COUNT = 1000;
const READER_SLEEP_MS = 1;
/** How long the reader waits for an announced shadow chunk before giving up. */
const SHADOW_CHUNK_WAIT_MS_MAX = 30_000;

/** Bytes of a release ring for `capacity` slots. */
export function createReleaseRingBytes(capacity: number): number {
  return (RING_HEADER_FIELDS + Math.max(1, capacity)) * 4;
}

export function createReleaseRing(capacity: number): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(createReleaseRingBytes(capacity));
  new Int32Array(buffer)[RING_PROTOCOL_INDEX] = EPOCH_PROTOCOL_VERSION;
  return buffer;
}

/** Reader side: hands a shadow slot back to the main thread. */
export function pushReleaseRing(ring: Int32Array, slot: number): void {
  const capacity = ring.length - RING_HEADER_FIELDS;
  const writeCount = Atomics.load(ring, RING_WRITE_INDEX);
  assert.ok(writeCount - Atomics.load(ring, RING_READ_INDEX) < capacity, 'release ring full');
  Atomics.store(ring, RING_HEADER_FIELDS + (writeCount % capacity), slot);
  Atomics.store(ring, RING_WRITE_INDEX, writeCount + 1);
}

/** Main side: tells a reader still running that its epoch is over. */
export function markReleaseRingClosed(ring: Int32Array): void {
  Atomics.store(ring, RING_CLOSED_INDEX, 1);
}

/** Main side: passes every released slot to `onSlot`; returns how many. */
export function drainReleaseRing(ring: Int32Array, onSlot: (slot: number) => void): number {
  const capacity = ring.length - RING_HEADER_FIELDS;
  const writeCount = Atomics.load(ring, RING_WRITE_INDEX);
  let readCount = Atomics.load(ring, RING_READ_INDEX);
  const drainedCount = writeCount - readCount;
  while (readCount < writeCount) {
    onSlot(Atomics.load(ring, RING_HEADER_FIELDS + (readCount % capacity)));
    readCount++;
  }
  Atomics.store(ring, RING_READ_INDEX, readCount);
  return drainedCount;
}

/**
 * Main side of a claim. Returns true if main won the claim (the caller must save the page, set
 * SHADOW and then publishReady), false if the reader had claimed it and has finished with it.
 */
export function claimForWriter(state: Int32Array, base: number, epoch: number): boolean {
  for (;;) {
    const claim = Atomics.load(state, base + PAGE_STATE_CLAIM);
    if (claim === epoch) {
      waitForReader(state, base, epoch);
      return false;
    }
    assert.ok(claim < epoch, 'page claimed by a newer epoch');
    if (Atomics.compareExchange(state, base + PAGE_STATE_CLAIM, claim, epoch) === claim) return true;
  }
}

/** Spins while the reader copies a page (microseconds); yields the core if it was descheduled. */
function waitForReader(state: Int32Array, base: number, epoch: number): void {
  let spinCount = 0;
  while (Atomics.load(state, base + PAGE_STATE_READY) !== epoch) {
    spinCount++;
    if (spinCount > WRITER_SPIN_COUNT) Atomics.wait(state, base + PAGE_STATE_READY, Atomics.load(state, base + PAGE_STATE_READY), WRITER_YIELD_MS);
  }
}

export function publishReady(state: Int32Array, base: number, epoch: number): void {
  Atomics.store(state, base + PAGE_STATE_READY, epoch);
}

export type PageReadResult = 'copied' | 'unused';

export interface EpochReaderOptions {
  /** Port on which the main thread posts shadow chunks (SharedArrayBuffer) added mid-epoch. */
  readonly shadowChunkPort?: MessagePort;
}

/**
 * The snapshot side of an epoch, constructible in any thread from an EpochShare.
 * readPage() yields each page as it was when the epoch opened.
 */
export class EpochReader {
  readonly epoch: number;
  readonly pageSizeBytes: number;
  readonly pageCountAtStart: number;
  readonly #segments: readonly SegmentShare[];
  readonly #segmentBytes: Uint8Array[];
  readonly #segmentStates: Int32Array[];
  readonly #shadowChunks: Uint8Array[] = [];
  readonly #shadowChunkPageCount: number;
  readonly #releaseRing: Int32Array;
  readonly #shadowChunkPort: MessagePort | undefined;
  #lastSegmentIndex = 0;
  #sleepCell: Int32Array | null = null;

  constructor(share: EpochShare, options: EpochReaderOptions = {}) {
    this.epoch = share.epoch;
    this.pageSizeBytes = share.pageSizeBytes;
    this.pageCountAtStart = share.pageCountAtStart;
    this.#segments = share.segments;
    this.#segmentBytes = share.segments.map((segment) => new Uint8Array(segment.pages));
    this.#segmentStates = share.segments.map((segment) => new Int32Array(segment.pageState));
    this.#shadowChunkPageCount = share.shadowChunkPageCount;
    for (const chunk of share.shadowChunks) this.addShadowChunk(chunk);
    this.#releaseRing = new Int32Array(share.releaseRing);
    const protocolVersion = Atomics.load(this.#releaseRing, RING_PROTOCOL_INDEX);
    if (protocolVersion !== EPOCH_PROTOCOL_VERSION) {
      throw new Error(
        `EpochReader speaks epoch protocol ${EPOCH_PROTOCOL_VERSION} but the heap speaks ${protocolVersion}: rebuild (stale dist/?)`,
      );
    }
    this.#shadowChunkPort = options.shadowChunkPort;
  }

  /**
   * True once the main thread closed this epoch (snapshot finished or aborted): pages read after
   * that may not be the snapshot point's, so a reader should stop.
   */
  get isEpochClosed(): boolean {
    return Atomics.load(this.#releaseRing, RING_CLOSED_INDEX) === 1;
  }

  /** Registers a shadow pool chunk created after the epoch opened (chunks arrive in order). */
  addShadowChunk(chunk: SharedArrayBuffer): void {
    this.#shadowChunks.push(new Uint8Array(chunk));
  }

  /**
   * Copies page `pageNumber` as it was at the epoch's start into target (pageSizeBytes long),
   * or returns 'unused' if it held nothing then. Each page may be read once per epoch.
   */
  readPage(pageNumber: number, target: Uint8Array): PageReadResult {
    if (!(pageNumber >= 0 && pageNumber < this.pageCountAtStart)) assert.fail(`page ${pageNumber} is outside the epoch`);
    assert.ok(target.length >= this.pageSizeBytes);
    const segmentIndex = this.#segmentIndexOf(pageNumber);
    const segment = this.#segments[segmentIndex];
    const state = this.#segmentStates[segmentIndex];
    const base = (pageNumber - segment.firstPage) * PAGE_STATE_FIELD_COUNT;
    for (;;) {
      const claim = Atomics.load(state, base + PAGE_STATE_CLAIM);
      if (claim === this.epoch) return this.#readClaimedByWriter(pageNumber, state, base, target);
      assert.ok(claim < this.epoch, 'page claimed by a newer epoch');
      if (Atomics.compareExchange(state, base + PAGE_STATE_CLAIM, claim, this.epoch) !== claim) continue;
      const isUsed = Atomics.load(state, base + PAGE_STATE_USED) !== 0;
      if (isUsed) {
        const offsetBytes = (pageNumber - segment.firstPage) * this.pageSizeBytes;
        target.set(this.#segmentBytes[segmentIndex].subarray(offsetBytes, offsetBytes + this.pageSizeBytes));
      }
      Atomics.store(state, base + PAGE_STATE_SHADOW, isUsed ? SHADOW_READ : SHADOW_UNUSED);
      Atomics.store(state, base + PAGE_STATE_READY, this.epoch);
      Atomics.notify(state, base + PAGE_STATE_READY);
      return isUsed ? 'copied' : 'unused';
    }
  }

  #readClaimedByWriter(pageNumber: number, state: Int32Array, base: number, target: Uint8Array): PageReadResult {
    this.#waitReady(state, base);
    const slot = Atomics.load(state, base + PAGE_STATE_SHADOW);
    if (slot === SHADOW_UNUSED) return 'unused';
    if (slot === SHADOW_FAILED) {
      throw new Error(`Snapshot failed: no memory for a shadow copy of a page the main thread wrote (page ${pageNumber})`);
    }
    assert.ok(slot !== SHADOW_READ, 'page read twice in one epoch');
    const chunkIndex = Math.floor(slot / this.#shadowChunkPageCount);
    const chunk = this.#shadowChunkAt(chunkIndex);
    const offsetBytes = (slot - chunkIndex * this.#shadowChunkPageCount) * this.pageSizeBytes;
    target.set(chunk.subarray(offsetBytes, offsetBytes + this.pageSizeBytes));
    Atomics.store(state, base + PAGE_STATE_SHADOW, SHADOW_READ);
    pushReleaseRing(this.#releaseRing, slot);
    return 'copied';
  }

  #waitReady(state: Int32Array, base: number): void {
    let spinCount = 0;
    while (Atomics.load(state, base + PAGE_STATE_READY) !== this.epoch) {
      spinCount++;
      if (spinCount > READER_SPIN_COUNT) this.#sleep();
    }
  }

  #shadowChunkAt(chunkIndex: number): Uint8Array {
    const deadlineMs = Date.now() + SHADOW_CHUNK_WAIT_MS_MAX;
    while (chunkIndex >= this.#shadowChunks.length) {
      assert.ok(this.#shadowChunkPort !== undefined, `shadow chunk ${chunkIndex} was never announced`);
      const message = receiveMessageOnPort(this.#shadowChunkPort);
      if (message === undefined) {
        assert.ok(Date.now() < deadlineMs, `shadow chunk ${chunkIndex} did not arrive`);
        this.#sleep();
      } else if (message.message instanceof SharedArrayBuffer) {
        this.addShadowChunk(message.message);
      }
    }
    return this.#shadowChunks[chunkIndex];
  }

  #sleep(): void {
    this.#sleepCell ??= new Int32Array(new SharedArrayBuffer(4));
    Atomics.wait(this.#sleepCell, 0, 0, READER_SLEEP_MS);
  }

  #segmentIndexOf(pageNumber: number): number {
    const cached = this.#segments[this.#lastSegmentIndex];
    if (pageNumber >= cached.firstPage && pageNumber < cached.firstPage + cached.pageCount) {
      return this.#lastSegmentIndex;
    }
    let low = 0;
    let high = this.#segments.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.#segments[middle].firstPage <= pageNumber) low = middle;
      else high = middle - 1;
    }
    this.#lastSegmentIndex = low;
    return low;
  }
}
