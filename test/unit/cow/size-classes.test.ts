import { describe, expect, test } from 'vitest';
import { SizeClassTable } from '../../../src/cow/size-classes.js';

const PAGE_SIZES_BYTES = [64, 128, 1024, 4096, 16384, 65536, 1024 * 1024];

describe('SizeClassTable', () => {
  test.each(PAGE_SIZES_BYTES)('classes for %i-byte pages ascend in multiples of 8 up to half a page', (pageSizeBytes) => {
    const table = new SizeClassTable(pageSizeBytes);
    const sizes = table.slotSizesBytes;
    expect(sizes[0]).toBe(8);
    sizes.forEach((size, index) => {
      expect(size % 8).toBe(0);
      if (index > 0) expect(size).toBeGreaterThan(sizes[index - 1]);
      expect(table.slotCounts[index]).toBe(Math.floor(pageSizeBytes / size));
    });
    expect(table.smallSizeMaxBytes).toBeLessThanOrEqual(pageSizeBytes / 2);
    expect(table.classCount).toBeLessThanOrEqual(127);
  });

  test.each(PAGE_SIZES_BYTES)('classOf() picks the smallest class that fits (%i-byte pages)', (pageSizeBytes) => {
    const table = new SizeClassTable(pageSizeBytes);
    const stepBytes = Math.max(1, Math.floor(table.smallSizeMaxBytes / 20_000));
    const misfits: number[] = [];
    for (let size = 0; size <= table.smallSizeMaxBytes; size += size < 2048 ? 1 : stepBytes) {
      const classIndex = table.classOf(size);
      const isTooSmall = table.slotSizesBytes[classIndex] < size;
      const isTooBig = classIndex > 0 && table.slotSizesBytes[classIndex - 1] >= size;
      if (isTooSmall || isTooBig) misfits.push(size);
    }
    expect(misfits).toEqual([]);
  });

  test('rounding costs at most 12.5% between 128 bytes and a sixteenth of a 4 KiB page', () => {
    const table = new SizeClassTable(4096);
    for (let size = 129; size <= 4096 / 16; size++) {
      const slot = table.slotSizesBytes[table.classOf(size)];
      expect((slot - size) / size).toBeLessThanOrEqual(0.125);
    }
  });

  test('store-sized entries (120..170 bytes) waste under 16 bytes, 140 under 8', () => {
    const table = new SizeClassTable(4096);
    for (let size = 120; size <= 170; size++) {
      expect(table.slotSizesBytes[table.classOf(size)] - size).toBeLessThan(16);
    }
    expect(table.slotSizesBytes[table.classOf(140)] - 140).toBeLessThan(8);
  });
});
