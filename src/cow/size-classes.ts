/**
 * Size classes for small allocations (slab pages).
 * Small objects share a page cut into equal slots; the class decides the slot size. The classes
 * are chosen so the bytes lost to rounding stay small where the store lives: keys plus values of
 * ~100 bytes give entries of 120-170 bytes, and a 140-byte entry lands in the 144-byte class
 * (4 bytes lost).
 *
 * Choice:
 * - 8-byte steps up to 128 B, then 8 classes per doubling (16-byte steps to 256, 32-byte steps to
 *   512, ...), so rounding never costs more than 12.5% (6.25% on average), like jemalloc's
 *   four-per-doubling spacing but finer because our pages are large.
 * - Classes go up to half a page. A class above pageSize/16 is then widened to the largest
 *   8-byte multiple with the same number of slots per page: same slab density, fewer bytes lost
 *   to rounding for free, and the page tail left over after the last slot shrinks.
 * - Anything larger than the biggest class is a run of whole pages.
 * Invariants: classes are strictly increasing multiples of 8, at least 8, at most pageSize / 2,
 * at most SIZE_CLASS_COUNT_MAX of them (the class index is 7 bits in a page descriptor).
 * Not here: slab bookkeeping (paged-heap.ts).
 */
import assert from 'node:assert/strict';

/** Allocation granularity and alignment. */
export const ALLOCATION_ALIGNMENT_BYTES = 8;
/** Sizes up to this use 8-byte class steps. */
const FINE_CLASS_LIMIT_BYTES = 128;
/** Classes per doubling above FINE_CLASS_LIMIT_BYTES. */
const CLASSES_PER_DOUBLING = 8;
/** Largest number of classes a descriptor can name. */
export const SIZE_CLASS_COUNT_MAX = 127;

export class SizeClassTable {
  /** Slot size of each class, ascending. */
  readonly slotSizesBytes: readonly number[];
  /** Slots in one slab page, per class. */
  readonly slotCounts: readonly number[];
  /** Largest size served by a slab; bigger sizes are page runs. */
  readonly smallSizeMaxBytes: number;
  /** classByUnits[ceil(size / 8)] = class index. */
  readonly #classByUnits: Uint8Array;

  constructor(pageSizeBytes: number) {
    const slotSizesBytes = buildSlotSizes(pageSizeBytes);
    assert.ok(slotSizesBytes.length <= SIZE_CLASS_COUNT_MAX);
    this.slotSizesBytes = slotSizesBytes;
    this.slotCounts = slotSizesBytes.map((slotSizeBytes) => Math.floor(pageSizeBytes / slotSizeBytes));
    this.smallSizeMaxBytes = slotSizesBytes[slotSizesBytes.length - 1];
    const unitCount = this.smallSizeMaxBytes / ALLOCATION_ALIGNMENT_BYTES;
    this.#classByUnits = new Uint8Array(unitCount + 1);
    let classIndex = 0;
    for (let units = 0; units <= unitCount; units++) {
      while (slotSizesBytes[classIndex] < units * ALLOCATION_ALIGNMENT_BYTES) classIndex++;
      this.#classByUnits[units] = classIndex;
    }
  }

  get classCount(): number {
    return this.slotSizesBytes.length;
  }

  /** Class index for a small size (0 .. smallSizeMaxBytes). */
  classOf(sizeBytes: number): number {
    return this.#classByUnits[Math.ceil(sizeBytes / ALLOCATION_ALIGNMENT_BYTES)];
  }
}

function buildSlotSizes(pageSizeBytes: number): number[] {
  const sizeMaxBytes = pageSizeBytes / 2;
  const candidates: number[] = [];
  for (let size = ALLOCATION_ALIGNMENT_BYTES; size <= Math.min(FINE_CLASS_LIMIT_BYTES, sizeMaxBytes); size += 8) {
    candidates.push(size);
  }
  for (let base = FINE_CLASS_LIMIT_BYTES; base < sizeMaxBytes; base *= 2) {
    const stepBytes = base / CLASSES_PER_DOUBLING;
    for (let step = 1; step <= CLASSES_PER_DOUBLING; step++) {
      const size = base + step * stepBytes;
      if (size <= sizeMaxBytes) candidates.push(size);
    }
  }
  const sizes: number[] = [];
  for (const candidate of candidates) {
    const size = candidate > pageSizeBytes / 16 ? widenToSlotCount(candidate, pageSizeBytes) : candidate;
    if (sizes.length === 0 || size > sizes[sizes.length - 1]) sizes.push(size);
  }
  return sizes;
}

/** Largest 8-byte multiple that still fits as many slots per page as `sizeBytes` does. */
function widenToSlotCount(sizeBytes: number, pageSizeBytes: number): number {
  const slotCount = Math.floor(pageSizeBytes / sizeBytes);
  const widened = Math.floor(pageSizeBytes / slotCount / ALLOCATION_ALIGNMENT_BYTES) * ALLOCATION_ALIGNMENT_BYTES;
  return Math.max(widened, sizeBytes);
}
