/**
 * DEBUG RELOAD through a real server: it saves, loads the file back and checks it against
 * memory; the dataset (strings with holes, an expiry, several databases) answers the same afterwards
 * and the file on disk restarts into the same digest. When the save fails (the directory is
 * gone) the reply is Redis's bare -ERR and the data stays. Options Redis accepts but we do not
 * implement are refused by name, unknown ones with Redis's text.
 */

import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { RawClient } from '../helpers/raw-client.js';
import { readable } from '../helpers/resp.js';
import { makeDataDirectory } from '../helpers/server-process.js';
import { stopServersAfterEach } from '../fixtures/snapshot/server-runs.js';

const { start } = stopServersAfterEach();

/** Strings with holes between them (deleted keys), a key with a TTL, keys in db 0 and db 5
 *  (strings are the only type cowkv has). */
async function writeDataset(client: RawClient): Promise<void> {
  for (let index = 0; index < 300; index++) await client.send(['SET', `key:${index}`, `value:${index}:${'x'.repeat(index % 50)}`]);
  for (let index = 0; index < 300; index += 7) await client.send(['DEL', `key:${index}`]); // holes in the heap
  await client.send(['SET', 'expiring', 'soon', 'EX', '1000']);
  await client.send(['SELECT', '5']);
  await client.send(['SET', 'in-db-5', 'five']);
  await client.send(['SELECT', '0']);
}

async function snapshotOfValues(client: RawClient): Promise<unknown[]> {
  return [
    readable(await client.send(['GET', 'key:1'])),
    readable(await client.send(['GET', 'key:7'])),
    (await client.send(['TTL', 'expiring'])) as number > 900,
    readable(await client.send(['DBSIZE'])),
  ];
}

describe('DEBUG RELOAD', () => {
  test('saves, reloads and answers with the same digest and values; the file restarts the same', async () => {
    const directory = makeDataDirectory();
    const first = await start(['--dir', directory, '--save', '']);
    await writeDataset(first.client);
    const digest = readable(await first.client.send(['DEBUG', 'DIGEST']));
    const values = await snapshotOfValues(first.client);
    expect(values[1]).toBeNull(); // key:7 was deleted

    expect(await first.client.send(['DEBUG', 'RELOAD'])).toEqual({ simple: 'OK' });
    expect(readable(await first.client.send(['DEBUG', 'DIGEST']))).toEqual(digest);
    expect(await snapshotOfValues(first.client)).toEqual(values);
    expect(first.server.output()).toContain('DB reloaded by DEBUG RELOAD');
    expect(existsSync(path.join(directory, 'dump.snap'))).toBe(true);
    // The server keeps working after a reload: write, reload again.
    await first.client.send(['SET', 'after', 'reload']);
    expect(await first.client.send(['DEBUG', 'RELOAD'])).toEqual({ simple: 'OK' });
    const digestAfter = readable(await first.client.send(['DEBUG', 'DIGEST']));
    expect(digestAfter).not.toEqual(digest);
    await first.server.stop();

    const second = await start(['--dir', directory, '--save', '']);
    expect(readable(await second.client.send(['DEBUG', 'DIGEST']))).toEqual(digestAfter);
    expect(readable(await second.client.send(['GET', 'after']))).toBe('reload');
  });

  test('a failed save replies -ERR and leaves the data as it was', async () => {
    const directory = makeDataDirectory();
    const { server, client } = await start(['--dir', directory, '--save', '']);
    await writeDataset(client);
    const digest = readable(await client.send(['DEBUG', 'DIGEST']));
    const values = await snapshotOfValues(client);
    rmSync(directory, { recursive: true, force: true });

    expect(await client.send(['DEBUG', 'RELOAD'])).toEqual({ error: 'ERR' });
    expect(readable(await client.send(['DEBUG', 'DIGEST']))).toEqual(digest);
    expect(await snapshotOfValues(client)).toEqual(values);
    expect(server.output()).toContain('DEBUG RELOAD: save failed');
  });

  test('options: Redis\'s unknown-option error, and MERGE/NOFLUSH/NOSAVE refused by name', async () => {
    const { client } = await start(['--save', '']);
    await client.send(['SET', 'k', 'v']);
    expect(await client.send(['DEBUG', 'RELOAD', 'bogus'])).toEqual({
      error: 'ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.',
    });
    expect(await client.send(['DEBUG', 'RELOAD', 'nosave'])).toEqual({ error: 'ERR DEBUG RELOAD NOSAVE is not supported by this server' });
    expect(readable(await client.send(['GET', 'k']))).toBe('v');
  });
});
