/**
 * The shadow page pool: preallocated pages that hold the old bytes of pages the main thread
 * writes while a snapshot still needs them.
 * Why preallocated: allocating fresh memory per copy is several times slower than reusing a slot,
 * and the pool's peak is exactly the snapshot's copy-on-write cost (Redis's current_cow_size).
 * Slots are numbered globally: slot = chunkIndex * chunkPageCount + index in chunk. Chunks are
 * SharedArrayBuffers so the reader thread can read them; the pool grows by whole chunks and
 * announces each new chunk to listeners (the snapshot driver forwards it to its worker). When an
 * epoch closes the pool shrinks back to one chunk.
 * Invariants: a slot is either on the free stack or in use, never both; main thread only.
 * Not here: the claim protocol (snapshot-epoch.ts).
 */
import assert from 'node:assert/strict';

export type ShadowChunkListener = (chunk: SharedArrayBuffer, chunkIndex: number) => void;

export class ShadowPool {
  readonly pageSizeBytes: number;
  readonly chunkPageCount: number;
  readonly #chunks: SharedArrayBuffer[] = [];
  readonly #chunkBytes: Uint8Array[] = [];
  #freeSlots: Int32Array;
  /** 1 while a slot holds a copy: catches a slot released twice. */
  #isSlotInUse: Uint8Array;
  #freeSlotCount = 0;
  #inUseCount = 0;
  #peakInUseCount = 0;
  readonly #listeners: ShadowChunkListener[] = [];

  constructor(pageSizeBytes: number, chunkPageCount: number) {
    assert.ok(chunkPageCount >= 1);
    this.pageSizeBytes = pageSizeBytes;
    this.chunkPageCount = chunkPageCount;
    this.#freeSlots = new Int32Array(chunkPageCount);
    this.#isSlotInUse = new Uint8Array(chunkPageCount);
    this.#addChunk();
  }

  get chunks(): readonly SharedArrayBuffer[] {
    return this.#chunks;
  }
  get pageCount(): number {
    return this.#chunks.length * this.chunkPageCount;
  }
  get inUseCount(): number {
    return this.#inUseCount;
  }
  get peakInUseCount(): number {
    return this.#peakInUseCount;
  }

  onChunkAdded(listener: ShadowChunkListener): () => void {
    this.#listeners.push(listener);
    return () => {
      const index = this.#listeners.indexOf(listener);
      if (index >= 0) this.#listeners.splice(index, 1);
    };
  }

  /** Copies one page into a free slot (growing the pool if needed) and returns the slot. */
  save(source: Uint8Array, sourceOffset: number): number {
    if (this.#freeSlotCount === 0) this.#addChunk();
    const slot = this.#freeSlots[--this.#freeSlotCount];
    this.#isSlotInUse[slot] = 1;
    this.#inUseCount++;
    if (this.#inUseCount > this.#peakInUseCount) this.#peakInUseCount = this.#inUseCount;
    const chunkIndex = Math.floor(slot / this.chunkPageCount);
    const targetOffset = (slot - chunkIndex * this.chunkPageCount) * this.pageSizeBytes;
    this.#chunkBytes[chunkIndex].set(source.subarray(sourceOffset, sourceOffset + this.pageSizeBytes), targetOffset);
    return slot;
  }

  release(slot: number): void {
    if (!(slot >= 0 && slot < this.pageCount && this.#isSlotInUse[slot] === 1)) assert.fail(`shadow slot ${slot} is not in use`);
    this.#isSlotInUse[slot] = 0;
    this.#freeSlots[this.#freeSlotCount++] = slot;
    this.#inUseCount--;
  }

  /**
   * Every slot back to the free stack and the pool back to its first chunk (epoch closed or
   * aborted): like Redis's copy-on-write memory, a snapshot's copies are returned when it ends.
   * The peak is kept for stats.
   */
  reset(): void {
    this.#chunks.length = 1;
    this.#chunkBytes.length = 1;
    this.#freeSlots = new Int32Array(this.chunkPageCount);
    this.#isSlotInUse = new Uint8Array(this.chunkPageCount);
    this.#freeSlotCount = 0; // the new stack is empty until releaseAll() fills it
    this.releaseAll();
  }

  /** Every slot back to the free stack; the peak is kept for stats. */
  releaseAll(): void {
    // Already all free (an epoch opening after a closed one): the stack's order does not
    // matter, and skipping the walk keeps openEpoch() O(1) in the pool's size.
    if (this.#inUseCount === 0 && this.#freeSlotCount === this.pageCount) return;
    for (let slot = 0; slot < this.pageCount; slot++) this.#freeSlots[slot] = this.pageCount - 1 - slot;
    this.#freeSlotCount = this.pageCount;
    this.#isSlotInUse.fill(0);
    this.#inUseCount = 0;
  }

  resetPeak(): void {
    this.#peakInUseCount = this.#inUseCount;
  }

  #addChunk(): void {
    const chunk = new SharedArrayBuffer(this.chunkPageCount * this.pageSizeBytes);
    const chunkIndex = this.#chunks.length;
    this.#chunks.push(chunk);
    this.#chunkBytes.push(new Uint8Array(chunk));
    const grown = new Int32Array(this.pageCount);
    grown.set(this.#freeSlots.subarray(0, this.#freeSlotCount));
    this.#freeSlots = grown;
    const isSlotInUse = new Uint8Array(this.pageCount);
    isSlotInUse.set(this.#isSlotInUse);
    this.#isSlotInUse = isSlotInUse;
    const firstSlot = chunkIndex * this.chunkPageCount;
    for (let slot = firstSlot + this.chunkPageCount - 1; slot >= firstSlot; slot--) {
      this.#freeSlots[this.#freeSlotCount++] = slot;
    }
    for (const listener of this.#listeners) listener(chunk, chunkIndex);
  }
}
