/**
 * The synchronous writer core: stepping gives the same bytes as one pass; a failure injected at
 * any file operation leaves the previous snapshot intact and no temp file; verify/read/abort paths.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';

import { afterEach, beforeEach, describe, expect, test } from 'vitest';

import { NODE_FILE_SYSTEM, type SnapshotFileSystem } from '../../../src/snapshot/file-system.js';
import { openSnapshotFile } from '../../../src/snapshot/file-reader.js';
import { SnapshotWriterCore, tempFileNameFor } from '../../../src/snapshot/writer-core.js';
import {
  headerFor,
  makeTempDirectory,
  sampleSource,
  writeSnapshotFile,
} from '../../fixtures/snapshot/snapshot-fixtures.js';

const PAGE_SIZE_BYTES = 128;

let temp: { directory: string; remove: () => void };
beforeEach(() => {
  temp = makeTempDirectory();
});
afterEach(() => temp.remove());

/** node:fs, except that call number `failAtCall` (counting every call from 1) throws EIO. */
function failingFileSystem(failAtCall: number): SnapshotFileSystem & { callCount: number; failedCall: string | null } {
  let callCount = 0;
  const wrapper = {
    callCount: 0,
    failedCall: null as string | null,
  };
  const wrap = <K extends keyof SnapshotFileSystem>(name: K): SnapshotFileSystem[K] =>
    ((...args: unknown[]) => {
      callCount += 1;
      wrapper.callCount = callCount;
      if (callCount === failAtCall) {
        wrapper.failedCall = name;
        throw Object.assign(new Error(`injected failure in ${name}`), { code: 'EIO' });
      }
      return (NODE_FILE_SYSTEM[name] as (...inner: unknown[]) => unknown)(...args);
    }) as SnapshotFileSystem[K];
  return Object.assign(wrapper, {
    openSync: wrap('openSync'),
    writeSync: wrap('writeSync'),
    fsyncSync: wrap('fsyncSync'),
    closeSync: wrap('closeSync'),
    renameSync: wrap('renameSync'),
    unlinkSync: wrap('unlinkSync'),
  });
}

function isLoadable(filePath: string): boolean {
  const opened = openSnapshotFile(filePath);
  if (opened.status !== 'ok') return false;
  try {
    for (const page of opened.reader.pages()) void page;
    return true;
  } catch {
    return false;
  } finally {
    opened.reader.close();
  }
}

describe('SnapshotWriterCore', () => {
  test('writing one page per step gives the same bytes as writing all at once', () => {
    const source = sampleSource(PAGE_SIZE_BYTES, 20, [0, 2, 3, 4, 8, 13, 19]);
    const wholePath = writeSnapshotFile({ directory: temp.directory, fileName: 'whole.snap', source });
    const writer = new SnapshotWriterCore({
      directory: temp.directory,
      fileName: 'stepped.snap',
      tempFileName: tempFileNameFor(1),
      header: headerFor(source),
      source,
    });
    const results: string[] = [];
    for (let stepIndex = 0; stepIndex < 100; stepIndex += 1) {
      const result = writer.step(1);
      results.push(result);
      if (result !== 'more') break;
    }
    expect(results.at(-1)).toBe('done');
    expect(results.length).toBe(20);
    expect(fs.readFileSync(writer.finalPath).equals(fs.readFileSync(wholePath))).toBe(true);
    expect(writer.progress).toMatchObject({ pagesScanned: 20, pageCount: 20, pagesWritten: 7 });
    expect(writer.progress.bytesWritten).toBe(fs.statSync(wholePath).size);
  });

  test('the temp file is named temp-<pid>-<n>.snap and is gone after the rename', () => {
    expect(tempFileNameFor(7, 1234)).toBe('temp-1234-7.snap');
    const source = sampleSource(PAGE_SIZE_BYTES, 4, [1]);
    const writer = new SnapshotWriterCore({
      directory: temp.directory,
      fileName: 'dump.snap',
      tempFileName: tempFileNameFor(2),
      header: headerFor(source),
      source,
    });
    expect(writer.step(1)).toBe('more');
    expect(fs.existsSync(writer.tempPath)).toBe(true);
    expect(writer.step(10)).toBe('done');
    expect(fs.readdirSync(temp.directory)).toEqual(['dump.snap']);
  });

  test('a failure at any file operation keeps the previous snapshot intact and removes the temp file', () => {
    const previousPath = writeSnapshotFile({
      directory: temp.directory,
      fileName: 'dump.snap',
      source: sampleSource(PAGE_SIZE_BYTES, 6, [0, 5]),
    });
    const previousBytes = fs.readFileSync(previousPath);
    const source = sampleSource(PAGE_SIZE_BYTES, 30, [0, 1, 2, 3, 7, 8, 9, 10, 11, 20, 29]);
    const failedSteps = new Set<string>();
    for (let failAtCall = 1; ; failAtCall += 1) {
      const fileSystem = failingFileSystem(failAtCall);
      const writer = new SnapshotWriterCore({
        directory: temp.directory,
        fileName: 'dump.snap',
        tempFileName: tempFileNameFor(failAtCall),
        header: headerFor(source, { blockPageCount: 2 }),
        source,
        fileSystem,
      });
      let result = writer.step(3);
      while (result === 'more') result = writer.step(3);
      if (fileSystem.failedCall === null) {
        expect(result).toBe('done'); // every call has been failed once: the run without failure
        break;
      }
      const failure = writer.failure;
      failedSteps.add(`${fileSystem.failedCall}:${failure?.step}`);
      expect(fs.readdirSync(temp.directory).filter((name) => name.startsWith('temp-'))).toEqual([]);
      expect(result).toBe('failed');
      if (failure?.step === 'fsync-directory') {
        // The rename happened; only its durability is unknown. The new file is complete.
        expect(fs.readFileSync(previousPath).equals(previousBytes)).toBe(false);
        fs.writeFileSync(previousPath, previousBytes);
      } else {
        expect(fs.readFileSync(previousPath).equals(previousBytes)).toBe(true);
      }
      expect(isLoadable(previousPath)).toBe(true);
    }
    expect(failedSteps).toEqual(
      new Set([
        'openSync:open',
        'writeSync:write',
        'fsyncSync:fsync',
        'closeSync:close',
        'renameSync:rename',
        'openSync:fsync-directory',
        'fsyncSync:fsync-directory',
        'closeSync:fsync-directory',
      ]),
    );
  });

  test('a directory that cannot hold files fails at open and leaves nothing behind', () => {
    const notADirectory = path.join(temp.directory, 'plain-file');
    fs.writeFileSync(notADirectory, 'x');
    const source = sampleSource(PAGE_SIZE_BYTES, 3, [0]);
    const writer = new SnapshotWriterCore({
      directory: notADirectory,
      fileName: 'dump.snap',
      tempFileName: tempFileNameFor(1),
      header: headerFor(source),
      source,
    });
    expect(writer.step(10)).toBe('failed');
    expect(writer.failure?.step).toBe('open');
    expect(writer.failure?.message).toContain('cannot create temp file');
    expect(writer.step(10)).toBe('failed');
  });

  test('a page count that differs from the header is a verify failure and no snapshot appears', () => {
    const source = sampleSource(PAGE_SIZE_BYTES, 5, [0, 1]);
    const writer = new SnapshotWriterCore({
      directory: temp.directory,
      fileName: 'dump.snap',
      tempFileName: tempFileNameFor(1),
      header: headerFor(source, { usedPageCount: 3 }),
      source,
    });
    expect(writer.step(100)).toBe('failed');
    expect(writer.failure).toEqual({
      step: 'verify',
      message: 'wrote 2 pages but the heap had 3 in use at the snapshot point',
    });
    expect(fs.readdirSync(temp.directory)).toEqual([]);
  });

  test('abort() removes the temp file and later steps report failed', () => {
    const source = sampleSource(PAGE_SIZE_BYTES, 10, [0, 1, 2, 3]);
    const writer = new SnapshotWriterCore({
      directory: temp.directory,
      fileName: 'dump.snap',
      tempFileName: tempFileNameFor(1),
      header: headerFor(source),
      source,
    });
    expect(writer.step(2)).toBe('more');
    writer.abort();
    expect(fs.readdirSync(temp.directory)).toEqual([]);
    expect(writer.step(2)).toBe('failed');
  });

  test('a reader that throws fails the snapshot at the read step', () => {
    const source = sampleSource(PAGE_SIZE_BYTES, 4, [0, 1]);
    const throwing = {
      pageSizeBytes: source.pageSizeBytes,
      pageCount: source.pageCount,
      readPage: (pageNumber: number): 'copied' | 'unused' => {
        throw new Error(`cannot reach page ${pageNumber}`);
      },
    };
    const writer = new SnapshotWriterCore({
      directory: temp.directory,
      fileName: 'dump.snap',
      tempFileName: tempFileNameFor(1),
      header: headerFor(source),
      source: throwing,
    });
    expect(writer.step(4)).toBe('failed');
    expect(writer.failure).toEqual({ step: 'read', message: 'cannot read page 0: cannot reach page 0' });
    expect(fs.readdirSync(temp.directory)).toEqual([]);
  });
});
