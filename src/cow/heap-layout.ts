/**
 * Byte layout of the heap's own metadata: the heap header and the page descriptors.
 * The allocator keeps all of its state in heap pages, so a snapshot of the pages is also a
 * snapshot of the allocator, and restoreHeap() needs nothing but the pages.
 *
 * Segment layout (every segment is one SharedArrayBuffer):
 *
 *   segment 0:  [ header page(s) ][ descriptor page(s) ][ data pages ........ ]
 *   segment k:  [ descriptor page(s) ][ data pages ................................ ]
 *
 * Header (page 0, spilling into the following pages when pages are tiny):
 *   0 magic u32 | 4 layout version u32 | 8 page size u32 | 12 header page count u32
 *   16 size class count u32 | 20 free-run bin count u32 | 24 pages in use u32
 *   28 metadata page count u32 | 32 bytes allocated f64 | 40 allocation count f64
 *   48 segment count u32 | 52 page count u32 | 56 reserved (8)
 *   64 root slots: ROOT_SLOT_COUNT x u32 address word (address / 8)
 *   then partial-slab list heads: classCount x u32 page number (0 = empty)
 *   then free-run list heads: FREE_RUN_BIN_COUNT x u32 page number (0 = empty)
 *
 * Page descriptor (16 bytes per page, in its own segment's descriptor pages):
 *   word0: kind (bits 0-3) | size class (bits 4-10) | slab free slot count (bits 11-31)
 *   word1: slab: first free slot offset (SLOT_NONE = none); run head / free-run head: length in
 *          pages; free-run tail: head page number
 *   word2, word3: next / prev page number in the page's list (partial slabs, free-run bin)
 * A slab's free slots form a chain inside the page: each holds the offset of the next, SLOT_NONE
 * at the end, or SLOT_UNTOUCHED_REST when it and all later slots have never been handed out.
 * Kind 0 is a free page inside a free run, so a zero-filled descriptor page describes free pages.
 * Page 0 is never in a list, so 0 is the "none" link.
 * Not here: the algorithms (paged-heap.ts).
 */
import { ROOT_SLOT_COUNT } from './heap.js';

export const HEAP_MAGIC = 0x48564b43; // 'CKVH' little-endian
export const HEAP_LAYOUT_VERSION = 1;

export const HEADER_MAGIC_OFFSET = 0;
export const HEADER_VERSION_OFFSET = 4;
export const HEADER_PAGE_SIZE_OFFSET = 8;
export const HEADER_PAGE_COUNT_OFFSET = 12;
export const HEADER_CLASS_COUNT_OFFSET = 16;
export const HEADER_BIN_COUNT_OFFSET = 20;
export const HEADER_PAGES_IN_USE_OFFSET = 24;
export const HEADER_METADATA_PAGES_OFFSET = 28;
export const HEADER_BYTES_ALLOCATED_OFFSET = 32;
export const HEADER_ALLOCATION_COUNT_OFFSET = 40;
export const HEADER_SEGMENT_COUNT_OFFSET = 48;
export const HEADER_HEAP_PAGE_COUNT_OFFSET = 52;
export const HEADER_ROOTS_OFFSET = 64;
export const HEADER_CLASS_HEADS_OFFSET = HEADER_ROOTS_OFFSET + ROOT_SLOT_COUNT * 4;

/** Free runs are kept in bins by length: exact bins for short runs, one bin per doubling after. */
export const FREE_RUN_EXACT_BIN_COUNT = 16;
export const FREE_RUN_BIN_COUNT = 48;

export const DESCRIPTOR_SIZE_BYTES = 16;

export const PAGE_KIND_FREE_BODY = 0;
export const PAGE_KIND_FREE_HEAD = 1;
export const PAGE_KIND_SLAB = 2;
export const PAGE_KIND_RUN_HEAD = 3;
export const PAGE_KIND_RUN_BODY = 4;
export const PAGE_KIND_METADATA = 5;

/** "No free slot" in a slab descriptor and "end of list" inside a slab's free slots. */
export const SLOT_NONE = 0xffffffff;
/**
 * Stored in a free slot: "this slot and every slot after it in the page were never used".
 * A new slab writes only its first slot; each allocation from the untouched tail moves the
 * marker one slot on. So making a slab is O(1) and touches one cache line, not the whole page.
 */
export const SLOT_UNTOUCHED_REST = 0xfffffffe;

const KIND_MASK = 0xf;
const CLASS_SHIFT = 4;
const CLASS_MASK = 0x7f;
const FREE_COUNT_SHIFT = 11;

export function packDescriptorWord0(kind: number, sizeClass: number, freeSlotCount: number): number {
  return (kind | (sizeClass << CLASS_SHIFT) | (freeSlotCount << FREE_COUNT_SHIFT)) >>> 0;
}
export function descriptorKind(word0: number): number {
  return word0 & KIND_MASK;
}
export function descriptorClass(word0: number): number {
  return (word0 >>> CLASS_SHIFT) & CLASS_MASK;
}
export function descriptorFreeCount(word0: number): number {
  return word0 >>> FREE_COUNT_SHIFT;
}

export function isUsedKind(kind: number): boolean {
  return kind !== PAGE_KIND_FREE_BODY && kind !== PAGE_KIND_FREE_HEAD;
}

/** Bytes of header for a page size's class count. */
export function headerSizeBytes(classCount: number): number {
  return HEADER_CLASS_HEADS_OFFSET + classCount * 4 + FREE_RUN_BIN_COUNT * 4;
}

export function binHeadsOffset(classCount: number): number {
  return HEADER_CLASS_HEADS_OFFSET + classCount * 4;
}

/** Free-run bin for a run of `pageCount` pages. */
export function freeRunBinOf(pageCount: number): number {
  if (pageCount <= FREE_RUN_EXACT_BIN_COUNT) return pageCount - 1;
  const bin = FREE_RUN_EXACT_BIN_COUNT + Math.floor(Math.log2(pageCount)) - 4;
  return Math.min(bin, FREE_RUN_BIN_COUNT - 1);
}

/** Descriptor pages needed by a segment of `pageCount` pages. */
export function descriptorPageCount(pageCount: number, pageSizeBytes: number): number {
  return Math.ceil((pageCount * DESCRIPTOR_SIZE_BYTES) / pageSizeBytes);
}
