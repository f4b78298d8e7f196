/**
 * Snapshots through the real process: a BGSAVE holds exactly the values from its snapshot point
 * while clients overwrite every key and add new ones; SHUTDOWN SAVE and restart give the same
 * DEBUG DIGEST; SIGTERM saves when save rules exist and not otherwise; BGSAVE STRATEGY picks
 * the strategy per call; FLUSHALL stops a running BGSAVE and saves the empty keyspace when save
 * rules exist.
 * How the snapshot point is known exactly: commands are atomic and run in order, so on one
 * pipelined connection every write sent before BGSAVE is in the snapshot and every write sent
 * after is not, however fast the worker is. A second connection writing seq:<n> keys in order
 * checks the same from outside: the snapshot holds a gap-free prefix of them.
 */

import { describe, expect, test } from 'vitest';

import { encodeCommand, readable } from '../helpers/resp.js';
import { makeDataDirectory } from '../helpers/server-process.js';
import { persistenceInfo, pipeline, readKeyspace, stopServersAfterEach, waitForBackgroundSave } from '../fixtures/snapshot/server-runs.js';

/** Keys filled before the snapshot (values ~100 bytes, so the heap spans many pages). */
const FILL_KEY_COUNT = 20_000;
const NEW_KEY_COUNT = 5_000;
const SEQUENCE_BATCH_COUNT = 20;
const SEQUENCE_BATCH_KEY_COUNT = 200;

const { start, connect } = stopServersAfterEach();

function valueOf(key: string, round: number): string {
  return `${key}:round-${round}:`.padEnd(100, 'x');
}

describe('a background save through the server', () => {
  test('holds exactly the values from its snapshot point while clients overwrite and add keys', async () => {
    const directory = makeDataDirectory();
    const first = await start(['--dir', directory, '--save', '']);
    const keys = Array.from({ length: FILL_KEY_COUNT }, (_, index) => `key:${index}`);
    await pipeline(first.client, keys.map((key) => ['SET', key, valueOf(key, 0)]));

    // Another client writes seq:0, seq:1, ... in order for the whole time.
    const sequencer = await connect(first.server);
    let sequenceCount = 0;
    const sequencing = (async () => {
      for (let batch = 0; batch < SEQUENCE_BATCH_COUNT; batch += 1) {
        const commands = Array.from({ length: SEQUENCE_BATCH_KEY_COUNT }, (_, index) => ['SET', `seq:${sequenceCount + index}`, 'v']);
        await pipeline(sequencer, commands);
        sequenceCount += SEQUENCE_BATCH_KEY_COUNT;
      }
    })();

    // One write: half the keys at round 1, then BGSAVE, then every key at round 2 and new keys.
    const before = keys.filter((_, index) => index % 2 === 0).map((key) => ['SET', key, valueOf(key, 1)]);
    const after = [
      ...keys.map((key) => ['SET', key, valueOf(key, 2)]),
      ...Array.from({ length: NEW_KEY_COUNT }, (_, index) => ['SET', `new:${index}`, 'added after the snapshot point']),
      ['DEL', 'key:1'],
    ];
    const replies = await pipeline(first.client, [...before, ['BGSAVE'], ...after]);
    expect(replies[before.length]).toEqual({ simple: 'Background saving started' });
    await sequencing;
    const info = await waitForBackgroundSave(first.client);
    expect(info.get('rdb_last_bgsave_status')).toBe('ok');
    expect(info.get('snapshot_strategy')).toBe('cow');
    await first.server.stop();

    const second = await start(['--dir', directory, '--save', '']);
    const loaded = await readKeyspace(second.client);
    for (const [index, key] of keys.entries()) {
      const expected = valueOf(key, index % 2 === 0 ? 1 : 0);
      if (loaded.get(key) !== expected) expect(`${key} = ${loaded.get(key)}`).toBe(`${key} = ${expected}`);
    }
    expect([...loaded.keys()].filter((key) => key.startsWith('new:'))).toEqual([]);
    const sequenceKeys = [...loaded.keys()].filter((key) => key.startsWith('seq:'));
    const sequenceNumbers = sequenceKeys.map((key) => Number(key.slice(4))).sort((a, b) => a - b);
    // A gap-free prefix seq:0 .. seq:n-1: nothing written after the point, nothing before lost.
    expect(sequenceNumbers).toEqual(Array.from({ length: sequenceNumbers.length }, (_, index) => index));
    expect(loaded.size).toBe(FILL_KEY_COUNT + sequenceNumbers.length);
  });

  test('BGSAVE STRATEGY picks the strategy for one call; every strategy restores the same data', async () => {
    const directory = makeDataDirectory();
    const first = await start(['--dir', directory, '--save', '']);
    await pipeline(first.client, Array.from({ length: 2000 }, (_, index) => ['SET', `k${index}`, `v${index}`]));
    const digest = readable(await first.client.send(['DEBUG', 'DIGEST']));
    for (const strategy of ['stw', 'copy', 'cow']) {
      expect(await first.client.send(['BGSAVE', 'STRATEGY', strategy])).toEqual({ simple: 'Background saving started' });
      const info = await waitForBackgroundSave(first.client);
      expect(info.get('rdb_last_bgsave_status')).toBe('ok');
      expect(info.get('snapshot_strategy')).toBe(strategy);
    }
    expect(await first.client.send(['BGSAVE', 'STRATEGY', 'fork'])).toEqual({ error: 'ERR syntax error' });
    expect(await first.client.send(['BGSAVE', 'STRATEGY'])).toEqual({ error: 'ERR syntax error' });
    // The server-wide default can change at run time too.
    expect(await first.client.send(['CONFIG', 'SET', 'snapshot-strategy', 'copy'])).toEqual({ simple: 'OK' });
    expect(await first.client.send(['BGSAVE', 'SCHEDULE'])).toEqual({ simple: 'Background saving started' });
    expect((await waitForBackgroundSave(first.client)).get('snapshot_strategy')).toBe('copy');
    await first.server.stop();
    const second = await start(['--dir', directory, '--save', '']);
    expect(readable(await second.client.send(['DEBUG', 'DIGEST']))).toEqual(digest);
  });

  test('SHUTDOWN SAVE then a restart gives the same DEBUG DIGEST, across databases and expiries', async () => {
    const directory = makeDataDirectory();
    const first = await start(['--dir', directory, '--save', '']);
    for (const db of [0, 1, 15]) {
      await first.client.send(['SELECT', String(db)]);
      await pipeline(first.client, Array.from({ length: 300 }, (_, index) => ['SET', `db${db}:${index}`, 'x'.repeat(index)]));
      await first.client.send(['SET', `db${db}:expiring`, 'soon', 'EX', '3600']);
      await first.client.send(['INCRBY', `db${db}:counter`, String(db * 1000 + 7)]);
    }
    const digest = readable(await first.client.send(['DEBUG', 'DIGEST']));
    first.client.writeRaw(encodeCommand(['SHUTDOWN', 'SAVE']));
    await first.client.waitForClose();
    expect(await first.server.exited()).toBe(0);

    const second = await start(['--dir', directory, '--save', '']);
    expect(readable(await second.client.send(['DEBUG', 'DIGEST']))).toEqual(digest);
    await second.client.send(['SELECT', '15']);
    expect(readable(await second.client.send(['TTL', 'db15:expiring']))).toBeGreaterThan(3000);
    expect(readable(await second.client.send(['GET', 'db15:counter']))).toBe('15007');
  });

  test('SIGTERM saves before exiting when save rules exist, and not without them', async () => {
    const directory = makeDataDirectory();
    const first = await start(['--dir', directory, '--save', '3600 1']);
    await first.client.send(['SET', 'saved-on-sigterm', 'yes']);
    expect(await first.server.stop()).toBe(0);
    const second = await start(['--dir', directory, '--save', '']);
    expect(readable(await second.client.send(['GET', 'saved-on-sigterm']))).toBe('yes');
    await second.client.send(['SET', 'not-saved', 'yes']);
    expect(await second.server.stop()).toBe(0);
    const third = await start(['--dir', directory, '--save', '']);
    expect(readable(await third.client.send(['GET', 'not-saved']))).toBeNull();
  });

  test('FLUSHALL stops a running BGSAVE and, with save rules, saves the empty keyspace', async () => {
    const directory = makeDataDirectory();
    const first = await start(['--dir', directory, '--save', '3600 1']);
    await pipeline(first.client, Array.from({ length: FILL_KEY_COUNT }, (_, index) => ['SET', `key:${index}`, valueOf(`key:${index}`, 0)]));
    expect(await first.client.send(['SAVE'])).toEqual({ simple: 'OK' });
    const replies = await pipeline(first.client, [['BGSAVE'], ['FLUSHALL'], ['DBSIZE']]);
    expect(replies).toEqual([{ simple: 'Background saving started' }, { simple: 'OK' }, 0]);
    const info = await waitForBackgroundSave(first.client);
    expect(info.get('rdb_last_bgsave_status')).toBe('ok');
    // The save after FLUSHALL runs once the stopped one has ended; wait for the change count to return to 0.
    for (let attempt = 0; attempt < 200 && (await persistenceInfo(first.client)).get('rdb_changes_since_last_save') !== '0'; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    first.server.child.kill('SIGKILL');
    await first.server.exited();

    const second = await start(['--dir', directory, '--save', '']);
    expect(await second.client.send(['DBSIZE'])).toEqual(0);
  });
});
