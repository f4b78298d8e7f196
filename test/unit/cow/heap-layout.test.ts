import { describe, expect, test } from 'vitest';
import {
  FREE_RUN_BIN_COUNT,
  PAGE_KIND_FREE_BODY,
  PAGE_KIND_FREE_HEAD,
  PAGE_KIND_METADATA,
  PAGE_KIND_RUN_BODY,
  PAGE_KIND_RUN_HEAD,
  PAGE_KIND_SLAB,
  descriptorClass,
  descriptorFreeCount,
  descriptorKind,
  descriptorPageCount,
  freeRunBinOf,
  isUsedKind,
  packDescriptorWord0,
} from '../../../src/cow/heap-layout.js';

describe('page descriptors', () => {
  test('word 0 packs kind, size class and a free count up to 1 MiB / 8 slots', () => {
    const word0 = packDescriptorWord0(PAGE_KIND_SLAB, 126, 131072);
    expect(descriptorKind(word0)).toBe(PAGE_KIND_SLAB);
    expect(descriptorClass(word0)).toBe(126);
    expect(descriptorFreeCount(word0)).toBe(131072);
    expect(word0).toBeGreaterThanOrEqual(0);
  });

  test('a zero descriptor is a free page, so fresh descriptor pages describe free pages', () => {
    expect(descriptorKind(0)).toBe(PAGE_KIND_FREE_BODY);
    expect(isUsedKind(0)).toBe(false);
    expect(isUsedKind(PAGE_KIND_FREE_HEAD)).toBe(false);
    for (const kind of [PAGE_KIND_SLAB, PAGE_KIND_RUN_HEAD, PAGE_KIND_RUN_BODY, PAGE_KIND_METADATA]) {
      expect(isUsedKind(kind)).toBe(true);
    }
  });

  test('descriptor pages cover 16 bytes per page, rounded up', () => {
    expect(descriptorPageCount(8, 64)).toBe(2);
    expect(descriptorPageCount(9, 64)).toBe(3);
    expect(descriptorPageCount(16384, 4096)).toBe(64);
  });
});

describe('free-run bins', () => {
  test('runs of 1..16 pages have exact bins, longer runs one bin per doubling', () => {
    for (let pageCount = 1; pageCount <= 16; pageCount++) expect(freeRunBinOf(pageCount)).toBe(pageCount - 1);
    expect(freeRunBinOf(17)).toBe(16);
    expect(freeRunBinOf(31)).toBe(16);
    expect(freeRunBinOf(32)).toBe(17);
    expect(freeRunBinOf(2 ** 31)).toBeLessThan(FREE_RUN_BIN_COUNT);
  });

  test('bins never decrease as runs grow', () => {
    let previous = 0;
    for (let pageCount = 1; pageCount < 1 << 20; pageCount = Math.ceil(pageCount * 1.1)) {
      expect(freeRunBinOf(pageCount)).toBeGreaterThanOrEqual(previous);
      previous = freeRunBinOf(pageCount);
    }
  });
});
