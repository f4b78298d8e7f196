/**
 * An independent recount of the paged heap: walks every page descriptor, free-run bin, partial
 * slab list and slab free chain, checks that they agree with each other, with the USED flags and
 * with the header counters, and counts every byte of the heap into exactly one bucket.
 * Why separate: the allocator (paged-heap.ts) stays readable, and tests get one call that proves
 * "the allocator accounts for every byte" after any sequence of operations.
 * Invariants checked: see the assertion messages; any mismatch throws an AssertionError naming
 * the first inconsistent page. O(heap): for tests and debugging, never on a hot path.
 */
import assert from 'node:assert/strict';
import {
  FREE_RUN_BIN_COUNT,
  HEADER_ALLOCATION_COUNT_OFFSET,
  HEADER_BYTES_ALLOCATED_OFFSET,
  HEADER_CLASS_HEADS_OFFSET,
  HEADER_METADATA_PAGES_OFFSET,
  HEADER_PAGES_IN_USE_OFFSET,
  PAGE_KIND_FREE_BODY,
  PAGE_KIND_FREE_HEAD,
  PAGE_KIND_METADATA,
  PAGE_KIND_RUN_BODY,
  PAGE_KIND_RUN_HEAD,
  PAGE_KIND_SLAB,
  SLOT_NONE,
  SLOT_UNTOUCHED_REST,
  descriptorClass,
  descriptorFreeCount,
  descriptorKind,
  freeRunBinOf,
  isUsedKind,
} from './heap-layout.js';
import type { Segment } from './segment.js';
import type { SizeClassTable } from './size-classes.js';
import { PAGE_STATE_FIELD_COUNT, PAGE_STATE_USED } from './snapshot-epoch.js';

/** What verifyIntegrity() found: an independent recount of every byte of the heap. */
export interface HeapIntegrityReport {
  readonly allocatedBytes: number;
  readonly allocationCount: number;
  readonly freePageCount: number;
  readonly freeSlotBytes: number;
  /** Bytes at the end of slab pages that no slot covers. */
  readonly slabSlackBytes: number;
  readonly metadataBytes: number;
  readonly usedPageCount: number;
}

/** What the checker needs to see of a heap (read-only). */
export interface IntegrityView {
  readonly pageSizeBytes: number;
  readonly pageCount: number;
  readonly classes: SizeClassTable;
  readonly binHeadsOffset: number;
  readonly segments: readonly Segment[];
  readU32(address: number): number;
  readF64(address: number): number;
  descriptorWord(page: number, word: number): number;
  segmentOf(page: number): Segment;
}

/** The recount behind PagedHeap.verifyIntegrity(). */
export function verifyHeap(heap: IntegrityView): HeapIntegrityReport {
  const recount = new Recount(heap);
  for (const segment of heap.segments) recount.walkSegment(segment);
  recount.checkLists();
  recount.checkHeader();
  return recount.report();
}

/** Running totals of one recount; one method per page kind. */
class Recount {
  readonly #heap: IntegrityView;
  #allocatedBytes = 0;
  #allocationCount = 0;
  #freePageCount = 0;
  #freeSlotBytes = 0;
  #slabSlackBytes = 0;
  #metadataPageCount = 0;
  #usedPageCount = 0;
  readonly #partialSlabs = new Set<number>();
  readonly #freeRunHeads = new Map<number, number>();

  constructor(heap: IntegrityView) {
    this.#heap = heap;
  }

  /** Steps from run to run through one segment; returns nothing, asserts on the first fault. */
  walkSegment(segment: Segment): void {
    const segmentEnd = segment.firstPage + segment.pageCount;
    let page = segment.firstPage;
    while (page < segmentEnd) {
      const word0 = this.#heap.descriptorWord(page, 0);
      const kind = descriptorKind(word0);
      assert.equal(isUsedFlag(this.#heap, page), isUsedKind(kind), `page ${page}: USED flag disagrees with kind ${kind}`);
      switch (kind) {
        case PAGE_KIND_METADATA:
          assert.ok(page < segment.firstPage + segment.metadataPageCount, `page ${page}: stray metadata page`);
          this.#metadataPageCount++;
          this.#usedPageCount++;
          page++;
          break;
        case PAGE_KIND_SLAB:
          this.#countSlab(page, word0);
          page++;
          break;
        case PAGE_KIND_RUN_HEAD:
          page += this.#countRun(page, segmentEnd);
          break;
        case PAGE_KIND_FREE_HEAD:
          page += this.#countFreeRun(page, segmentEnd);
          break;
        default:
          assert.fail(`page ${page}: unexpected kind ${kind} at the start of a run`);
      }
    }
  }

  #countSlab(page: number, word0: number): void {
    const classIndex = descriptorClass(word0);
    const slotSizeBytes = this.#heap.classes.slotSizesBytes[classIndex];
    const slotCount = this.#heap.classes.slotCounts[classIndex];
    const freeSlotCount = descriptorFreeCount(word0);
    assert.ok(freeSlotCount < slotCount, `page ${page}: empty slab not released`);
    assert.equal(countSlabChain(this.#heap, page, slotSizeBytes, slotCount), freeSlotCount, `page ${page}: free chain length`);
    if (freeSlotCount > 0) this.#partialSlabs.add(page);
    this.#allocatedBytes += (slotCount - freeSlotCount) * slotSizeBytes;
    this.#allocationCount += slotCount - freeSlotCount;
    this.#freeSlotBytes += freeSlotCount * slotSizeBytes;
    this.#slabSlackBytes += this.#heap.pageSizeBytes - slotCount * slotSizeBytes;
    this.#usedPageCount++;
  }

  /** Returns the run's length in pages. */
  #countRun(page: number, segmentEnd: number): number {
    const runPageCount = this.#heap.descriptorWord(page, 1);
    assert.ok(runPageCount >= 1 && page + runPageCount <= segmentEnd, `page ${page}: run leaves its segment`);
    for (let body = page + 1; body < page + runPageCount; body++) {
      assert.equal(descriptorKind(this.#heap.descriptorWord(body, 0)), PAGE_KIND_RUN_BODY, `page ${body}: run body`);
      assert.ok(isUsedFlag(this.#heap, body), `page ${body}: run body not marked used`);
    }
    this.#allocatedBytes += runPageCount * this.#heap.pageSizeBytes;
    this.#allocationCount++;
    this.#usedPageCount += runPageCount;
    return runPageCount;
  }

  /** Returns the free run's length in pages. */
  #countFreeRun(page: number, segmentEnd: number): number {
    const runPageCount = this.#heap.descriptorWord(page, 1);
    assert.ok(runPageCount >= 1 && page + runPageCount <= segmentEnd, `page ${page}: free run leaves its segment`);
    for (let body = page + 1; body < page + runPageCount; body++) {
      assert.equal(descriptorKind(this.#heap.descriptorWord(body, 0)), PAGE_KIND_FREE_BODY, `page ${body}: free body`);
      assert.ok(!isUsedFlag(this.#heap, body), `page ${body}: free page marked used`);
    }
    if (runPageCount > 1) {
      assert.equal(this.#heap.descriptorWord(page + runPageCount - 1, 1), page, `page ${page}: tail link`);
    }
    const next = page + runPageCount;
    if (next < segmentEnd) {
      assert.notEqual(descriptorKind(this.#heap.descriptorWord(next, 0)), PAGE_KIND_FREE_HEAD, `page ${page}: uncoalesced runs`);
    }
    this.#freeRunHeads.set(page, runPageCount);
    this.#freePageCount += runPageCount;
    return runPageCount;
  }

  /** Every partial slab is on its class list and every free run in its bin, nothing else. */
  checkLists(): void {
    const heap = this.#heap;
    for (let classIndex = 0; classIndex < heap.classes.classCount; classIndex++) {
      for (const page of walkList(heap, heap.readU32(HEADER_CLASS_HEADS_OFFSET + classIndex * 4))) {
        assert.ok(this.#partialSlabs.delete(page), `page ${page}: listed as a partial slab of class ${classIndex} wrongly`);
        assert.equal(descriptorClass(heap.descriptorWord(page, 0)), classIndex, `page ${page}: slab in the wrong class list`);
      }
    }
    assert.equal(this.#partialSlabs.size, 0, `partial slabs missing from their lists: ${[...this.#partialSlabs].join(',')}`);
    for (let bin = 0; bin < FREE_RUN_BIN_COUNT; bin++) {
      for (const page of walkList(heap, heap.readU32(heap.binHeadsOffset + bin * 4))) {
        const runPageCount = this.#freeRunHeads.get(page);
        assert.ok(runPageCount !== undefined, `page ${page}: in free bin ${bin} but not a free run`);
        assert.equal(freeRunBinOf(runPageCount), bin, `page ${page}: free run in the wrong bin`);
        this.#freeRunHeads.delete(page);
      }
    }
    assert.equal(this.#freeRunHeads.size, 0, `free runs missing from bins: ${[...this.#freeRunHeads.keys()].join(',')}`);
  }

  checkHeader(): void {
    const heap = this.#heap;
    assert.equal(heap.readU32(HEADER_PAGES_IN_USE_OFFSET), this.#usedPageCount, 'header pages in use');
    assert.equal(heap.readU32(HEADER_METADATA_PAGES_OFFSET), this.#metadataPageCount, 'header metadata pages');
    assert.equal(heap.readF64(HEADER_BYTES_ALLOCATED_OFFSET), this.#allocatedBytes, 'header bytes allocated');
    assert.equal(heap.readF64(HEADER_ALLOCATION_COUNT_OFFSET), this.#allocationCount, 'header allocation count');
  }

  report(): HeapIntegrityReport {
    return {
      allocatedBytes: this.#allocatedBytes,
      allocationCount: this.#allocationCount,
      freePageCount: this.#freePageCount,
      freeSlotBytes: this.#freeSlotBytes,
      slabSlackBytes: this.#slabSlackBytes,
      metadataBytes: this.#metadataPageCount * this.#heap.pageSizeBytes,
      usedPageCount: this.#usedPageCount,
    };
  }
}

function isUsedFlag(heap: IntegrityView, page: number): boolean {
  const segment = heap.segmentOf(page);
  return segment.state[(page - segment.firstPage) * PAGE_STATE_FIELD_COUNT + PAGE_STATE_USED] === 1;
}

function countSlabChain(heap: IntegrityView, page: number, slotSizeBytes: number, slotCount: number): number {
  const seen = new Set<number>();
  let untouchedCount = 0;
  for (let offset = heap.descriptorWord(page, 1); offset !== SLOT_NONE; ) {
    assert.ok(offset % slotSizeBytes === 0 && offset / slotSizeBytes < slotCount, `page ${page}: bad free slot ${offset}`);
    assert.ok(!seen.has(offset), `page ${page}: free chain loops at ${offset}`);
    seen.add(offset);
    const next = heap.readU32(page * heap.pageSizeBytes + offset);
    if (next === SLOT_UNTOUCHED_REST) {
      untouchedCount = slotCount - offset / slotSizeBytes - 1;
      for (const freed of seen) assert.ok(freed <= offset, `page ${page}: freed slot ${freed} inside the untouched tail`);
      break;
    }
    offset = next;
  }
  return seen.size + untouchedCount;
}

function walkList(heap: IntegrityView, head: number): number[] {
  const pages: number[] = [];
  let previous = 0;
  for (let page = head; page !== 0; page = heap.descriptorWord(page, 2)) {
    assert.ok(page < heap.pageCount && pages.length < heap.pageCount, `list through page ${page} is corrupt`);
    assert.equal(heap.descriptorWord(page, 3), previous, `page ${page}: back link`);
    pages.push(page);
    previous = page;
  }
  return pages;
}
