import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import ts from 'typescript';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { NULL_ADDRESS, type Address } from '../../../src/cow/heap.js';
import { createHeap, restoreHeap } from '../../../src/cow/paged-heap.js';

// A real worker thread runs EpochReader against the live heap while the main thread keeps
// writing, so the claim protocol meets real contention. The worker cannot load TypeScript, so
// snapshot-epoch.ts (which imports only node builtins and types) is transpiled to a temporary
// .mjs file: the worker runs the very same code, nothing duplicated.
const PAGE_SIZE_BYTES = 256;
const OPTIONS = { pageSizeBytes: PAGE_SIZE_BYTES, maxMemoryBytes: 0, segmentPageCount: 64, shadowPoolPageCount: 4 };
const MAIN_OPERATION_COUNT_MAX = 300_000;

let directory = '';
let readerModuleUrl = '';

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'cowkv-epoch-reader-'));
  const sourcePath = fileURLToPath(new URL('../../../src/cow/snapshot-epoch.ts', import.meta.url));
  const output = ts.transpileModule(readFileSync(sourcePath, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  const modulePath = join(directory, 'snapshot-epoch.mjs');
  writeFileSync(modulePath, output.outputText);
  readerModuleUrl = pathToFileURL(modulePath).href;
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
import(workerData.readerModuleUrl).then(({ EpochReader }) => {
  const { share, port, done, pageSizeBytes } = workerData;
  const reader = new EpochReader(share, { shadowChunkPort: port });
  const pageCount = share.pageCountAtStart;
  const images = new Uint8Array(pageCount * pageSizeBytes);
  const isUsed = new Uint8Array(pageCount);
  // Read pages in a scrambled order so reads and the main thread's writes interleave.
  for (let step = 0; step < pageCount; step++) {
    const pageNumber = (step * 7919) % pageCount;
    const target = images.subarray(pageNumber * pageSizeBytes, (pageNumber + 1) * pageSizeBytes);
    isUsed[pageNumber] = reader.readPage(pageNumber, target) === 'copied' ? 1 : 0;
  }
  Atomics.store(done, 0, 1);
  parentPort.postMessage({ images, isUsed });
});
`;

test('a worker reading pages while main writes gets the heap as it was when the epoch opened', async () => {
  const heap = createHeap(OPTIONS);
  let random = 12345;
  const nextRandom = (limit: number): number => {
    random = (random * 1103515245 + 12345) >>> 0;
    return random % limit;
  };
  const live: Array<{ address: Address; bytes: Uint8Array }> = [];
  const step = (): void => {
    const choice = nextRandom(10);
    if (choice < 4 || live.length === 0) {
      const sizeBytes = nextRandom(10) === 0 ? 300 + nextRandom(3000) : nextRandom(200);
      const address = heap.allocate(sizeBytes);
      expect(address).not.toBe(NULL_ADDRESS);
      const bytes = Uint8Array.from({ length: sizeBytes }, () => nextRandom(256));
      heap.copyIn(address, bytes, 0, sizeBytes);
      live.push({ address, bytes });
    } else if (choice < 6) {
      const [{ address }] = live.splice(nextRandom(live.length), 1);
      heap.free(address);
    } else {
      const { address, bytes } = live[nextRandom(live.length)];
      if (bytes.length === 0) return;
      const offset = nextRandom(bytes.length);
      const value = nextRandom(256);
      heap.writeU8(address + offset, value);
      bytes[offset] = value;
    }
  };
  for (let index = 0; index < 20_000; index++) step();

  const frozen = live.map(({ address, bytes }) => ({ address, bytes: Uint8Array.from(bytes) }));
  const frozenStats = heap.stats();
  const share = heap.openEpoch();
  const channel = new MessageChannel();
  heap.onShadowChunkAdded((chunk) => channel.port1.postMessage(chunk));
  const done = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { share, port: channel.port2, done, pageSizeBytes: PAGE_SIZE_BYTES, readerModuleUrl },
    transferList: [channel.port2],
  });
  const result = new Promise<{ images: Uint8Array; isUsed: Uint8Array }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  let mainOperationCount = 0;
  while (Atomics.load(done, 0) === 0 && mainOperationCount < MAIN_OPERATION_COUNT_MAX) {
    step();
    mainOperationCount++;
  }
  const { images, isUsed } = await result;
  await worker.terminate();
  channel.port1.close();
  const stats = heap.stats();
  heap.closeEpoch();

  const pages: Array<{ pageNumber: number; bytes: Uint8Array }> = [];
  for (let pageNumber = 0; pageNumber < share.pageCountAtStart; pageNumber++) {
    if (isUsed[pageNumber] === 1) {
      pages.push({ pageNumber, bytes: images.subarray(pageNumber * PAGE_SIZE_BYTES, (pageNumber + 1) * PAGE_SIZE_BYTES) });
    }
  }
  const restored = restoreHeap(
    OPTIONS,
    share.segments.map(({ firstPage, pageCount }) => ({ firstPage, pageCount })),
    pages,
  );
  restored.verifyIntegrity();
  expect(restored.stats().bytesAllocated).toBe(frozenStats.bytesAllocated);
  expect(restored.stats().allocationCount).toBe(frozenStats.allocationCount);
  for (const { address, bytes } of frozen) expect(restored.equalsBytes(address, bytes, 0, bytes.length)).toBe(true);
  // The main thread did write during the epoch, so copies happened (the run is not vacuous).
  expect(mainOperationCount).toBeGreaterThan(0);
  expect(stats.pagesCopied).toBeGreaterThan(0);
  for (const { address, bytes } of live) expect(heap.equalsBytes(address, bytes, 0, bytes.length)).toBe(true);
});
