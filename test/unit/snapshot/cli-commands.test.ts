/**
 * `cowkv snapshot inspect|verify`: reports, verdicts and exit codes, and registration on a
 * commander program.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';

import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';

import { createHeap } from '../../../src/cow/paged-heap.js';
import { Store } from '../../../src/store/store.js';
import {
  EXIT_CODE_INVALID,
  EXIT_CODE_VALID,
  registerSnapshotCommands,
  runInspectCommand,
  runVerifyCommand,
} from '../../../src/snapshot/cli-commands.js';
import { inspectSnapshot } from '../../../src/snapshot/inspect.js';
import { InProcessSnapshot } from '../../../src/snapshot/in-process-snapshot.js';
import { takeSnapshotPoint } from '../../../src/snapshot/snapshot-point.js';
import { makeTempDirectory } from '../../fixtures/snapshot/snapshot-fixtures.js';

let temp: { directory: string; remove: () => void };
beforeEach(() => {
  temp = makeTempDirectory();
});
afterEach(() => temp.remove());

function saveStore(options: { checksums?: boolean } = {}): string {
  const heap = createHeap({ pageSizeBytes: 1024, maxMemoryBytes: 0, segmentPageCount: 32 });
  const store = Store.create(heap, { hashSeed: 1 });
  for (let index = 0; index < 30; index += 1) store.set(index % 2 === 0 ? 0 : 5, Buffer.from(`k${index}`), Buffer.alloc(100, index));
  const point = takeSnapshotPoint(heap, {
    strategy: 'stw',
    keyCountsPerDb: store.keyCountsPerDb(),
    checksums: options.checksums ?? true,
    createdAtMs: Date.UTC(2026, 10, 23, 17, 0, 0),
  });
  const snapshot = new InProcessSnapshot(point, { directory: temp.directory, fileName: 'dump.snap', tempFileName: 'temp-1-1.snap' });
  expect(snapshot.runToEnd(1000)).toBe('done');
  return snapshot.finalPath;
}

describe('snapshot inspect and verify', () => {
  test('inspect reports header facts, pages per segment and keys per database', () => {
    const filePath = saveStore();
    const outcome = runInspectCommand(filePath);
    expect(outcome.exitCode).toBe(EXIT_CODE_VALID);
    expect(outcome.output).toContain(`file: ${filePath} (${fs.statSync(filePath).size} bytes)`);
    expect(outcome.output).toContain('created: 2026-11-23T17:00:00.000Z');
    expect(outcome.output).toContain('strategy: stw');
    expect(outcome.output).toContain('page size: 1024 bytes');
    expect(outcome.output).toContain('keys: 30 (db0=15 db5=15)');
    expect(outcome.output).toContain('checksums: yes (verified)');
    const inspected = inspectSnapshot(filePath);
    expect(inspected.status === 'ok' && inspected.report.usedPagesPerSegment.reduce((a, b) => a + b, 0)).toBe(
      inspected.status === 'ok' && inspected.report.header.usedPageCount,
    );
  });

  test('inspect --json prints the report as JSON', () => {
    const outcome = runInspectCommand(saveStore(), { json: true });
    const parsed = JSON.parse(outcome.output) as { header: { strategy: string }; trailer: { recordCount: number } };
    expect(parsed.header.strategy).toBe('stw');
    expect(parsed.trailer.recordCount).toBeGreaterThan(0);
  });

  test('verify exits 0 for a good file and 1 with the refusal for a corrupt one', () => {
    const filePath = saveStore();
    const good = runVerifyCommand(filePath);
    expect(good.exitCode).toBe(EXIT_CODE_VALID);
    expect(good.output).toMatch(/^OK .*dump\.snap: \d+ pages in \d+ blocks, checksums verified\n$/);
    const bytes = fs.readFileSync(filePath);
    bytes[bytes.length - 1] ^= 1;
    fs.writeFileSync(filePath, bytes);
    const bad = runVerifyCommand(filePath);
    expect(bad.exitCode).toBe(EXIT_CODE_INVALID);
    expect(bad.errorOutput).toBe(`Cannot load snapshot "${filePath}": file checksum at byte ${bytes.length - 4} does not match\n`);
  });

  test('verify --deep rebuilds the heap and attaches the keyspace', () => {
    const outcome = runVerifyCommand(saveStore({ checksums: false }), { deep: true });
    expect(outcome.exitCode).toBe(EXIT_CODE_VALID);
    expect(outcome.output).toContain('no checksums in file (rdbchecksum no)');
    expect(outcome.output).toMatch(/OK heap integrity ok: \d+ allocations/);
    expect(outcome.output).toContain('OK keyspace attached: 30 keys, as the header says');
  });

  test('verify of a file that is not there exits 1', () => {
    const outcome = runVerifyCommand(path.join(temp.directory, 'absent.snap'));
    expect(outcome.exitCode).toBe(EXIT_CODE_INVALID);
    expect(outcome.errorOutput).toContain('cannot open file');
  });

  test('registerSnapshotCommands() adds snapshot inspect and verify to a commander program', async () => {
    const filePath = saveStore();
    let output = '';
    const codes: number[] = [];
    const program = new Command('cowkv').exitOverride();
    program.configureOutput({ writeOut: (text) => (output += text), writeErr: (text) => (output += text) });
    registerSnapshotCommands(program, { onExitCode: (code) => codes.push(code) });
    await program.parseAsync(['snapshot', 'verify', filePath], { from: 'user' });
    await program.parseAsync(['snapshot', 'inspect', path.join(temp.directory, 'absent.snap')], { from: 'user' });
    expect(codes).toEqual([EXIT_CODE_VALID, EXIT_CODE_INVALID]);
    expect(output).toContain(`OK ${filePath}`);
    expect(output).toContain('Cannot load snapshot');
  });
});
