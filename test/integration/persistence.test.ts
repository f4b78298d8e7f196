import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { encodeCommand, readable } from '../helpers/resp.js';
import { makeDataDirectory } from '../helpers/server-process.js';
import { stopServersAfterEach } from '../fixtures/snapshot/server-runs.js';

const { start } = stopServersAfterEach();

describe('snapshots through the server', () => {
  test('SAVE then a restart on the same dir restores the same data (digest)', async () => {
    const directory = makeDataDirectory();
    const first = await start(['--dir', directory, '--save', '']);
    for (let index = 0; index < 200; index++) await first.client.send(['SET', `key:${index}`, `value:${index}`]);
    await first.client.send(['SELECT', '3']);
    await first.client.send(['SET', 'in-db-3', 'x']);
    const digest = readable(await first.client.send(['DEBUG', 'DIGEST']));
    expect(await first.client.send(['SAVE'])).toEqual({ simple: 'OK' });
    expect(existsSync(path.join(directory, 'dump.snap'))).toBe(true);
    await first.server.stop();

    const second = await start(['--dir', directory, '--save', '']);
    expect(readable(await second.client.send(['DEBUG', 'DIGEST']))).toEqual(digest);
    expect(readable(await second.client.send(['GET', 'key:7']))).toBe('value:7');
  });

  test('BGSAVE while clients keep writing saves the data as it was when it began', async () => {
    const directory = makeDataDirectory();
    const first = await start(['--dir', directory, '--save', '']);
    for (let index = 0; index < 500; index++) first.client.writeRaw(encodeCommand(['SET', `k${index}`, 'before']));
    for (let index = 0; index < 500; index++) await first.client.read();
    const digest = readable(await first.client.send(['DEBUG', 'DIGEST']));
    const writes = Buffer.concat(Array.from({ length: 500 }, (_, index) => encodeCommand(['SET', `k${index}`, 'after'])));
    first.client.writeRaw(Buffer.concat([encodeCommand(['BGSAVE']), writes]));
    expect(await first.client.read()).toEqual({ simple: 'Background saving started' });
    for (let index = 0; index < 500; index++) await first.client.read();
    for (let attempt = 0; attempt < 200; attempt++) {
      const info = readable(await first.client.send(['INFO', 'persistence'])) as string;
      if (info.includes('rdb_bgsave_in_progress:0')) {
        expect(info).toContain('rdb_last_bgsave_status:ok');
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await first.server.stop();
    const second = await start(['--dir', directory, '--save', '']);
    expect(readable(await second.client.send(['DEBUG', 'DIGEST']))).toEqual(digest);
  });

  test('SHUTDOWN with save rules writes a final snapshot; SHUTDOWN NOSAVE does not', async () => {
    const directory = makeDataDirectory();
    const first = await start(['--dir', directory, '--save', '3600 1']);
    await first.client.send(['SET', 'kept', 'yes']);
    first.client.writeRaw(encodeCommand(['SHUTDOWN']));
    await first.client.waitForClose();
    expect(await first.server.exited()).toBe(0);
    const second = await start(['--dir', directory, '--save', '3600 1']);
    expect(readable(await second.client.send(['GET', 'kept']))).toBe('yes');
    await second.client.send(['SET', 'lost', 'yes']);
    second.client.writeRaw(encodeCommand(['SHUTDOWN', 'NOSAVE']));
    await second.client.waitForClose();
    await second.server.exited();
    const third = await start(['--dir', directory, '--save', '']);
    expect(readable(await third.client.send(['GET', 'lost']))).toBeNull();
    expect(readable(await third.client.send(['LASTSAVE']))).toEqual(expect.any(Number));
  });
});
