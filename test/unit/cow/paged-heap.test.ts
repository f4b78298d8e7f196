import { describe, expect, test } from 'vitest';
import { NULL_ADDRESS, ROOT_SLOT_COUNT } from '../../../src/cow/heap.js';
import { createHeap, restoreHeap, type PagedHeap } from '../../../src/cow/paged-heap.js';

const TINY = { pageSizeBytes: 64, maxMemoryBytes: 0, segmentPageCount: 8 } as const;

function tinyHeap(overrides: Partial<{ maxMemoryBytes: number; segmentPageCount: number }> = {}): PagedHeap {
  return createHeap({ ...TINY, ...overrides });
}

function accountedBytes(heap: PagedHeap): number {
  const stats = heap.stats();
  return stats.bytesAllocated + stats.bytesFree + stats.metadataBytes;
}

describe('allocation', () => {
  test('allocate() returns distinct 8-byte-aligned non-null addresses', () => {
    const heap = createHeap({ pageSizeBytes: 4096, maxMemoryBytes: 0, segmentPageCount: 64 });
    const addresses = new Set<number>();
    for (let size = 0; size < 3000; size += 7) {
      const address = heap.allocate(size);
      expect(address).not.toBe(NULL_ADDRESS);
      expect(address % 8).toBe(0);
      expect(heap.usableSize(address)).toBeGreaterThanOrEqual(Math.max(size, 1));
      addresses.add(address);
    }
    expect(addresses.size).toBe(Math.ceil(3000 / 7));
    heap.verifyIntegrity();
  });

  test('allocate(0) gives the smallest class', () => {
    const heap = tinyHeap();
    expect(heap.usableSize(heap.allocate(0))).toBe(8);
  });

  test('a 140-byte entry wastes fewer than 8 bytes with 4 KiB pages', () => {
    const heap = createHeap({ pageSizeBytes: 4096, maxMemoryBytes: 0, segmentPageCount: 64 });
    expect(heap.usableSize(heap.allocate(140)) - 140).toBeLessThan(8);
  });

  test('allocations do not overlap: writing one leaves the others intact', () => {
    const heap = tinyHeap();
    const sizes = [8, 16, 24, 40, 64, 100, 200, 8, 8, 33];
    const addresses = sizes.map((size) => heap.allocate(size));
    addresses.forEach((address, index) => heap.fill(address, index + 1, sizes[index]));
    addresses.forEach((address, index) => {
      expect([...heap.readBytes(address, sizes[index])].every((byte) => byte === index + 1)).toBe(true);
    });
  });

  test('freed slab slots are reused before new pages are taken', () => {
    const heap = tinyHeap();
    const first = heap.allocate(16);
    const pagesBefore = heap.stats().pagesInUse;
    heap.allocate(16);
    heap.free(first);
    expect(heap.allocate(16)).toBe(first);
    expect(heap.stats().pagesInUse).toBe(pagesBefore);
  });

  test('a slab hands out each slot of its page once before a new page is taken', () => {
    const heap = createHeap({ pageSizeBytes: 4096, maxMemoryBytes: 0, segmentPageCount: 64 });
    const slotCount = Math.floor(4096 / 144);
    const addresses = Array.from({ length: slotCount }, () => heap.allocate(140));
    const pages = new Set(addresses.map((address) => Math.floor(address / 4096)));
    expect(pages.size).toBe(1);
    expect(new Set(addresses).size).toBe(slotCount);
    expect(Math.floor(heap.allocate(140) / 4096)).not.toBe([...pages][0]);
    heap.free(addresses[5]);
    heap.free(addresses[0]);
    expect(heap.allocate(140)).toBe(addresses[0]);
    expect(heap.allocate(140)).toBe(addresses[5]);
    heap.verifyIntegrity();
  });

  test('an emptied slab page returns to the free pages', () => {
    const heap = tinyHeap();
    const before = heap.stats();
    const address = heap.allocate(8);
    expect(heap.stats().pagesInUse).toBe(before.pagesInUse + 1);
    heap.free(address);
    expect(heap.stats().pagesInUse).toBe(before.pagesInUse);
    heap.verifyIntegrity();
  });

  test('freed neighbouring runs coalesce into one run that serves a larger allocation', () => {
    const heap = tinyHeap({ segmentPageCount: 64 });
    const a = heap.allocate(128);
    const b = heap.allocate(128);
    const c = heap.allocate(128);
    heap.free(a);
    heap.free(c);
    heap.free(b);
    heap.verifyIntegrity();
    const pageCount = heap.pageCount;
    expect(heap.allocate(64 * 6)).toBe(a);
    expect(heap.pageCount).toBe(pageCount);
  });

  test('a value spanning pages reads back whole', () => {
    const heap = tinyHeap();
    const bytes = Uint8Array.from({ length: 300 }, (_, index) => index & 0xff);
    const address = heap.allocate(bytes.length);
    heap.copyIn(address, bytes, 0, bytes.length);
    expect(heap.equalsBytes(address, bytes, 0, bytes.length)).toBe(true);
    expect(heap.readBytes(address, bytes.length)).toEqual(Buffer.from(bytes));
  });

  test('the heap grows by segments and a large run gets a segment of its own', () => {
    const heap = tinyHeap();
    const before = heap.stats().segmentCount;
    const big = heap.allocate(64 * 20);
    expect(big).not.toBe(NULL_ADDRESS);
    expect(heap.stats().segmentCount).toBe(before + 1);
    expect(heap.usableSize(big)).toBe(64 * 20);
    heap.fill(big, 7, 64 * 20);
    expect(heap.readU8(big + 64 * 20 - 1)).toBe(7);
    heap.verifyIntegrity();
  });

  test('a 512 MiB + 64 KiB allocation succeeds', () => {
    const heap = createHeap({ pageSizeBytes: 65536, maxMemoryBytes: 0, segmentPageCount: 16 });
    const sizeBytes = 512 * 1024 * 1024 + 64 * 1024;
    const address = heap.allocate(sizeBytes);
    expect(address).not.toBe(NULL_ADDRESS);
    heap.writeU8(address + sizeBytes - 1, 9);
    expect(heap.readU8(address + sizeBytes - 1)).toBe(9);
    heap.free(address);
  });
});

describe('maxmemory', () => {
  test('allocate() returns NULL_ADDRESS at maxmemory and the heap keeps working', () => {
    const heap = tinyHeap({ maxMemoryBytes: 64 * 40 });
    const live: number[] = [];
    for (;;) {
      const isAllowed = heap.canAllocate(24);
      const address = heap.allocate(24);
      expect(address !== NULL_ADDRESS).toBe(isAllowed);
      if (address === NULL_ADDRESS) break;
      heap.fill(address, live.length & 0xff, 24);
      live.push(address);
    }
    expect(heap.stats().heapBytes).toBeLessThanOrEqual(64 * 40);
    expect(heap.canAllocate(24)).toBe(false);
    heap.verifyIntegrity();
    live.forEach((address, index) => expect(heap.readU8(address + 23)).toBe(index & 0xff));
    heap.free(live.pop() as number);
    expect(heap.canAllocate(24)).toBe(true);
    expect(heap.allocate(24)).not.toBe(NULL_ADDRESS);
    heap.verifyIntegrity();
  });

  test('canAllocate() has no side effects', () => {
    const heap = tinyHeap({ maxMemoryBytes: 64 * 40 });
    const before = heap.stats();
    expect(heap.canAllocate(64 * 5)).toBe(true);
    expect(heap.canAllocate(64 * 500)).toBe(false);
    expect(heap.stats()).toEqual(before);
  });

  test('a run larger than maxmemory allows is refused', () => {
    const heap = tinyHeap({ maxMemoryBytes: 64 * 40 });
    expect(heap.allocate(64 * 100)).toBe(NULL_ADDRESS);
    heap.verifyIntegrity();
  });
});

describe('reads and writes', () => {
  test('numbers round-trip little-endian, unaligned too', () => {
    const heap = tinyHeap();
    const address = heap.allocate(32);
    heap.writeU32(address + 1, 0xdeadbeef);
    expect(heap.readU32(address + 1)).toBe(0xdeadbeef);
    expect(heap.readU8(address + 1)).toBe(0xef);
    heap.writeU16(address + 8, 0xbeef);
    expect(heap.readU16(address + 8)).toBe(0xbeef);
    heap.writeI32(address + 12, -5);
    expect(heap.readI32(address + 12)).toBe(-5);
    heap.writeF64(address + 16, Math.PI);
    expect(heap.readF64(address + 16)).toBe(Math.PI);
  });

  test('addresses are stored in 4 bytes as 8-byte words', () => {
    const heap = tinyHeap();
    const slot = heap.allocate(8);
    const target = 8 * 0x12345678;
    heap.writeAddress(slot, target);
    expect(heap.readU32(slot)).toBe(0x12345678);
    expect(heap.readAddress(slot)).toBe(target);
    expect(() => heap.writeAddress(slot, 12)).toThrow();
  });

  test('move() handles overlapping ranges like memmove', () => {
    const heap = tinyHeap();
    const address = heap.allocate(200);
    heap.copyIn(address, Uint8Array.from({ length: 100 }, (_, index) => index), 0, 100);
    heap.move(address + 10, address, 100);
    expect([...heap.readBytes(address + 10, 100)]).toEqual(Array.from({ length: 100 }, (_, index) => index));
    heap.move(address, address + 10, 100);
    expect([...heap.readBytes(address, 100)]).toEqual(Array.from({ length: 100 }, (_, index) => index));
  });

  test('compareBytes() orders like memcmp, shorter prefix first', () => {
    const heap = tinyHeap();
    const address = heap.allocate(8);
    heap.copyIn(address, Buffer.from('abc'), 0, 3);
    expect(heap.compareBytes(address, 3, Buffer.from('abc'), 0, 3)).toBe(0);
    expect(heap.compareBytes(address, 3, Buffer.from('abd'), 0, 3)).toBeLessThan(0);
    expect(heap.compareBytes(address, 3, Buffer.from('ab'), 0, 2)).toBeGreaterThan(0);
    expect(heap.compareBytes(address, 2, Buffer.from('abc'), 0, 3)).toBeLessThan(0);
    expect(heap.compareBytes(address, 0, Buffer.from('a'), 0, 0)).toBe(0);
    expect(heap.equalsBytes(address, Buffer.from('xabc'), 1, 3)).toBe(true);
  });
});

describe('page and address math', () => {
  test('an address is page * pageSize + offset: the page image holds its bytes at that offset', () => {
    const heap = tinyHeap();
    const small = heap.allocate(24);
    const run = heap.allocate(64 * 3);
    expect(run % 64).toBe(0);
    heap.copyIn(small, Buffer.from('abc'), 0, 3);
    heap.writeU8(run + 64 * 2 + 5, 0x7e);
    const image = new Uint8Array(64);
    expect(heap.readPageImage(Math.floor(small / 64), image)).toBe(true);
    expect(Buffer.from(image.subarray(small % 64, (small % 64) + 3)).toString()).toBe('abc');
    expect(heap.readPageImage(run / 64 + 2, image)).toBe(true);
    expect(image[5]).toBe(0x7e);
  });

  test('page numbers run across segments without gaps', () => {
    const heap = tinyHeap();
    for (let index = 0; index < 20; index++) heap.allocate(64 * 4);
    const layout = heap.layout();
    expect(layout[0].firstPage).toBe(0);
    for (let index = 1; index < layout.length; index++) {
      expect(layout[index].firstPage).toBe(layout[index - 1].firstPage + layout[index - 1].pageCount);
    }
    const last = layout[layout.length - 1];
    expect(heap.pageCount).toBe(last.firstPage + last.pageCount);
    expect(heap.stats().heapBytes).toBe(heap.pageCount * 64);
  });
});

describe('long byte strings', () => {
  test('compare and equality agree with Buffer.compare beyond the short-string loop', () => {
    const heap = tinyHeap();
    const value = Buffer.from(Array.from({ length: 100 }, (_, index) => index));
    const address = heap.allocate(100);
    heap.copyIn(address, value, 0, 100);
    const other = Buffer.from(value);
    other[50] = 200;
    expect(heap.equalsBytes(address, value, 0, 100)).toBe(true);
    expect(heap.equalsBytes(address, other, 0, 100)).toBe(false);
    expect(Math.sign(heap.compareBytes(address, 100, other, 0, 100))).toBe(Math.sign(value.compare(other)));
    expect(Math.sign(heap.compareBytes(address, 100, value, 0, 99))).toBe(1);
    expect(Math.sign(heap.compareBytes(address, 40, value, 0, 100))).toBe(-1);
  });

  test('copyIn() takes a slice of a Buffer or a Uint8Array from any start', () => {
    const heap = tinyHeap();
    const address = heap.allocate(80);
    const source = Buffer.from(Array.from({ length: 120 }, (_, index) => index));
    heap.copyIn(address, source, 30, 80);
    expect(heap.readBytes(address, 80)).toEqual(source.subarray(30, 110));
    heap.copyIn(address, new Uint8Array(source), 10, 80);
    expect(heap.readBytes(address, 80)).toEqual(source.subarray(10, 90));
    const target = new Uint8Array(90);
    heap.copyOut(address, target, 10, 80);
    expect(Buffer.from(target.subarray(10))).toEqual(source.subarray(10, 90));
  });
});

describe('roots', () => {
  test('root slots start null and keep what is set', () => {
    const heap = tinyHeap();
    for (let slot = 0; slot < ROOT_SLOT_COUNT; slot++) expect(heap.getRoot(slot)).toBe(NULL_ADDRESS);
    const address = heap.allocate(40);
    heap.setRoot(ROOT_SLOT_COUNT - 1, address);
    expect(heap.getRoot(ROOT_SLOT_COUNT - 1)).toBe(address);
    expect(() => heap.getRoot(ROOT_SLOT_COUNT)).toThrow();
  });
});

describe('accounting', () => {
  test('bytesAllocated + bytesFree + metadataBytes equals heapBytes, and the recount agrees', () => {
    const heap = tinyHeap();
    const addresses = [heap.allocate(10), heap.allocate(100), heap.allocate(64 * 9), heap.allocate(30)];
    const stats = heap.stats();
    expect(accountedBytes(heap)).toBe(stats.heapBytes);
    const report = heap.verifyIntegrity();
    expect(report.allocatedBytes).toBe(stats.bytesAllocated);
    expect(report.allocatedBytes + report.freeSlotBytes + report.slabSlackBytes + report.freePageCount * 64 + report.metadataBytes).toBe(
      stats.heapBytes,
    );
    expect(stats.allocationCount).toBe(4);
    for (const address of addresses) heap.free(address);
    expect(heap.stats().bytesAllocated).toBe(0);
    expect(heap.stats().allocationCount).toBe(0);
  });
});

describe('page images and restore', () => {
  test('readPageImage() skips free pages and copies used ones', () => {
    const heap = tinyHeap();
    const target = new Uint8Array(64);
    expect(heap.readPageImage(0, target)).toBe(true);
    const last = heap.pageCount - 1;
    expect(heap.readPageImage(last, target)).toBe(false);
  });

  test('a heap restored from its used pages has the same allocations, bytes and stats', () => {
    const heap = tinyHeap();
    const live = new Map<number, Uint8Array>();
    for (let index = 0; index < 40; index++) {
      const bytes = Uint8Array.from({ length: (index * 37) % 300 }, (_, offset) => (offset + index) & 0xff);
      const address = heap.allocate(bytes.length);
      heap.copyIn(address, bytes, 0, bytes.length);
      live.set(address, bytes);
      if (index % 3 === 0) {
        const first = live.keys().next().value as number;
        heap.free(first);
        live.delete(first);
      }
    }
    heap.setRoot(2, [...live.keys()][0]);
    const pages: Array<{ pageNumber: number; bytes: Uint8Array }> = [];
    for (let pageNumber = 0; pageNumber < heap.pageCount; pageNumber++) {
      const bytes = new Uint8Array(64);
      if (heap.readPageImage(pageNumber, bytes)) pages.push({ pageNumber, bytes });
    }
    const restored = restoreHeap(TINY, heap.layout(), pages);
    expect(restored.stats()).toEqual(heap.stats());
    expect(restored.verifyIntegrity()).toEqual(heap.verifyIntegrity());
    expect(restored.getRoot(2)).toBe(heap.getRoot(2));
    for (const [address, bytes] of live) {
      expect(restored.equalsBytes(address, bytes, 0, bytes.length)).toBe(true);
      expect(restored.usableSize(address)).toBe(heap.usableSize(address));
    }
    for (const address of live.keys()) restored.free(address);
    restored.verifyIntegrity();
    expect(restored.allocate(64 * 30)).not.toBe(NULL_ADDRESS);
  });

  test('restore refuses pages of another page size or without a header', () => {
    const heap = tinyHeap();
    const header = new Uint8Array(64);
    heap.readPageImage(0, header);
    expect(() => restoreHeap({ ...TINY, pageSizeBytes: 128 }, [{ firstPage: 0, pageCount: 10 }], [])).toThrow(/bad magic/);
    expect(() => restoreHeap(TINY, heap.layout(), [])).toThrow(/bad magic/);
    const pages = [] as Array<{ pageNumber: number; bytes: Uint8Array }>;
    for (let pageNumber = 0; pageNumber < heap.pageCount; pageNumber++) {
      const bytes = new Uint8Array(64);
      if (heap.readPageImage(pageNumber, bytes)) pages.push({ pageNumber, bytes });
    }
    const otherSize = pages.map(({ pageNumber, bytes }) => ({ pageNumber, bytes: Uint8Array.from([...bytes, ...bytes]) }));
    expect(() => restoreHeap({ ...TINY, pageSizeBytes: 128 }, heap.layout(), otherSize)).toThrow(/64-byte pages/);
    const wrongVersion = pages.map(({ pageNumber, bytes }) => ({ pageNumber, bytes: Uint8Array.from(bytes) }));
    wrongVersion[0].bytes[4] = 99;
    expect(() => restoreHeap(TINY, heap.layout(), wrongVersion)).toThrow(/layout version 99/);
  });
});
