/**
 * The public API of the paged heap, implemented by paged-heap.ts (createHeap, restoreHeap) and
 * snapshot-epoch.ts (EpochReader). Other layers are written against these signatures.
 *
 * The paged heap: all of the store's bytes (keys, values, hash tables, allocator metadata) live
 * in fixed-size pages inside SharedArrayBuffer segments. Addresses are plain numbers.
 *
 * Address model
 * - A heap address is a byte address: `pageNumber * pageSizeBytes + offsetInPage`. Page numbers
 *   are global across segments. Address 0 is NULL_ADDRESS (page 0 is the heap header, never
 *   handed out).
 * - Every allocation is 8-byte aligned, contiguous, and lies inside one segment, so an object of
 *   any size (up to 512 MiB + header) is one run of bytes.
 * - Addresses are stored *inside* the heap as u32 "words" (address / 8) by writeAddress /
 *   readAddress: the heap is limited to 32 GiB of address space.
 *
 * Write barrier
 * - Every mutation of heap bytes goes through the write methods of Heap (writeU8 ... free).
 *   While a snapshot epoch is open, the first write to a page that was live at the epoch's start
 *   copies it to a shadow page first (see snapshot-epoch.ts). Reads are direct.
 * - No writable view of heap memory leaves src/cow, with one bounded exception: while
 *   restoreHeapFrom() builds a heap that nobody else can see yet, its fill function may borrow
 *   page views (HeapRestoreTarget.pageView) to read file bytes straight into them.
 */

/** A byte address in the heap; 0 is null. */
export type Address = number;

/** The null address: never a valid allocation. Also what allocate() returns when memory is out. */
export const NULL_ADDRESS: Address = 0;

/** Smallest and largest page size the heap accepts (the CLI narrows this to 1 KiB .. 1 MiB). */
export const PAGE_SIZE_BYTES_MIN = 64;
export const PAGE_SIZE_BYTES_MAX = 1024 * 1024;

/** Number of root slots in the heap header: addresses the layers above keep their roots in. */
export const ROOT_SLOT_COUNT = 16;

export interface HeapOptions {
  /** Power of two, PAGE_SIZE_BYTES_MIN .. PAGE_SIZE_BYTES_MAX. */
  readonly pageSizeBytes: number;
  /** Upper bound on heap bytes (segments, including metadata pages); 0 means no limit (32 GiB). */
  readonly maxMemoryBytes: number;
  /** Pages in an ordinary segment; default max(1, 64 MiB / pageSizeBytes). Tests use tiny ones. */
  readonly segmentPageCount?: number;
  /** Shadow pages preallocated for snapshots; the pool grows in chunks of this size on demand. */
  readonly shadowPoolPageCount?: number;
  /**
   * A restore whose segments hold at least this many bytes starts a helper thread that faults
   * their memory in just ahead of the loader (prefault.ts); default 32 MiB. Smaller restores
   * (tests' tiny heaps) are not worth a thread.
   */
  readonly restorePrefaultBytesMin?: number;
  /**
   * Such a restore also asks the kernel for transparent huge pages for the restored segments
   * (huge-pages.ts, the optional native helper), so they fault in 2 MiB at a time. Default true.
   */
  readonly restoreHugePages?: boolean;
}

export interface HeapStats {
  readonly pageSizeBytes: number;
  /** Pages in all segments (including metadata pages). */
  readonly pageCount: number;
  /** Pages holding something: metadata, slab pages, runs. */
  readonly pagesInUse: number;
  readonly segmentCount: number;
  /** Bytes of all segments: what the heap costs in memory (not counting the shadow pool). */
  readonly heapBytes: number;
  /** Sum of usable sizes of live allocations. */
  readonly bytesAllocated: number;
  /** heapBytes - metadata bytes - bytesAllocated: free slab slots + free pages. */
  readonly bytesFree: number;
  /** Bytes of metadata (header, page descriptors). */
  readonly metadataBytes: number;
  /** (bytes in pages in use) / bytesAllocated, like Redis's mem_fragmentation_ratio spirit. */
  readonly fragmentationRatio: number;
  readonly allocationCount: number;
  /** Shadow pool: pages preallocated, pages holding a copy now, the peak during the last epoch. */
  readonly shadowPoolPageCount: number;
  readonly shadowPagesInUse: number;
  readonly shadowPagesPeak: number;
  /** Pages copied by the barrier during the current (or last) epoch. */
  readonly pagesCopied: number;
  /** Whether a restore advised this heap's segments to use 2 MiB pages (huge-pages.ts). */
  readonly restoredWithHugePages: boolean;
}

/** The paged heap. Implemented by src/cow/paged-heap.ts. */
export interface Heap {
  readonly pageSizeBytes: number;

  // ---- allocation -------------------------------------------------------------------------
  /** Allocates `sizeBytes` (0 allowed → smallest class); NULL_ADDRESS when maxmemory is reached. */
  allocate(sizeBytes: number): Address;
  /** Frees an allocation made by allocate(). Goes through the barrier. */
  free(address: Address): void;
  /** Bytes actually usable at `address` (size class or run size), >= the size asked for. */
  usableSize(address: Address): number;
  /** True if allocate(sizeBytes) would succeed without exceeding maxmemory (no side effects). */
  canAllocate(sizeBytes: number): boolean;

  // ---- reads (direct, no barrier) ----------------------------------------------------------
  readU8(address: Address): number;
  readU16(address: Address): number;
  readU32(address: Address): number;
  readI32(address: Address): number;
  readF64(address: Address): number;
  /** Reads an address stored with writeAddress. */
  readAddress(address: Address): Address;
  /** Copies `length` heap bytes at `address` into target[targetOffset..]. */
  copyOut(address: Address, target: Uint8Array, targetOffset: number, length: number): void;
  /** A fresh Buffer holding a copy of `length` bytes at `address`. */
  readBytes(address: Address, length: number): Buffer;
  /** True if the heap bytes at `address` equal source[sourceStart .. sourceStart+length). */
  equalsBytes(address: Address, source: Uint8Array, sourceStart: number, length: number): boolean;
  /** memcmp-style order of heap bytes vs source bytes: negative, 0 or positive. */
  compareBytes(address: Address, length: number, source: Uint8Array, sourceStart: number, sourceLength: number): number;

  // ---- writes (through the barrier) --------------------------------------------------------
  writeU8(address: Address, value: number): void;
  writeU16(address: Address, value: number): void;
  writeU32(address: Address, value: number): void;
  writeI32(address: Address, value: number): void;
  writeF64(address: Address, value: number): void;
  /** Stores an 8-byte-aligned address (or NULL_ADDRESS) in 4 bytes. */
  writeAddress(address: Address, value: Address): void;
  /** Copies source[sourceStart .. sourceStart+length) into the heap at `address`. */
  copyIn(address: Address, source: Uint8Array, sourceStart: number, length: number): void;
  /** memmove inside the heap (overlap allowed). */
  move(targetAddress: Address, sourceAddress: Address, length: number): void;
  fill(address: Address, byte: number, length: number): void;

  // ---- roots --------------------------------------------------------------------------------
  /** Root slots in the heap header (0 .. ROOT_SLOT_COUNT-1), so the heap describes itself. */
  getRoot(slot: number): Address;
  setRoot(slot: number, value: Address): void;

  // ---- snapshots ----------------------------------------------------------------------------
  /** True while a snapshot epoch is open: callers defer work that would move many pages. */
  readonly isEpochOpen: boolean;
  /**
   * Opens a snapshot epoch in O(1) (plus O(segments)): from now on the first write to any page
   * that was live at this instant copies it to a shadow page first, unless the snapshot reader
   * already took it. Throws (assert) if one is already open: one snapshot at a time.
   */
  openEpoch(): EpochShare;
  /** Ends the epoch (snapshot finished or aborted): every shadow page returns to the pool. */
  closeEpoch(): void;
  /**
   * What openEpoch() would return if called now, without opening anything: the same buffers
   * (segments, shadow chunks, the release ring prepared for it) and the next epoch number.
   * Null while an epoch is open or when openEpoch() would have to make a new ring. A snapshot
   * driver hands it to its thread ahead of time (snapshot/armed-job.ts).
   */
  nextEpochShare(): EpochShare | null;
  /**
   * Main-thread side of the release ring: returns shadow slots the reader has released to the
   * free pool. Called by the heap itself when it needs a slot; exposed for tests and stats.
   */
  reclaimShadowPages(): number;
  /**
   * Copies the live bytes of page `pageNumber` into target (pageSizeBytes long) and returns
   * true, or returns false without copying if the page holds nothing (free). Used by the
   * stop-the-world snapshot, which runs while nothing else writes.
   */
  readPageImage(pageNumber: number, target: Uint8Array): boolean;
  /** Total pages in all segments (page numbers run 0 .. pageCount-1). */
  readonly pageCount: number;
  /** The segment layout, for a snapshot header (also inside EpochShare). */
  layout(): readonly SegmentLayout[];

  stats(): HeapStats;

  /**
   * stats().pagesInUse alone, without building the stats (a snapshot point reads it inside
   * BGSAVE's start pause).
   */
  readonly pagesInUse: number;
}

/**
 * A heap under construction, receiving its saved pages (restoreHeapFrom's fill function gets
 * one). Every method throws an Error for a page number outside the layout, and after the fill
 * function has returned. Pages never written stay zero (they were free).
 */
export interface HeapRestoreTarget {
  readonly pageSizeBytes: number;
  /** Pages in the layout: page numbers 0 .. pageCount-1. */
  readonly pageCount: number;
  /** Copies one page image (pageSizeBytes long) in. */
  writePage(pageNumber: number, bytes: Uint8Array): void;
  /** The page's memory, writable, lent until fill returns: do not keep it. */
  pageView(pageNumber: number): Uint8Array;
  /** Copies page sourcePage over page targetPage (for a loader that guessed a page's place). */
  movePage(sourcePage: number, targetPage: number): void;
  /** Sets a page back to zero (a free page). */
  zeroPage(pageNumber: number): void;
}

/** Where one segment's pages sit in the global page numbering. */
export interface SegmentLayout {
  readonly firstPage: number;
  readonly pageCount: number;
}

/**
 * Everything a snapshot reader needs, as structured-clonable data (SharedArrayBuffers and
 * numbers), so it can be posted to a worker thread. Built by Heap.openEpoch().
 * The reader (snapshot-epoch.ts: EpochReader) runs the claim protocol: for each page number
 * below `pageCountAtStart` it either takes the live page (winning the claim before the main
 * thread writes it) or the shadow copy the main thread made, or learns the page was unused at
 * the snapshot point and need not be written.
 */
export interface EpochShare {
  readonly epoch: number;
  readonly pageSizeBytes: number;
  readonly pageCountAtStart: number;
  readonly segments: readonly SegmentShare[];
  /** Shadow pool chunks that exist at open time; more may be announced later (see EpochReader). */
  readonly shadowChunks: readonly SharedArrayBuffer[];
  readonly shadowChunkPageCount: number;
  /** SPSC ring (Int32Array over this SAB) through which the reader returns shadow slots. */
  readonly releaseRing: SharedArrayBuffer;
}

export interface SegmentShare extends SegmentLayout {
  /** The segment's page bytes. */
  readonly pages: SharedArrayBuffer;
  /** Per-page Int32 state (claim epoch, shadow slot, used flag); layout private to src/cow. */
  readonly pageState: SharedArrayBuffer;
}

// The implementation provides (in src/cow, names fixed):
//   createHeap(options: HeapOptions): Heap                         — src/cow/paged-heap.ts
//   restoreHeap(options: HeapOptions, layout: readonly SegmentLayout[],
//               pages: Iterable<{ pageNumber: number; bytes: Uint8Array }>): Heap
//                                                                   — src/cow/paged-heap.ts
//     (pages not given are zero/unused; the allocator state is read back from the header and
//      descriptor pages, so a heap restored from a snapshot's pages is the heap that was saved)
//   restoreHeapFrom(options: HeapOptions, layout: readonly SegmentLayout[],
//                   fill: (target: HeapRestoreTarget) => void): Heap   — src/cow/paged-heap.ts
//     (the same, but fill puts the pages in: a loader reads file bytes straight into pages)
//   class EpochReader (src/cow/snapshot-epoch.ts), constructible in any thread from an EpochShare:
//     readPage(pageNumber: number, target: Uint8Array): 'copied' | 'unused'
//       copies the page as it was at the epoch's start into target (pageSizeBytes long);
//       'unused' = the page held nothing at the snapshot point (skip it in the file)
//     addShadowChunk(chunk: SharedArrayBuffer): void   (pool grew after the epoch opened)
//     pageCountAtStart, pageSizeBytes
//     constructor option { shadowChunkPort }: a MessagePort on which the main thread posts new
//       chunks; the reader pulls them synchronously (receiveMessageOnPort) when it meets a slot in
//       a chunk it has not seen, so a busy worker loop never misses one
//     isEpochClosed: true once the main thread closed (or aborted) the epoch
//   PagedHeap (the class createHeap returns) adds, beyond Heap:
//     onShadowChunkAdded(listener: (chunk, chunkIndex) => void): () => void   (returns remover)
//     shadowChunks(): readonly SharedArrayBuffer[]
//     verifyIntegrity(): HeapIntegrityReport   (O(heap) recount of every byte; tests/debugging)
//     sizeClassesBytes(): readonly number[]
