/**
 * Bad snapshot files and bad directories through the real process.
 * - A truncated, bit-flipped, newer-format or foreign snapshot stops start-up: the server exits
 *   non-zero with `Cannot load snapshot "<path>": <reason>`, never serves half a dataset, and
 *   leaves the file byte for byte as it was. Each start costs a process, so this samples
 *   truncation lengths (both ends, the header edges, the middle) and a few seeded bit flips;
 *   every length and every bit are covered in-process by test/unit/snapshot (loader, file-reader).
 * - A snapshot into a directory removed underneath the server (as root, chmod cannot make a
 *   directory unwritable) fails cleanly: status err in INFO, MISCONF on writes while save rules
 *   exist, reads keep working, and a later successful save lifts the block.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';

import { describe, expect, test } from 'vitest';

import { readable } from '../helpers/resp.js';
import { makeDataDirectory } from '../helpers/server-process.js';
import { writeCorruptSnapshots } from '../fixtures/snapshot/corrupt-snapshots.js';
import { persistenceInfo, pipeline, runUntilExit, stopServersAfterEach, waitForBackgroundSave } from '../fixtures/snapshot/server-runs.js';
import { PREFIX_BYTES } from '../../src/snapshot/format.js';

const BIT_FLIP_COUNT = 8;
const BIT_FLIP_SEED = 20_251_123;

const { start } = stopServersAfterEach();

/** A small valid snapshot written by the real server; returns its bytes. */
async function writeSmallSnapshot(): Promise<Buffer> {
  const directory = makeDataDirectory();
  const { client } = await start(['--dir', directory, '--save', '']);
  await pipeline(client, Array.from({ length: 50 }, (_, index) => ['SET', `key:${index}`, `value:${index}`]));
  expect(await client.send(['SAVE'])).toEqual({ simple: 'OK' });
  return fs.readFileSync(path.join(directory, 'dump.snap'));
}

/** Starts a server on a directory holding only `bytes` as dump.snap; expects a refusal. */
async function expectRefused(bytes: Buffer, what: string): Promise<string> {
  const directory = makeDataDirectory();
  const filePath = path.join(directory, 'dump.snap');
  fs.writeFileSync(filePath, bytes);
  const run = await runUntilExit(['--dir', directory, '--save', '3600 1']);
  expect(run.didStart, `${what}: the server started on a bad file\n${run.output}`).toBe(false);
  expect(run.exitCode, `${what}\n${run.output}`).toBe(1);
  expect(run.output, what).toContain(`Cannot load snapshot "${filePath}": `);
  expect(fs.readFileSync(filePath).equals(bytes), `${what}: the file was changed`).toBe(true);
  expect(fs.readdirSync(directory), `${what}: files were added`).toEqual(['dump.snap']);
  return run.output;
}

describe('a bad snapshot file at start-up', () => {
  test('a truncated file is refused at sampled lengths, naming where it ends', async () => {
    const bytes = await writeSmallSnapshot();
    const headerEnd = PREFIX_BYTES + bytes.readUInt32LE(12);
    const lengths = [0, 1, PREFIX_BYTES - 1, headerEnd, headerEnd + 4, Math.floor(bytes.length / 2), bytes.length - 1];
    for (const length of lengths) {
      const output = await expectRefused(bytes.subarray(0, length), `cut at ${length} of ${bytes.length} bytes`);
      expect(output).toContain(`file ends after ${length} bytes`);
    }
  });

  test('seeded random bit flips are refused', async () => {
    const bytes = await writeSmallSnapshot();
    let state = BIT_FLIP_SEED;
    for (let flip = 0; flip < BIT_FLIP_COUNT; flip += 1) {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      const bit = state % (bytes.length * 8);
      const flipped = Buffer.from(bytes);
      flipped[bit >> 3] ^= 1 << (bit & 7);
      await expectRefused(flipped, `bit ${bit} flipped (seed ${BIT_FLIP_SEED})`);
    }
  });

  test('a newer format and a foreign file are refused with their reasons', async () => {
    const bytes = await writeSmallSnapshot();
    const source = path.join(makeDataDirectory(), 'valid.snap');
    fs.writeFileSync(source, bytes);
    for (const variant of writeCorruptSnapshots(source, path.dirname(source))) {
      if (variant.name !== 'newer-version' && variant.name !== 'foreign') continue;
      const output = await expectRefused(fs.readFileSync(variant.filePath), variant.name);
      expect(output).toContain(variant.expectedReason);
    }
  });
});

describe('a snapshot into a directory that is gone', () => {
  test('fails cleanly: err in INFO, MISCONF on writes, reads served, lifted by a good save', async () => {
    const directory = makeDataDirectory();
    const { server, client } = await start(['--dir', directory, '--save', '3600 1']);
    await client.send(['SET', 'kept', 'yes']);
    fs.rmSync(directory, { recursive: true });

    expect(await client.send(['BGSAVE'])).toEqual({ simple: 'Background saving started' });
    const info = await waitForBackgroundSave(client);
    expect(info.get('rdb_last_bgsave_status')).toBe('err');
    const refused = (await client.send(['SET', 'other', 'no'])) as { error: string };
    expect(refused.error).toMatch(/^MISCONF /);
    expect(readable(await client.send(['GET', 'kept']))).toBe('yes');
    expect(await client.send(['SAVE'])).toEqual({ error: 'ERR' });
    expect(server.output()).toMatch(/Background saving error: failed at \w+/);

    fs.mkdirSync(directory);
    expect(await client.send(['BGSAVE'])).toEqual({ simple: 'Background saving started' });
    expect((await waitForBackgroundSave(client)).get('rdb_last_bgsave_status')).toBe('ok');
    expect(await client.send(['SET', 'other', 'yes'])).toEqual({ simple: 'OK' });
    expect(fs.readdirSync(directory)).toEqual(['dump.snap']);
    expect((await persistenceInfo(client)).get('rdb_bgsave_in_progress')).toBe('0');
  });
});
