/**
 * A process killed (SIGKILL) in the middle of writing a snapshot leaves the previous snapshot
 * intact and loadable; its temp file is the only trace, and the service removes such leftovers
 * of dead processes. Runs the writer in a child process from the compiled build (dist/).
 */

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, test } from 'vitest';

import { openSnapshotFile } from '../../../src/snapshot/file-reader.js';
import { removeStaleTempFiles } from '../../../src/snapshot/snapshot-service.js';
import { makeTempDirectory, pageImage, sampleSource, writeSnapshotFile } from '../../fixtures/snapshot/snapshot-fixtures.js';

const DIST_ROOT = fileURLToPath(new URL('../../../dist/', import.meta.url));

let temp: { directory: string; remove: () => void };
beforeEach(() => {
  temp = makeTempDirectory();
});
afterEach(() => temp.remove());

/** Writes a big snapshot slowly (one page per step, a pause between) and says when it started. */
const CHILD_SCRIPT = `
import { SnapshotWriterCore } from ${JSON.stringify(path.join(DIST_ROOT, 'src/snapshot/writer-core.js'))};
import { headerFor, sampleSource } from ${JSON.stringify(path.join(DIST_ROOT, 'test/fixtures/snapshot/snapshot-fixtures.js'))};
const source = sampleSource(4096, 4000, Array.from({ length: 4000 }, (_, index) => index));
const writer = new SnapshotWriterCore({
  directory: process.argv[1], fileName: 'dump.snap', tempFileName: 'temp-' + process.pid + '-1.snap',
  header: headerFor(source, { blockPageCount: 1 }), source,
});
const pause = new Int32Array(new SharedArrayBuffer(4));
for (let stepIndex = 0; ; stepIndex += 1) {
  if (writer.step(1) !== 'more') break;
  if (stepIndex === 20) process.stdout.write('started\\n');
  Atomics.wait(pause, 0, 0, 2);
}
process.stdout.write('finished\\n');
`;

function readsCompletely(filePath: string): boolean {
  const opened = openSnapshotFile(filePath);
  if (opened.status !== 'ok') return false;
  try {
    let count = 0;
    for (const page of opened.reader.pages()) count += page.bytes.length > 0 ? 1 : 0;
    return count === opened.reader.header.usedPageCount;
  } catch {
    return false;
  } finally {
    opened.reader.close();
  }
}

describe('crash safety', () => {
  test('SIGKILL in the middle of a write leaves the previous snapshot intact and loadable', async () => {
    expect(fs.existsSync(path.join(DIST_ROOT, 'src/snapshot/writer-core.js')), 'run tsc first').toBe(true);
    const previousPath = writeSnapshotFile({ directory: temp.directory, fileName: 'dump.snap', source: sampleSource(256, 10, [0, 4]) });
    const previousBytes = fs.readFileSync(previousPath);
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD_SCRIPT, temp.directory], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('started')) resolve();
        if (chunk.toString().includes('finished')) reject(new Error('the child finished before it was killed'));
      });
      child.on('exit', (code) => reject(new Error(`the child exited early with code ${code}`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));

    expect(fs.readFileSync(previousPath).equals(previousBytes)).toBe(true);
    expect(readsCompletely(previousPath)).toBe(true);
    const leftovers = fs.readdirSync(temp.directory).filter((name) => name.startsWith('temp-'));
    expect(leftovers).toEqual([`temp-${child.pid}-1.snap`]);
    expect(readsCompletely(path.join(temp.directory, leftovers[0]))).toBe(false);

    expect(removeStaleTempFiles(temp.directory)).toEqual([leftovers[0]]);
    expect(fs.readdirSync(temp.directory)).toEqual(['dump.snap']);
  });

  test("removeStaleTempFiles() keeps this process's temp files and other files", () => {
    const mine = `temp-${process.pid}-3.snap`;
    fs.writeFileSync(path.join(temp.directory, mine), pageImage(1, 16));
    fs.writeFileSync(path.join(temp.directory, 'temp-notes.txt'), 'x');
    fs.writeFileSync(path.join(temp.directory, 'dump.snap'), 'x');
    expect(removeStaleTempFiles(temp.directory)).toEqual([]);
    expect(fs.readdirSync(temp.directory).sort()).toEqual(['dump.snap', mine, 'temp-notes.txt'].sort());
  });
});
