/**
 * Early flush: the writer core asks its flusher for a background fdatasync every intervalBytes
 * and never fsyncs or closes the file while a flush may run (a recording stub checks the order
 * of events, on success and on failure); the real FlusherThread flushes, drops requests while
 * busy, and a dead one never blocks the writer.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';

import { afterEach, beforeEach, describe, expect, test } from 'vitest';

import { FlusherThread, type EarlyFlusher } from '../../../src/snapshot/early-flush.js';
import { NODE_FILE_SYSTEM, type SnapshotFileSystem } from '../../../src/snapshot/file-system.js';
import { SnapshotWriterCore, tempFileNameFor } from '../../../src/snapshot/writer-core.js';
import { headerFor, makeTempDirectory, sampleSource } from '../../fixtures/snapshot/snapshot-fixtures.js';

const PAGE_SIZE_BYTES = 128;

let temp: { directory: string; remove: () => void };
beforeEach(() => {
  temp = makeTempDirectory();
});
afterEach(() => temp.remove());

/** A flusher that records requests and waits, sharing one event log with the file system. */
function recordingFlusher(events: string[], intervalBytes: number): EarlyFlusher {
  return {
    intervalBytes,
    request: (fd) => events.push(`request:${fd}`),
    waitIdle: () => events.push('waitIdle'),
  };
}

/** node:fs, logging fsync/close/write calls into `events`; write number `failWriteAt` throws. */
function loggingFileSystem(events: string[], failWriteAt = 0): SnapshotFileSystem {
  let writes = 0;
  return {
    ...NODE_FILE_SYSTEM,
    writeSync: (fd, buffer, offset, length, position) => {
      writes += 1;
      if (writes === failWriteAt) throw Object.assign(new Error('injected'), { code: 'EIO' });
      events.push(`write:${fd}`);
      return NODE_FILE_SYSTEM.writeSync(fd, buffer, offset, length, position);
    },
    fsyncSync: (fd) => {
      events.push(`fsync:${fd}`);
      NODE_FILE_SYSTEM.fsyncSync(fd);
    },
    closeSync: (fd) => {
      events.push(`close:${fd}`);
      NODE_FILE_SYSTEM.closeSync(fd);
    },
  };
}

/** True if every fsync/close of `fd` comes after a waitIdle that follows the last request. */
function isFdQuietWhenSyncedOrClosed(events: readonly string[], fd: string): boolean {
  let isFlushMaybeRunning = false;
  for (const event of events) {
    if (event === `request:${fd}`) isFlushMaybeRunning = true;
    else if (event === 'waitIdle') isFlushMaybeRunning = false;
    else if ((event === `fsync:${fd}` || event === `close:${fd}`) && isFlushMaybeRunning) return false;
  }
  return true;
}

describe('writer core with an early flusher', () => {
  test('asks for a flush every intervalBytes, waits before fsync and close, and writes the same file', () => {
    const source = sampleSource(PAGE_SIZE_BYTES, 40, Array.from({ length: 30 }, (_, index) => index));
    const header = headerFor(source, { blockPageCount: 2 });
    const plain = new SnapshotWriterCore({ directory: temp.directory, fileName: 'plain.snap', tempFileName: tempFileNameFor(9), header, source });
    while (plain.step(100) === 'more');
    const events: string[] = [];
    const intervalBytes = 3 * PAGE_SIZE_BYTES;
    const writer = new SnapshotWriterCore({
      directory: temp.directory,
      fileName: 'flushed.snap',
      tempFileName: tempFileNameFor(1),
      header,
      source,
      fileSystem: loggingFileSystem(events),
      earlyFlusher: recordingFlusher(events, intervalBytes),
    });
    let result = writer.step(3);
    while (result === 'more') result = writer.step(3);
    expect(result).toBe('done');
    const fd = events.find((event) => event.startsWith('write:'))!.slice('write:'.length);
    const requests = events.filter((event) => event === `request:${fd}`).length;
    // One request per intervalBytes written (each request resets the count), at least.
    expect(requests).toBeGreaterThanOrEqual(Math.floor(writer.progress.bytesWritten / (intervalBytes + 2 * 2 * PAGE_SIZE_BYTES)));
    expect(requests).toBeLessThanOrEqual(Math.floor(writer.progress.bytesWritten / intervalBytes));
    expect(events).toContain(`fsync:${fd}`);
    expect(isFdQuietWhenSyncedOrClosed(events, fd)).toBe(true);
    // The flusher changes when bytes reach the disk, never which bytes.
    expect(fs.readFileSync(writer.finalPath).equals(fs.readFileSync(plain.finalPath))).toBe(true);
  });

  test('a write failure after flush requests waits for the flusher before closing the temp file', () => {
    const source = sampleSource(PAGE_SIZE_BYTES, 40, Array.from({ length: 30 }, (_, index) => index));
    const events: string[] = [];
    const writer = new SnapshotWriterCore({
      directory: temp.directory,
      fileName: 'dump.snap',
      tempFileName: tempFileNameFor(2),
      header: headerFor(source, { blockPageCount: 2 }),
      source,
      fileSystem: loggingFileSystem(events, 6),
      earlyFlusher: recordingFlusher(events, PAGE_SIZE_BYTES),
    });
    let result = writer.step(3);
    while (result === 'more') result = writer.step(3);
    expect(result).toBe('failed');
    expect(writer.failure?.step).toBe('write');
    const fd = events.find((event) => event.startsWith('write:'))!.slice('write:'.length);
    expect(events).toContain(`request:${fd}`);
    expect(events).toContain(`close:${fd}`);
    expect(isFdQuietWhenSyncedOrClosed(events, fd)).toBe(true);
    expect(fs.readdirSync(temp.directory)).toEqual([]);
  });
});

describe('FlusherThread', () => {
  test('flushes a file on request and is idle afterwards', async () => {
    const flusher = new FlusherThread(1);
    const filePath = path.join(temp.directory, 'data.bin');
    const fd = fs.openSync(filePath, 'w');
    try {
      for (let round = 1; round <= 3; round += 1) {
        fs.writeSync(fd, Buffer.alloc(64 * 1024, round));
        flusher.request(fd);
        flusher.waitIdle();
      }
      // The thread may still be booting when the first request comes; it finds the request
      // when it first waits, so every request made while idle is served.
      expect(flusher.flushCount).toBe(3);
    } finally {
      fs.closeSync(fd);
      await flusher.terminate();
    }
  });

  test('a request while a flush runs is dropped, and a bad descriptor is not an error', async () => {
    const flusher = new FlusherThread(1);
    try {
      flusher.request(-1);
      flusher.request(-1); // still REQUESTED or RUNNING: dropped
      flusher.waitIdle();
      expect(flusher.flushCount).toBe(1);
    } finally {
      await flusher.terminate();
    }
  });

  test('a terminated flusher ignores requests and never blocks waitIdle', async () => {
    const flusher = new FlusherThread(1);
    await flusher.terminate();
    const startMs = Date.now();
    flusher.request(0);
    flusher.waitIdle();
    expect(Date.now() - startMs).toBeLessThan(500);
    expect(flusher.flushCount).toBe(0);
  });
});
