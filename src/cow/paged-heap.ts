/**
 * The paged heap: segments of pages, the allocator, the write barrier and snapshot epochs.
 * Implements the Heap contract of heap.ts; createHeap() and restoreHeap()/restoreHeapFrom() are
 * the only ways in.
 *
 * Why this shape:
 * - All allocator state (header counters, list heads, per-page descriptors, slab free lists)
 *   lives in heap pages (heap-layout.ts), so a point-in-time copy of the pages is a point-in-time
 *   copy of the allocator, and restoreHeap() rebuilds a working heap from pages alone.
 * - Small sizes come from slab pages (size-classes.ts): each slab page is cut into equal slots;
 *   a free slot holds the offset of the next free slot; slabs with free slots are on a per-class
 *   doubly linked list. A slab that becomes empty returns its page to the free runs.
 * - Larger sizes are runs of whole pages. Free runs sit in bins by length (exact bins up to 16
 *   pages, one per doubling above), found first-fit, split on allocation and coalesced with both
 *   neighbours on free. A run never crosses a segment: every segment starts with metadata pages,
 *   which stop coalescing at segment edges.
 * - The heap grows by whole segments (ordinary ones of segmentPageCount pages, or one sized to
 *   fit a larger run, or a smaller final one that fits under maxmemory). Segments are never
 *   released: a worker may hold them during a snapshot.
 * - Reads are direct: page -> segment table -> DataView. Writes call #barrier first only while
 *   an epoch is open (one boolean test otherwise). Per touched page the barrier reads a
 *   main-thread-only epoch array (a plain load); only the first write to a page in an epoch runs
 *   the claim protocol (snapshot-epoch.ts, Atomics), saving the page to the shadow pool if it was
 *   in use when the epoch opened. Metadata writes use the same path. Before a page changes
 *   between used and free it is claimed, so a reader that wins a claim sees the USED flag of the
 *   snapshot point.
 * - openEpoch() is O(segments) plus one release ring of 4 bytes per page (fresh per epoch, so a
 *   stale reader of an aborted epoch cannot corrupt the next one).
 *
 * Invariants (checked by verifyIntegrity(), heap-integrity.ts): descriptors, USED flags, free
 * lists and header counters agree; bytesAllocated + bytesFree + metadataBytes == heapBytes.
 * Not here: when snapshots run or how pages are written to disk (src/snapshot).
 */
import assert from 'node:assert/strict';
import {
  NULL_ADDRESS,
  PAGE_SIZE_BYTES_MAX,
  PAGE_SIZE_BYTES_MIN,
  ROOT_SLOT_COUNT,
  type Address,
  type EpochShare,
  type Heap,
  type HeapOptions,
  type HeapRestoreTarget,
  type HeapStats,
  type SegmentLayout,
} from './heap.js';
import {
  DESCRIPTOR_SIZE_BYTES,
  FREE_RUN_BIN_COUNT,
  FREE_RUN_EXACT_BIN_COUNT,
  HEADER_ALLOCATION_COUNT_OFFSET,
  HEADER_BIN_COUNT_OFFSET,
  HEADER_BYTES_ALLOCATED_OFFSET,
  HEADER_CLASS_COUNT_OFFSET,
  HEADER_CLASS_HEADS_OFFSET,
  HEADER_HEAP_PAGE_COUNT_OFFSET,
  HEADER_MAGIC_OFFSET,
  HEADER_METADATA_PAGES_OFFSET,
  HEADER_PAGE_COUNT_OFFSET,
  HEADER_PAGE_SIZE_OFFSET,
  HEADER_PAGES_IN_USE_OFFSET,
  HEADER_ROOTS_OFFSET,
  HEADER_SEGMENT_COUNT_OFFSET,
  HEADER_VERSION_OFFSET,
  HEAP_LAYOUT_VERSION,
  HEAP_MAGIC,
  PAGE_KIND_FREE_BODY,
  PAGE_KIND_FREE_HEAD,
  PAGE_KIND_METADATA,
  PAGE_KIND_RUN_BODY,
  PAGE_KIND_RUN_HEAD,
  PAGE_KIND_SLAB,
  SLOT_NONE,
  SLOT_UNTOUCHED_REST,
  binHeadsOffset,
  descriptorClass,
  descriptorFreeCount,
  descriptorKind,
  descriptorPageCount,
  freeRunBinOf,
  headerSizeBytes,
  isUsedKind,
  packDescriptorWord0,
} from './heap-layout.js';
import { verifyHeap, type HeapIntegrityReport, type IntegrityView } from './heap-integrity.js';
import { SegmentRestoreTarget } from './restore-target.js';
import { adviseHugePages } from './huge-pages.js';
import { Prefaulter } from './prefault.js';
import { Segment } from './segment.js';
import { ShadowPool, type ShadowChunkListener } from './shadow-pool.js';
import { ALLOCATION_ALIGNMENT_BYTES, SizeClassTable } from './size-classes.js';
import {
  PAGE_STATE_FIELD_COUNT,
  PAGE_STATE_READY,
  PAGE_STATE_SHADOW,
  PAGE_STATE_USED,
  SHADOW_FAILED,
  SHADOW_UNUSED,
  claimForWriter,
  createReleaseRing,
  createReleaseRingBytes,
  drainReleaseRing,
  markReleaseRingClosed,
  publishReady,
} from './snapshot-epoch.js';

/** Addresses are stored as u32 words of 8 bytes: the heap's address space ends here. */
export const HEAP_ADDRESS_SPACE_BYTES = 32 * 1024 ** 3;
/** Byte strings up to this length are compared and copied in a JS loop: cheaper than a native call. */
const SHORT_BYTES_MAX = 32;
/** Default bytes in an ordinary segment. */
export const SEGMENT_SIZE_BYTES_DEFAULT = 64 * 1024 * 1024;
/** Restores of at least this many segment bytes get a prefault helper thread (prefault.ts). */
export const RESTORE_PREFAULT_BYTES_MIN_DEFAULT = 32 * 1024 * 1024;
/** Default shadow pool chunk: this many pages or this many bytes, whichever is larger. */
export const SHADOW_POOL_PAGE_COUNT_DEFAULT = 256;
export const SHADOW_POOL_SIZE_BYTES_DEFAULT = 1024 * 1024;

export type { HeapIntegrityReport } from './heap-integrity.js';

/**
 * Creates an empty heap: segment 0 (header, descriptors, data pages; an ordinary segment, or
 * less if maxmemory says so, but never less than header + descriptors + one page), then more
 * segments as it grows. Throws (assert) on invalid options.
 */
export function createHeap(options: HeapOptions): PagedHeap {
  return new PagedHeap(options, null);
}

/**
 * Rebuilds a heap from saved pages (a snapshot): segments per `layout`, the given pages copied
 * in, pages not given left zero (they were free). Throws an Error with a clear message when the
 * pages are not a heap of this layout version and page size.
 */
export function restoreHeap(
  options: HeapOptions,
  layout: readonly SegmentLayout[],
  pages: Iterable<{ pageNumber: number; bytes: Uint8Array }>,
): PagedHeap {
  return restoreHeapFrom(options, layout, (target) => {
    for (const { pageNumber, bytes } of pages) target.writePage(pageNumber, bytes);
  });
}

/**
 * restoreHeap() for a caller that puts the pages in itself: `fill` runs once, after the
 * segments exist and before the header is checked, and may borrow page views until it returns
 * (restore-target.ts). Whatever fill throws is rethrown and the half-built heap is dropped.
 */
export function restoreHeapFrom(
  options: HeapOptions,
  layout: readonly SegmentLayout[],
  fill: (target: HeapRestoreTarget) => void,
): PagedHeap {
  return new PagedHeap(options, {
    layout, fill, prefaultBytesMin: options.restorePrefaultBytesMin, isHugePagesAllowed: options.restoreHugePages ?? true,
  });
}

interface RestoreSource {
  readonly layout: readonly SegmentLayout[];
  readonly fill: (target: HeapRestoreTarget) => void;
  readonly prefaultBytesMin: number | undefined;
  readonly isHugePagesAllowed: boolean;
}

export class PagedHeap implements Heap {
  readonly pageSizeBytes: number;
  readonly #classes: SizeClassTable;
  readonly #headerPageCount: number;
  readonly #binHeadsOffset: number;
  readonly #pageCountLimit: number;
  readonly #ordinaryPageCount: number;
  readonly #segments: Segment[] = [];
  #pageSegment = new Uint32Array(1024);
  #pageCount = 0;
  /** Segment 0's view: the header sits at address 0. */
  #header: DataView | null = null;
  // Mirrors of header counters, so hot paths write them without reading them back.
  #bytesAllocated = 0;
  /** Set by a restore that got the kernel's huge-pages advice for its segments. */
  #restoreUsesHugePages = false;
  #allocationCount = 0;
  #pagesInUse = 0;

  #isEpochOpen = false;
  #epoch = 0;
  #pageCountAtStart = 0;
  #releaseRing: Int32Array | null = null;
  /**
   * The next epoch's release ring, allocated off the snapshot's clock (at close and when a
   * segment is added): a fresh zeroed SAB of 4 bytes per page costs 0.3-0.6 ms in a process
   * with a large heap (calloc faults its pages in), which openEpoch() must not pay.
   */
  #nextReleaseRing: SharedArrayBuffer | null = null;
  #pagesCopied = 0;
  #isEpochFailed = false;
  readonly #shadowPool: ShadowPool;

  constructor(options: HeapOptions, restore: RestoreSource | null) {
    const pageSizeBytes = options.pageSizeBytes;
    assert.ok(
      Number.isInteger(pageSizeBytes) &&
        pageSizeBytes >= PAGE_SIZE_BYTES_MIN &&
        pageSizeBytes <= PAGE_SIZE_BYTES_MAX &&
        (pageSizeBytes & (pageSizeBytes - 1)) === 0,
      `page size ${pageSizeBytes} must be a power of two in ${PAGE_SIZE_BYTES_MIN}..${PAGE_SIZE_BYTES_MAX}`,
    );
    this.pageSizeBytes = pageSizeBytes;
    this.#classes = new SizeClassTable(pageSizeBytes);
    this.#headerPageCount = Math.ceil(headerSizeBytes(this.#classes.classCount) / pageSizeBytes);
    this.#binHeadsOffset = binHeadsOffset(this.#classes.classCount);
    const limitBytes =
      options.maxMemoryBytes > 0 ? Math.min(options.maxMemoryBytes, HEAP_ADDRESS_SPACE_BYTES) : HEAP_ADDRESS_SPACE_BYTES;
    this.#pageCountLimit = Math.floor(limitBytes / pageSizeBytes);
    const segmentPageCount = options.segmentPageCount ?? Math.max(1, SEGMENT_SIZE_BYTES_DEFAULT / pageSizeBytes);
    assert.ok(Number.isInteger(segmentPageCount) && segmentPageCount >= 1, 'segmentPageCount must be a positive integer');
    assert.ok(
      options.shadowPoolPageCount === undefined ||
        (Number.isInteger(options.shadowPoolPageCount) && options.shadowPoolPageCount >= 1),
      'shadowPoolPageCount must be a positive integer',
    );
    this.#ordinaryPageCount = Math.max(segmentPageCount, this.#minimalSegmentPages(0));
    const shadowPoolPageCount =
      options.shadowPoolPageCount ??
      Math.max(SHADOW_POOL_PAGE_COUNT_DEFAULT, SHADOW_POOL_SIZE_BYTES_DEFAULT / pageSizeBytes);
    this.#shadowPool = new ShadowPool(pageSizeBytes, shadowPoolPageCount);
    if (restore === null) this.#initialize();
    else this.#restore(restore);
  }

  // ---- allocation -------------------------------------------------------------------------

  allocate(sizeBytes: number): Address {
    if (!(Number.isInteger(sizeBytes) && sizeBytes >= 0)) assert.fail(`bad allocation size ${sizeBytes}`);
    if (sizeBytes <= this.#classes.smallSizeMaxBytes) return this.#allocateSlot(this.#classes.classOf(sizeBytes));
    const pageCount = Math.ceil(sizeBytes / this.pageSizeBytes);
    const head = this.#takePages(pageCount);
    if (head === 0) return NULL_ADDRESS;
    this.#countAllocation(pageCount * this.pageSizeBytes, 1);
    return head * this.pageSizeBytes;
  }

  free(address: Address): void {
    if (address === NULL_ADDRESS) return;
    const page = this.#pageOf(address);
    const word0 = this.#descriptorWord(page, 0);
    switch (descriptorKind(word0)) {
      case PAGE_KIND_SLAB:
        this.#freeSlot(address, page, word0);
        return;
      case PAGE_KIND_RUN_HEAD: {
        if (address !== page * this.pageSizeBytes) assert.fail(`free(${address}): not the start of a run`);
        const pageCount = this.#descriptorWord(page, 1);
        this.#countAllocation(-pageCount * this.pageSizeBytes, -1);
        this.#releasePages(page, pageCount);
        return;
      }
      default:
        assert.fail(`free(${address}): no allocation there`);
    }
  }

  usableSize(address: Address): number {
    const page = this.#pageOf(address);
    const word0 = this.#descriptorWord(page, 0);
    switch (descriptorKind(word0)) {
      case PAGE_KIND_SLAB:
        return this.#classes.slotSizesBytes[descriptorClass(word0)];
      case PAGE_KIND_RUN_HEAD:
        return this.#descriptorWord(page, 1) * this.pageSizeBytes;
      default:
        assert.fail(`usableSize(${address}): no allocation there`);
    }
  }

  canAllocate(sizeBytes: number): boolean {
    if (sizeBytes <= this.#classes.smallSizeMaxBytes) {
      const classIndex = this.#classes.classOf(sizeBytes);
      if (this.#classHead(classIndex) !== 0) return true;
      return this.#findFreeRun(1) !== 0 || this.#segmentPagesForRun(1, this.#pageCount) > 0;
    }
    const pageCount = Math.ceil(sizeBytes / this.pageSizeBytes);
    return this.#findFreeRun(pageCount) !== 0 || this.#segmentPagesForRun(pageCount, this.#pageCount) > 0;
  }

  // ---- reads (direct) ---------------------------------------------------------------------

  readU8(address: Address): number {
    const segment = this.#segmentAt(address);
    return segment.bytes[address - segment.baseAddress];
  }
  readU16(address: Address): number {
    const segment = this.#segmentAt(address);
    return segment.view.getUint16(address - segment.baseAddress, true);
  }
  readU32(address: Address): number {
    const segment = this.#segmentAt(address);
    return segment.view.getUint32(address - segment.baseAddress, true);
  }
  readI32(address: Address): number {
    const segment = this.#segmentAt(address);
    return segment.view.getInt32(address - segment.baseAddress, true);
  }
  readF64(address: Address): number {
    const segment = this.#segmentAt(address);
    return segment.view.getFloat64(address - segment.baseAddress, true);
  }
  readAddress(address: Address): Address {
    return this.readU32(address) * ALLOCATION_ALIGNMENT_BYTES;
  }
  copyOut(address: Address, target: Uint8Array, targetOffset: number, length: number): void {
    if (length === 0) return;
    const segment = this.#segmentAt(address);
    const offset = address - segment.baseAddress;
    assert.ok(offset + length <= segment.sizeBytes, 'read past the end of a segment');
    if (length <= SHORT_BYTES_MAX) {
      // A loop beats Buffer#copy up to about 32 bytes (18 against 60-90 ns for 8-16 bytes:
      // Buffer#copy makes a Uint8Array view per call), e.g. INCR reading its digits.
      const bytes = segment.bytes;
      for (let index = 0; index < length; index++) target[targetOffset + index] = bytes[offset + index];
      return;
    }
    // Longer copies: Buffer#copy's view and native copy win (58 against 137 ns for a loop at 64
    // bytes, a GET's value in redis-benchmark).
    segment.nodeBuffer.copy(target, targetOffset, offset, offset + length);
  }
  readBytes(address: Address, length: number): Buffer {
    const bytes = Buffer.allocUnsafe(length);
    if (length > 0) this.copyOut(address, bytes, 0, length);
    return bytes;
  }
  equalsBytes(address: Address, source: Uint8Array, sourceStart: number, length: number): boolean {
    if (length === 0) return true;
    const segment = this.#segmentAt(address);
    const offset = address - segment.baseAddress;
    if (length <= SHORT_BYTES_MAX) {
      const bytes = segment.bytes;
      for (let index = 0; index < length; index++) {
        if (bytes[offset + index] !== source[sourceStart + index]) return false;
      }
      return true;
    }
    return segment.nodeBuffer.compare(source, sourceStart, sourceStart + length, offset, offset + length) === 0;
  }
  compareBytes(address: Address, length: number, source: Uint8Array, sourceStart: number, sourceLength: number): number {
    if (length === 0 || sourceLength === 0) return length - sourceLength;
    const segment = this.#segmentAt(address);
    const offset = address - segment.baseAddress;
    if (length <= SHORT_BYTES_MAX && sourceLength <= SHORT_BYTES_MAX) {
      const bytes = segment.bytes;
      const commonLength = Math.min(length, sourceLength);
      for (let index = 0; index < commonLength; index++) {
        const difference = bytes[offset + index] - source[sourceStart + index];
        if (difference !== 0) return difference;
      }
      return length - sourceLength;
    }
    return segment.nodeBuffer.compare(source, sourceStart, sourceStart + sourceLength, offset, offset + length);
  }

  // ---- writes (barrier first) -------------------------------------------------------------

  writeU8(address: Address, value: number): void {
    const segment = this.#segmentAt(address);
    const offset = address - segment.baseAddress;
    if (this.#isEpochOpen) this.#barrier(segment, offset, 1);
    segment.bytes[offset] = value;
  }
  writeU16(address: Address, value: number): void {
    const segment = this.#segmentAt(address);
    const offset = address - segment.baseAddress;
    if (this.#isEpochOpen) this.#barrier(segment, offset, 2);
    segment.view.setUint16(offset, value, true);
  }
  writeU32(address: Address, value: number): void {
    const segment = this.#segmentAt(address);
    const offset = address - segment.baseAddress;
    if (this.#isEpochOpen) this.#barrier(segment, offset, 4);
    segment.view.setUint32(offset, value, true);
  }
  writeI32(address: Address, value: number): void {
    const segment = this.#segmentAt(address);
    const offset = address - segment.baseAddress;
    if (this.#isEpochOpen) this.#barrier(segment, offset, 4);
    segment.view.setInt32(offset, value, true);
  }
  writeF64(address: Address, value: number): void {
    const segment = this.#segmentAt(address);
    const offset = address - segment.baseAddress;
    if (this.#isEpochOpen) this.#barrier(segment, offset, 8);
    segment.view.setFloat64(offset, value, true);
  }
  writeAddress(address: Address, value: Address): void {
    if (!(value % ALLOCATION_ALIGNMENT_BYTES === 0 && value < HEAP_ADDRESS_SPACE_BYTES)) assert.fail(`unaligned address ${value}`);
    this.writeU32(address, value / ALLOCATION_ALIGNMENT_BYTES);
  }
  copyIn(address: Address, source: Uint8Array, sourceStart: number, length: number): void {
    if (length === 0) return;
    const segment = this.#segmentAt(address);
    const offset = address - segment.baseAddress;
    assert.ok(offset + length <= segment.sizeBytes, 'write past the end of a segment');
    if (this.#isEpochOpen) this.#barrier(segment, offset, length);
    if (length <= SHORT_BYTES_MAX) {
      // As in copyOut: short keys and INCR's digits are copied faster by a loop.
      const bytes = segment.bytes;
      for (let index = 0; index < length; index++) bytes[offset + index] = source[sourceStart + index];
      return;
    }
    if (sourceStart === 0 && length === source.length) segment.bytes.set(source, offset);
    else if (Buffer.isBuffer(source)) source.copy(segment.nodeBuffer, offset, sourceStart, sourceStart + length);
    else segment.bytes.set(source.subarray(sourceStart, sourceStart + length), offset);
  }
  move(targetAddress: Address, sourceAddress: Address, length: number): void {
    if (length === 0) return;
    const target = this.#segmentAt(targetAddress);
    const source = this.#segmentAt(sourceAddress);
    const targetOffset = targetAddress - target.baseAddress;
    const sourceOffset = sourceAddress - source.baseAddress;
    assert.ok(targetOffset + length <= target.sizeBytes && sourceOffset + length <= source.sizeBytes, 'move past the end of a segment');
    if (this.#isEpochOpen) this.#barrier(target, targetOffset, length);
    if (target === source) target.bytes.copyWithin(targetOffset, sourceOffset, sourceOffset + length);
    else target.bytes.set(source.bytes.subarray(sourceOffset, sourceOffset + length), targetOffset);
  }
  fill(address: Address, byte: number, length: number): void {
    if (length === 0) return;
    const segment = this.#segmentAt(address);
    const offset = address - segment.baseAddress;
    assert.ok(offset + length <= segment.sizeBytes, 'write past the end of a segment');
    if (this.#isEpochOpen) this.#barrier(segment, offset, length);
    segment.bytes.fill(byte, offset, offset + length);
  }

  // ---- roots ------------------------------------------------------------------------------

  getRoot(slot: number): Address {
    if (!(Number.isInteger(slot) && slot >= 0 && slot < ROOT_SLOT_COUNT)) assert.fail(`bad root slot ${slot}`);
    return this.readAddress(HEADER_ROOTS_OFFSET + slot * 4);
  }
  setRoot(slot: number, value: Address): void {
    if (!(Number.isInteger(slot) && slot >= 0 && slot < ROOT_SLOT_COUNT)) assert.fail(`bad root slot ${slot}`);
    this.writeAddress(HEADER_ROOTS_OFFSET + slot * 4, value);
  }

  // ---- snapshots --------------------------------------------------------------------------

  get isEpochOpen(): boolean {
    return this.#isEpochOpen;
  }

  get pageCount(): number {
    return this.#pageCount;
  }

  openEpoch(): EpochShare {
    assert.ok(!this.#isEpochOpen, 'a snapshot epoch is already open');
    this.#epoch++;
    this.#pageCountAtStart = this.#pageCount;
    this.#pagesCopied = 0;
    this.#isEpochFailed = false;
    this.#shadowPool.releaseAll();
    this.#shadowPool.resetPeak();
    const releaseRing = this.#takeReleaseRing(this.#pageCountAtStart);
    this.#releaseRing = new Int32Array(releaseRing);
    this.#isEpochOpen = true;
    return this.#epochShare(this.#epoch, releaseRing);
  }

  nextEpochShare(): EpochShare | null {
    const ring = this.#nextReleaseRing;
    if (this.#isEpochOpen || ring === null || ring.byteLength < createReleaseRingBytes(this.#pageCount)) return null;
    return this.#epochShare(this.#epoch + 1, ring);
  }

  #epochShare(epoch: number, releaseRing: SharedArrayBuffer): EpochShare {
    return {
      epoch,
      pageSizeBytes: this.pageSizeBytes,
      pageCountAtStart: this.#pageCount,
      segments: this.#segments.map((segment) => ({
        firstPage: segment.firstPage,
        pageCount: segment.pageCount,
        pages: segment.buffer,
        pageState: segment.stateBuffer,
      })),
      shadowChunks: [...this.#shadowPool.chunks],
      shadowChunkPageCount: this.#shadowPool.chunkPageCount,
      releaseRing,
    };
  }

  closeEpoch(): void {
    if (this.#releaseRing !== null) markReleaseRingClosed(this.#releaseRing);
    this.#isEpochOpen = false;
    this.#releaseRing = null;
    this.#prepareReleaseRing();
    this.#shadowPool.reset();
  }

  /**
   * True if the open (or last) epoch could not save a page because the shadow pool could not
   * grow: that snapshot is lost (its reader throws), the heap itself is intact.
   */
  get isEpochFailed(): boolean {
    return this.#isEpochFailed;
  }

  /** A ring for `capacity` pages: the prepared one if it is large enough, else a new one. */
  #takeReleaseRing(capacity: number): SharedArrayBuffer {
    const prepared = this.#nextReleaseRing;
    this.#nextReleaseRing = null;
    if (prepared !== null && prepared.byteLength >= createReleaseRingBytes(capacity)) return prepared;
    return createReleaseRing(capacity);
  }

  /**
   * Allocates the next epoch's ring now if the prepared one is missing or too small. A ring that
   * is too small is replaced by one of at least twice its capacity, so a growing heap makes
   * O(log pages) rings rather than one per segment (each dropped ring is garbage to sweep).
   */
  #prepareReleaseRing(): void {
    if (this.#isEpochOpen) return;
    const ring = this.#nextReleaseRing;
    if (ring !== null && ring.byteLength >= createReleaseRingBytes(this.#pageCount)) return;
    const doubled = ring === null ? 0 : 2 * (ring.byteLength / 4);
    this.#nextReleaseRing = createReleaseRing(Math.max(this.#pageCount, doubled));
  }

  reclaimShadowPages(): number {
    if (this.#releaseRing === null) return 0;
    return drainReleaseRing(this.#releaseRing, (slot) => this.#shadowPool.release(slot));
  }

  /** Shadow pool chunks that exist now, in chunk order. */
  shadowChunks(): readonly SharedArrayBuffer[] {
    return [...this.#shadowPool.chunks];
  }

  /**
   * Calls `listener` whenever the shadow pool grows by a chunk (during an epoch, the snapshot
   * driver forwards the chunk to its reader: EpochReader.addShadowChunk or its port). Returns
   * a function that removes the listener.
   */
  onShadowChunkAdded(listener: ShadowChunkListener): () => void {
    return this.#shadowPool.onChunkAdded(listener);
  }

  readPageImage(pageNumber: number, target: Uint8Array): boolean {
    if (!(pageNumber >= 0 && pageNumber < this.#pageCount)) assert.fail(`page ${pageNumber} is outside the heap`);
    const segment = this.#segments[this.#pageSegment[pageNumber]];
    const index = pageNumber - segment.firstPage;
    if (Atomics.load(segment.state, index * PAGE_STATE_FIELD_COUNT + PAGE_STATE_USED) === 0) return false;
    const offset = index * this.pageSizeBytes;
    target.set(segment.bytes.subarray(offset, offset + this.pageSizeBytes));
    return true;
  }

  layout(): readonly SegmentLayout[] {
    return this.#segments.map((segment) => ({ firstPage: segment.firstPage, pageCount: segment.pageCount }));
  }

  get pagesInUse(): number {
    return this.#pagesInUse;
  }

  stats(): HeapStats {
    this.reclaimShadowPages();
    const heapBytes = this.#pageCount * this.pageSizeBytes;
    const metadataBytes = this.#headerU32(HEADER_METADATA_PAGES_OFFSET) * this.pageSizeBytes;
    const bytesAllocated = this.#bytesAllocated;
    const pagesInUse = this.#pagesInUse;
    return {
      pageSizeBytes: this.pageSizeBytes,
      pageCount: this.#pageCount,
      pagesInUse,
      segmentCount: this.#segments.length,
      heapBytes,
      bytesAllocated,
      bytesFree: heapBytes - metadataBytes - bytesAllocated,
      metadataBytes,
      fragmentationRatio: bytesAllocated === 0 ? 1 : (pagesInUse * this.pageSizeBytes - metadataBytes) / bytesAllocated,
      allocationCount: this.#allocationCount,
      shadowPoolPageCount: this.#shadowPool.pageCount,
      shadowPagesInUse: this.#shadowPool.inUseCount,
      shadowPagesPeak: this.#shadowPool.peakInUseCount,
      pagesCopied: this.#pagesCopied,
      restoredWithHugePages: this.#restoreUsesHugePages,
    };
  }

  /** Size classes in use (slot sizes ascending); for tests and INFO. */
  sizeClassesBytes(): readonly number[] {
    return this.#classes.slotSizesBytes;
  }

  /**
   * Walks every descriptor, free list and slab free chain and recounts the heap's bytes; throws
   * an AssertionError naming the first inconsistency. O(heap): for tests and debugging.
   */
  verifyIntegrity(): HeapIntegrityReport {
    return verifyHeap(this.#integrityView());
  }

  // ---- allocator internals ------------------------------------------------------------------

  #allocateSlot(classIndex: number): Address {
    let page = this.#classHead(classIndex);
    if (page === 0) {
      page = this.#newSlab(classIndex);
      if (page === 0) return NULL_ADDRESS;
    }
    const segment = this.#segments[this.#pageSegment[page]];
    const descriptor = this.#descriptorOffset(segment, page);
    const freeSlotCount = descriptorFreeCount(segment.view.getUint32(descriptor, true)) - 1;
    const slotOffset = segment.view.getUint32(descriptor + 4, true);
    assert.ok(slotOffset !== SLOT_NONE && freeSlotCount >= 0, 'partial slab without a free slot');
    const pageOffset = (page - segment.firstPage) * this.pageSizeBytes;
    let nextSlotOffset = segment.view.getUint32(pageOffset + slotOffset, true);
    if (nextSlotOffset === SLOT_UNTOUCHED_REST) nextSlotOffset = this.#advanceUntouched(segment, pageOffset, slotOffset, classIndex);
    this.#setDescriptorWordAt(segment, descriptor + 4, nextSlotOffset);
    this.#setDescriptorWordAt(segment, descriptor, packDescriptorWord0(PAGE_KIND_SLAB, classIndex, freeSlotCount));
    if (freeSlotCount === 0) this.#unlinkPartialSlab(classIndex, page);
    this.#countAllocation(this.#classes.slotSizesBytes[classIndex], 1);
    return segment.baseAddress + pageOffset + slotOffset;
  }

  /** The slot after `slotOffset` becomes the untouched tail's first slot, if there is one. */
  #advanceUntouched(segment: Segment, pageOffset: number, slotOffset: number, classIndex: number): number {
    const slotSizeBytes = this.#classes.slotSizesBytes[classIndex];
    const nextSlotOffset = slotOffset + slotSizeBytes;
    if (nextSlotOffset + slotSizeBytes > this.#classes.slotCounts[classIndex] * slotSizeBytes) return SLOT_NONE;
    if (this.#isEpochOpen) this.#barrier(segment, pageOffset + nextSlotOffset, 4);
    segment.view.setUint32(pageOffset + nextSlotOffset, SLOT_UNTOUCHED_REST, true);
    return nextSlotOffset;
  }

  #newSlab(classIndex: number): number {
    const page = this.#takePages(1);
    if (page === 0) return 0;
    const slotCount = this.#classes.slotCounts[classIndex];
    this.writeU32(page * this.pageSizeBytes, SLOT_UNTOUCHED_REST);
    this.#setDescriptorWord(page, 0, packDescriptorWord0(PAGE_KIND_SLAB, classIndex, slotCount));
    this.#setDescriptorWord(page, 1, 0);
    this.#linkPartialSlab(classIndex, page);
    return page;
  }

  #freeSlot(address: Address, page: number, word0: number): void {
    const classIndex = descriptorClass(word0);
    const slotSizeBytes = this.#classes.slotSizesBytes[classIndex];
    const slotOffset = address - page * this.pageSizeBytes;
    if (!(slotOffset % slotSizeBytes === 0)) assert.fail(`free(${address}): not the start of a slot`);
    const freeSlotCount = descriptorFreeCount(word0) + 1;
    this.#countAllocation(-slotSizeBytes, -1);
    if (freeSlotCount === this.#classes.slotCounts[classIndex]) {
      if (freeSlotCount > 1) this.#unlinkPartialSlab(classIndex, page);
      this.#releasePages(page, 1);
      return;
    }
    const segment = this.#segments[this.#pageSegment[page]];
    const descriptor = this.#descriptorOffset(segment, page);
    if (this.#isEpochOpen) this.#barrier(segment, address - segment.baseAddress, 4);
    segment.view.setUint32(address - segment.baseAddress, segment.view.getUint32(descriptor + 4, true), true);
    this.#setDescriptorWordAt(segment, descriptor + 4, slotOffset);
    this.#setDescriptorWordAt(segment, descriptor, packDescriptorWord0(PAGE_KIND_SLAB, classIndex, freeSlotCount));
    if (freeSlotCount === 1) this.#linkPartialSlab(classIndex, page);
  }

  #linkPartialSlab(classIndex: number, page: number): void {
    const headOffset = HEADER_CLASS_HEADS_OFFSET + classIndex * 4;
    this.#linkPage(headOffset, page);
  }
  #unlinkPartialSlab(classIndex: number, page: number): void {
    this.#unlinkPage(HEADER_CLASS_HEADS_OFFSET + classIndex * 4, page);
  }
  #classHead(classIndex: number): number {
    return this.#headerU32(HEADER_CLASS_HEADS_OFFSET + classIndex * 4);
  }

  /** Pushes `page` at the head of the doubly linked list whose head is at header `headOffset`. */
  #linkPage(headOffset: number, page: number): void {
    const head = this.#headerU32(headOffset);
    this.#setDescriptorWord(page, 2, head);
    this.#setDescriptorWord(page, 3, 0);
    if (head !== 0) this.#setDescriptorWord(head, 3, page);
    this.#setHeaderU32(headOffset, page);
  }
  #unlinkPage(headOffset: number, page: number): void {
    const next = this.#descriptorWord(page, 2);
    const previous = this.#descriptorWord(page, 3);
    if (previous === 0) {
      assert.equal(this.#headerU32(headOffset), page, 'list head mismatch');
      this.#setHeaderU32(headOffset, next);
    } else {
      this.#setDescriptorWord(previous, 2, next);
    }
    if (next !== 0) this.#setDescriptorWord(next, 3, previous);
    this.#setDescriptorWord(page, 2, 0);
    this.#setDescriptorWord(page, 3, 0);
  }

  /** Takes `pageCount` free pages as one run (growing the heap if needed); 0 when out of memory. */
  #takePages(pageCount: number): number {
    let head = this.#findFreeRun(pageCount);
    if (head === 0) {
      if (!this.#grow(pageCount)) return 0;
      head = this.#findFreeRun(pageCount);
      assert.ok(head !== 0, 'a new segment has no room for the run it was made for');
    }
    const runPageCount = this.#descriptorWord(head, 1);
    this.#unlinkPage(this.#binHeadOffset(runPageCount), head);
    if (runPageCount > pageCount) this.#insertFreeRun(head + pageCount, runPageCount - pageCount);
    this.#setPagesUsed(head, pageCount, true);
    this.#setDescriptorWord(head, 0, packDescriptorWord0(PAGE_KIND_RUN_HEAD, 0, 0));
    this.#setDescriptorWord(head, 1, pageCount);
    for (let page = head + 1; page < head + pageCount; page++) {
      this.#setDescriptorWord(page, 0, packDescriptorWord0(PAGE_KIND_RUN_BODY, 0, 0));
    }
    this.#addPagesInUse(pageCount);
    return head;
  }

  /** Returns a run of used pages to the free runs, coalescing with free neighbours. */
  #releasePages(head: number, pageCount: number): void {
    this.#setPagesUsed(head, pageCount, false);
    for (let page = head; page < head + pageCount; page++) this.#setDescriptorWord(page, 0, 0);
    this.#addPagesInUse(-pageCount);
    let runHead = head;
    let runPageCount = pageCount;
    const left = head - 1;
    const leftKind = descriptorKind(this.#descriptorWord(left, 0));
    if (leftKind === PAGE_KIND_FREE_HEAD || leftKind === PAGE_KIND_FREE_BODY) {
      const leftHead = leftKind === PAGE_KIND_FREE_HEAD ? left : this.#descriptorWord(left, 1);
      const leftPageCount = this.#descriptorWord(leftHead, 1);
      this.#unlinkPage(this.#binHeadOffset(leftPageCount), leftHead);
      this.#setDescriptorWord(leftHead, 0, packDescriptorWord0(PAGE_KIND_FREE_BODY, 0, 0));
      runHead = leftHead;
      runPageCount += leftPageCount;
    }
    const right = head + pageCount;
    if (right < this.#pageCount && descriptorKind(this.#descriptorWord(right, 0)) === PAGE_KIND_FREE_HEAD) {
      const rightPageCount = this.#descriptorWord(right, 1);
      this.#unlinkPage(this.#binHeadOffset(rightPageCount), right);
      this.#setDescriptorWord(right, 0, packDescriptorWord0(PAGE_KIND_FREE_BODY, 0, 0));
      runPageCount += rightPageCount;
    }
    this.#insertFreeRun(runHead, runPageCount);
  }

  /** Makes [head, head+pageCount) a free run: head descriptor, tail back-link, bin list. */
  #insertFreeRun(head: number, pageCount: number): void {
    this.#setDescriptorWord(head, 0, packDescriptorWord0(PAGE_KIND_FREE_HEAD, 0, 0));
    this.#setDescriptorWord(head, 1, pageCount);
    if (pageCount > 1) {
      const tail = head + pageCount - 1;
      this.#setDescriptorWord(tail, 0, packDescriptorWord0(PAGE_KIND_FREE_BODY, 0, 0));
      this.#setDescriptorWord(tail, 1, head);
    }
    this.#linkPage(this.#binHeadOffset(pageCount), head);
  }

  /** Head page of a free run of at least `pageCount` pages, or 0. No side effects. */
  #findFreeRun(pageCount: number): number {
    const firstBin = freeRunBinOf(pageCount);
    if (firstBin >= FREE_RUN_EXACT_BIN_COUNT) {
      for (let page = this.#headerU32(this.#binHeadsOffset + firstBin * 4); page !== 0; page = this.#descriptorWord(page, 2)) {
        if (this.#descriptorWord(page, 1) >= pageCount) return page;
      }
    } else {
      const head = this.#headerU32(this.#binHeadsOffset + firstBin * 4);
      if (head !== 0) return head;
    }
    for (let bin = firstBin + 1; bin < FREE_RUN_BIN_COUNT; bin++) {
      const head = this.#headerU32(this.#binHeadsOffset + bin * 4);
      if (head !== 0) return head;
    }
    return 0;
  }

  #binHeadOffset(pageCount: number): number {
    return this.#binHeadsOffset + freeRunBinOf(pageCount) * 4;
  }

  /** Claims each page (snapshot), then flips its USED flag. */
  #setPagesUsed(head: number, pageCount: number, isUsed: boolean): void {
    for (let page = head; page < head + pageCount; page++) {
      const segment = this.#segments[this.#pageSegment[page]];
      if (this.#isEpochOpen) this.#claimPage(page, segment);
      Atomics.store(segment.state, (page - segment.firstPage) * PAGE_STATE_FIELD_COUNT + PAGE_STATE_USED, isUsed ? 1 : 0);
    }
  }

  #countAllocation(deltaBytes: number, deltaCount: number): void {
    this.#bytesAllocated += deltaBytes;
    this.#allocationCount += deltaCount;
    if (this.#isEpochOpen) this.#barrier(this.#segments[0], HEADER_BYTES_ALLOCATED_OFFSET, 16);
    const header = this.#header as DataView;
    header.setFloat64(HEADER_BYTES_ALLOCATED_OFFSET, this.#bytesAllocated, true);
    header.setFloat64(HEADER_ALLOCATION_COUNT_OFFSET, this.#allocationCount, true);
  }

  #addPagesInUse(delta: number): void {
    this.#pagesInUse += delta;
    this.#setHeaderU32(HEADER_PAGES_IN_USE_OFFSET, this.#pagesInUse);
  }

  #headerU32(offset: number): number {
    return (this.#header as DataView).getUint32(offset, true);
  }

  #setHeaderU32(offset: number, value: number): void {
    if (this.#isEpochOpen) this.#barrier(this.#segments[0], offset, 4);
    (this.#header as DataView).setUint32(offset, value, true);
  }

  // ---- segments -----------------------------------------------------------------------------

  /**
   * Pages for a new segment that can hold a run of `runPageCount` pages given `pageCount` pages
   * exist, or 0 if maxmemory forbids it. Ordinary size when the run fits one, shrunk to what
   * maxmemory still allows, or sized to fit a larger run.
   */
  #segmentPagesForRun(runPageCount: number, pageCount: number): number {
    const remainingPageCount = this.#pageCountLimit - pageCount;
    const metadataPageCount = (segmentPageCount: number): number =>
      descriptorPageCount(segmentPageCount, this.pageSizeBytes) + (pageCount === 0 ? this.#headerPageCount : 0);
    // Descriptors take DESCRIPTOR_SIZE_BYTES of every page: start just below the exact answer.
    const headerPageCount = pageCount === 0 ? this.#headerPageCount : 0;
    const estimate = Math.floor(((runPageCount + headerPageCount) * this.pageSizeBytes) / (this.pageSizeBytes - DESCRIPTOR_SIZE_BYTES));
    let segmentPageCount = Math.max(runPageCount, estimate - 2);
    while (segmentPageCount - metadataPageCount(segmentPageCount) < runPageCount) segmentPageCount++;
    const ordinary = Math.min(this.#ordinaryPageCount, remainingPageCount);
    if (ordinary > segmentPageCount) segmentPageCount = ordinary;
    return segmentPageCount <= remainingPageCount ? segmentPageCount : 0;
  }

  #grow(runPageCount: number): boolean {
    const segmentPageCount = this.#segmentPagesForRun(runPageCount, this.#pageCount);
    if (segmentPageCount === 0) return false;
    const segment = this.#addSegment(segmentPageCount);
    if (segment === null) return false;
    this.#formatSegment(segment);
    return true;
  }

  /**
   * Appends a segment of `segmentPageCount` pages, or returns null, changing nothing, when the
   * process cannot get the memory (the allocation then fails like maxmemory).
   */
  #addSegment(segmentPageCount: number): Segment | null {
    const firstPage = this.#pageCount;
    const headerPageCount = firstPage === 0 ? this.#headerPageCount : 0;
    const pageCount = firstPage + segmentPageCount;
    let segment: Segment;
    let pageSegment = this.#pageSegment;
    try {
      segment = new Segment({
        index: this.#segments.length,
        firstPage,
        pageCount: segmentPageCount,
        pageSizeBytes: this.pageSizeBytes,
        metadataPageCount: headerPageCount + descriptorPageCount(segmentPageCount, this.pageSizeBytes),
        descriptorBaseAddress: (firstPage + headerPageCount) * this.pageSizeBytes,
      });
      if (pageCount > pageSegment.length) {
        pageSegment = new Uint32Array(Math.max(pageCount, pageSegment.length * 2));
        pageSegment.set(this.#pageSegment);
      }
    } catch (error) {
      if (error instanceof RangeError) return null; // "Array buffer allocation failed"
      throw error;
    }
    this.#segments.push(segment);
    if (segment.index === 0) this.#header = segment.view;
    this.#pageSegment = pageSegment;
    this.#pageSegment.fill(segment.index, firstPage, pageCount);
    this.#pageCount = pageCount;
    this.#prepareReleaseRing();
    return segment;
  }

  /** Writes a new segment's metadata descriptors and its one free run; updates the header. */
  #formatSegment(segment: Segment): void {
    const firstDataPage = segment.firstPage + segment.metadataPageCount;
    this.#setPagesUsed(segment.firstPage, segment.metadataPageCount, true);
    for (let page = segment.firstPage; page < firstDataPage; page++) {
      this.#setDescriptorWord(page, 0, packDescriptorWord0(PAGE_KIND_METADATA, 0, 0));
    }
    this.#insertFreeRun(firstDataPage, segment.pageCount - segment.metadataPageCount);
    this.#addPagesInUse(segment.metadataPageCount);
    this.#setHeaderU32(HEADER_METADATA_PAGES_OFFSET, this.#headerU32(HEADER_METADATA_PAGES_OFFSET) + segment.metadataPageCount);
    this.#setHeaderU32(HEADER_SEGMENT_COUNT_OFFSET, this.#segments.length);
    this.#setHeaderU32(HEADER_HEAP_PAGE_COUNT_OFFSET, this.#pageCount);
  }

  #initialize(): void {
    const segmentPageCount = this.#segmentPagesForRun(1, 0) || this.#minimalSegmentPages(this.#headerPageCount);
    const segment = this.#addSegment(segmentPageCount);
    if (segment === null) throw new Error(`Cannot create heap: no memory for its first ${segmentPageCount} pages`);
    this.writeU32(HEADER_MAGIC_OFFSET, HEAP_MAGIC);
    this.writeU32(HEADER_VERSION_OFFSET, HEAP_LAYOUT_VERSION);
    this.writeU32(HEADER_PAGE_SIZE_OFFSET, this.pageSizeBytes);
    this.writeU32(HEADER_PAGE_COUNT_OFFSET, this.#headerPageCount);
    this.writeU32(HEADER_CLASS_COUNT_OFFSET, this.#classes.classCount);
    this.writeU32(HEADER_BIN_COUNT_OFFSET, FREE_RUN_BIN_COUNT);
    this.#formatSegment(segment);
  }

  /** Smallest segment with one data page after its descriptors and `headerPageCount` pages. */
  #minimalSegmentPages(headerPageCount: number): number {
    let segmentPageCount = headerPageCount + 1;
    while (segmentPageCount - headerPageCount - descriptorPageCount(segmentPageCount, this.pageSizeBytes) < 1) {
      segmentPageCount++;
    }
    return segmentPageCount;
  }

  #restore(source: RestoreSource): void {
    const { layout } = source;
    if (layout.length === 0) throw new Error('Cannot restore heap: the segment layout is empty');
    for (const segmentLayout of layout) {
      if (segmentLayout.firstPage !== this.#pageCount || segmentLayout.pageCount < 1) {
        throw new Error(`Cannot restore heap: segment at page ${segmentLayout.firstPage} does not follow page ${this.#pageCount}`);
      }
      if (this.#addSegment(segmentLayout.pageCount) === null) {
        throw new Error(`Cannot restore heap: no memory for the segment at page ${segmentLayout.firstPage}`);
      }
    }
    const segmentBytes = this.#pageCount * this.pageSizeBytes;
    const isLarge = segmentBytes >= (source.prefaultBytesMin ?? RESTORE_PREFAULT_BYTES_MIN_DEFAULT);
    // 2 MiB pages first (huge-pages.ts), so the faults below are 512 times fewer where granted.
    this.#restoreUsesHugePages = isLarge && source.isHugePagesAllowed && adviseHugePages(this.#segments.map((segment) => segment.buffer));
    const prefaulter =
      isLarge
        ? new Prefaulter(this.#segments.map((segment) => ({ buffer: segment.buffer, baseAddress: segment.baseAddress })))
        : null;
    const target = new SegmentRestoreTarget({
      segments: this.#segments,
      pageSegment: this.#pageSegment,
      pageSizeBytes: this.pageSizeBytes,
      pageCount: this.#pageCount,
      prefaulter,
    });
    try {
      source.fill(target);
    } finally {
      prefaulter?.stop();
      target.close();
    }
    this.#validateHeader();
    this.#bytesAllocated = this.readF64(HEADER_BYTES_ALLOCATED_OFFSET);
    this.#allocationCount = this.readF64(HEADER_ALLOCATION_COUNT_OFFSET);
    this.#pagesInUse = this.#headerU32(HEADER_PAGES_IN_USE_OFFSET);
    for (let page = 0; page < this.#pageCount; page++) {
      const segment = this.#segments[this.#pageSegment[page]];
      const isUsed = isUsedKind(descriptorKind(this.#descriptorWord(page, 0)));
      segment.state[(page - segment.firstPage) * PAGE_STATE_FIELD_COUNT + PAGE_STATE_USED] = isUsed ? 1 : 0;
    }
  }

  #validateHeader(): void {
    const magic = this.readU32(HEADER_MAGIC_OFFSET);
    if (magic !== HEAP_MAGIC) throw new Error('Cannot restore heap: page 0 is not a heap header (bad magic)');
    const version = this.readU32(HEADER_VERSION_OFFSET);
    if (version !== HEAP_LAYOUT_VERSION) {
      throw new Error(`Cannot restore heap: layout version ${version}, this build reads version ${HEAP_LAYOUT_VERSION}`);
    }
    const pageSizeBytes = this.readU32(HEADER_PAGE_SIZE_OFFSET);
    if (pageSizeBytes !== this.pageSizeBytes) {
      throw new Error(`Cannot restore heap: it has ${pageSizeBytes}-byte pages, expected ${this.pageSizeBytes}`);
    }
    const checks: Array<[string, number, number]> = [
      ['header pages', this.readU32(HEADER_PAGE_COUNT_OFFSET), this.#headerPageCount],
      ['size classes', this.readU32(HEADER_CLASS_COUNT_OFFSET), this.#classes.classCount],
      ['free-run bins', this.readU32(HEADER_BIN_COUNT_OFFSET), FREE_RUN_BIN_COUNT],
      ['segments', this.readU32(HEADER_SEGMENT_COUNT_OFFSET), this.#segments.length],
      ['pages', this.readU32(HEADER_HEAP_PAGE_COUNT_OFFSET), this.#pageCount],
    ];
    for (const [what, found, expected] of checks) {
      if (found !== expected) throw new Error(`Cannot restore heap: header says ${found} ${what}, expected ${expected}`);
    }
  }

  // ---- page math and barrier ---------------------------------------------------------------

  #pageOf(address: Address): number {
    if (!(address > 0 && address < this.#pageCount * this.pageSizeBytes)) assert.fail(`address ${address} is outside the heap`);
    return Math.floor(address / this.pageSizeBytes);
  }

  #segmentAt(address: Address): Segment {
    return this.#segments[this.#pageSegment[Math.floor(address / this.pageSizeBytes)]];
  }

  /** Offset of `page`'s descriptor inside its segment's buffer. */
  #descriptorOffset(segment: Segment, page: number): number {
    return segment.descriptorBaseOffset + (page - segment.firstPage) * DESCRIPTOR_SIZE_BYTES;
  }
  #descriptorWord(page: number, word: number): number {
    const segment = this.#segments[this.#pageSegment[page]];
    return segment.view.getUint32(this.#descriptorOffset(segment, page) + word * 4, true);
  }
  #setDescriptorWord(page: number, word: number, value: number): void {
    const segment = this.#segments[this.#pageSegment[page]];
    this.#setDescriptorWordAt(segment, this.#descriptorOffset(segment, page) + word * 4, value);
  }
  #setDescriptorWordAt(segment: Segment, offset: number, value: number): void {
    if (this.#isEpochOpen) this.#barrier(segment, offset, 4);
    segment.view.setUint32(offset, value, true);
  }

  /**
   * Claims every page of [offset, offset+length) in `segment` that the open epoch still needs.
   * Writes never cross a segment (allocations lie inside one), so one segment covers the range.
   */
  #barrier(segment: Segment, offset: number, length: number): void {
    const firstIndex = Math.floor(offset / this.pageSizeBytes);
    const lastIndex = Math.floor((offset + length - 1) / this.pageSizeBytes);
    for (let index = firstIndex; index <= lastIndex; index++) {
      if (segment.writerEpochs[index] !== this.#epoch) this.#claimPage(segment.firstPage + index, segment);
    }
  }

  /** First write to `page` in this epoch: run the claim protocol if the snapshot needs it. */
  #claimPage(page: number, segment: Segment): void {
    const index = page - segment.firstPage;
    if (page < this.#pageCountAtStart) this.#claimSnapshotPage(segment, index);
    segment.writerEpochs[index] = this.#epoch;
  }

  #claimSnapshotPage(segment: Segment, index: number): void {
    const base = index * PAGE_STATE_FIELD_COUNT;
    if (Atomics.load(segment.state, base + PAGE_STATE_READY) === this.#epoch) return; // the reader took it
    if (!claimForWriter(segment.state, base, this.#epoch)) return;
    const isUsed = Atomics.load(segment.state, base + PAGE_STATE_USED) !== 0;
    const shadow = isUsed ? this.#savePage(segment, index) : SHADOW_UNUSED;
    Atomics.store(segment.state, base + PAGE_STATE_SHADOW, shadow);
    publishReady(segment.state, base, this.#epoch);
  }

  /**
   * Copies a page into a shadow slot. If the pool cannot grow (no memory), the snapshot fails,
   * not the write: the page is marked SHADOW_FAILED, and the reader reports the failure.
   */
  #savePage(segment: Segment, index: number): number {
    this.reclaimShadowPages();
    try {
      const slot = this.#shadowPool.save(segment.bytes, index * this.pageSizeBytes);
      this.#pagesCopied++;
      return slot;
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      this.#isEpochFailed = true;
      return SHADOW_FAILED;
    }
  }

  #integrityView(): IntegrityView {
    return {
      pageSizeBytes: this.pageSizeBytes,
      pageCount: this.#pageCount,
      classes: this.#classes,
      binHeadsOffset: this.#binHeadsOffset,
      segments: this.#segments,
      readU32: (address) => this.readU32(address),
      readF64: (address) => this.readF64(address),
      descriptorWord: (page, word) => this.#descriptorWord(page, word),
      segmentOf: (page) => this.#segments[this.#pageSegment[page]],
    };
  }
}
