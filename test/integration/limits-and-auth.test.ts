import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { RawClient } from '../helpers/raw-client.js';
import { encodeCommand, readable } from '../helpers/resp.js';
import { makeDataDirectory, startServer } from '../helpers/server-process.js';
import type { ServerProcess } from '../helpers/server-process.js';

let server: ServerProcess | null = null;

afterEach(async () => {
  await server?.stop();
  server = null;
});

async function infoField(client: RawClient, section: string, field: string): Promise<string> {
  const text = readable(await client.send(['INFO', section])) as string;
  const match = new RegExp(`\\r\\n${field}:([^\\r]*)\\r\\n`).exec(`\r\n${text}`);
  if (match === null) throw new Error(`INFO ${section} has no ${field}:\n${text}`);
  return match[1];
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

describe('limits and authentication against the real process', () => {
  test('requirepass: NOAUTH until AUTH, WRONGPASS for a bad one, HELLO AUTH works', async () => {
    server = await startServer(['--requirepass', 's3cret']);
    const client = await RawClient.connect(server.port);
    expect(await client.send(['GET', 'k'])).toEqual({ error: 'NOAUTH Authentication required.' });
    expect(await client.send(['AUTH', 'wrong'])).toEqual({ error: 'WRONGPASS invalid username-password pair or user is disabled.' });
    expect(await client.send(['AUTH', 's3cret'])).toEqual({ simple: 'OK' });
    expect(await client.send(['GET', 'k'])).toBeNull();
    const other = await RawClient.connect(server.port);
    expect(await other.send(['HELLO', '3'])).toEqual({ error: expect.stringMatching(/^NOAUTH HELLO must be called/) });
    const hello = readable(await other.send(['HELLO', '3', 'AUTH', 'default', 's3cret', 'SETNAME', 'h'])) as { map: unknown[][] };
    expect(Object.fromEntries(hello.map)).toMatchObject({ proto: 3 });
    expect(readable(await other.send(['CLIENT', 'GETNAME']))).toBe('h');
    client.close();
    other.close();
  });

  test('without requirepass, AUTH <password> gets Redis\'s not-configured error', async () => {
    server = await startServer();
    const client = await RawClient.connect(server.port);
    expect(await client.send(['AUTH', 'x'])).toEqual({
      error: 'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
    });
    client.close();
  });

  test('maxclients: one client too many gets the error and is closed', async () => {
    server = await startServer(['--maxclients', '2']);
    const first = await RawClient.connect(server.port);
    const second = await RawClient.connect(server.port);
    expect(await first.send(['PING'])).toEqual({ simple: 'PONG' });
    expect(await second.send(['PING'])).toEqual({ simple: 'PONG' });
    const third = await RawClient.connect(server.port);
    expect(await third.read()).toEqual({ error: 'ERR max number of clients reached' });
    await third.waitForClose();
    expect(await infoField(first, 'stats', 'rejected_connections')).toBe('1');
    first.close();
    second.close();
  });

  test('client-output-buffer-limit: a client that never reads is disconnected', async () => {
    server = await startServer(['--client-output-buffer-limit', 'normal', '1mb', '512kb', '10']);
    const admin = await RawClient.connect(server.port);
    const value = 'x'.repeat(100_000);
    expect(await admin.send(['SET', 'big', value])).toEqual({ simple: 'OK' });
    const reader = await RawClient.connect(server.port);
    reader.socket.pause();
    const requests = Buffer.concat(Array.from({ length: 100 }, () => encodeCommand(['GET', 'big'])));
    for (let round = 0; round < 10; round++) reader.writeRaw(requests);
    await until(async () => (await infoField(admin, 'stats', 'client_output_buffer_limit_disconnections')) !== '0', 'the disconnection');
    expect(server.output()).toMatch(/closed for overcoming of output buffer limits/);
    expect(await admin.send(['PING'])).toEqual({ simple: 'PONG' });
    reader.close();
    admin.close();
  });

  test('client-query-buffer-limit: a client sending a request over the limit is closed', async () => {
    server = await startServer(['--client-query-buffer-limit', '1mb']);
    const client = await RawClient.connect(server.port);
    client.writeRaw('*2\r\n$4\r\nECHO\r\n$5000000\r\n');
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    for (let index = 0; index < 6 && !client.isClosed; index++) client.writeRaw(chunk);
    await client.waitForClose();
    expect(server.output()).toMatch(/Closing client that reached max query buffer length/);
  });

  test('SHUTDOWN ends the process with exit code 0', async () => {
    server = await startServer();
    const client = await RawClient.connect(server.port);
    client.writeRaw(encodeCommand(['SHUTDOWN', 'NOSAVE']));
    await client.waitForClose();
    expect(await server.exited()).toBe(0);
  });

  test('timeout: an idle client is closed, a subscriber is not', async () => {
    server = await startServer(['--timeout', '1']);
    const idle = await RawClient.connect(server.port);
    const subscriber = await RawClient.connect(server.port);
    expect(await idle.send(['PING'])).toEqual({ simple: 'PONG' });
    expect(readable(await subscriber.send(['SUBSCRIBE', 'c']))).toEqual(['subscribe', 'c', 1]);
    await idle.waitForClose();
    expect(subscriber.isClosed).toBe(false);
    subscriber.close();
  });

  test('SIGTERM shuts the server down cleanly with exit code 0', async () => {
    server = await startServer();
    const client = await RawClient.connect(server.port);
    expect(await client.send(['PING'])).toEqual({ simple: 'PONG' });
    expect(await server.stop()).toBe(0);
    await client.waitForClose();
    expect(server.output()).toMatch(/Received SIGTERM scheduling shutdown/);
  });

  test('listens on every bind address, on the same port', async () => {
    server = await startServer(['--bind', '127.0.0.1', '127.0.0.2']);
    for (const host of ['127.0.0.1', '127.0.0.2']) {
      const client = await RawClient.connect(server.port, host);
      expect(await client.send(['PING'])).toEqual({ simple: 'PONG' });
      client.close();
    }
  });

  test('a config file is read at start-up and CONFIG REWRITE updates it', async () => {
    const directory = makeDataDirectory();
    const file = path.join(directory, 'cowkv.conf');
    writeFileSync(file, `# test config\nhz 15\nsave ""\ndir ${directory}\n`);
    server = await startServer([file]);
    const client = await RawClient.connect(server.port);
    expect(readable(await client.send(['CONFIG', 'GET', 'hz']))).toEqual(['hz', '15']);
    expect(readable(await client.send(['INFO', 'server']))).toContain(`config_file:${file}`);
    expect(await client.send(['CONFIG', 'SET', 'hz', '25', 'maxmemory-policy', 'allkeys-lru'])).toEqual({ simple: 'OK' });
    expect(await client.send(['CONFIG', 'REWRITE'])).toEqual({ simple: 'OK' });
    const rewritten = readFileSync(file, 'utf8');
    expect(rewritten).toContain('# test config');
    expect(rewritten).toContain('hz 25');
    expect(rewritten).toContain('maxmemory-policy allkeys-lru');
    client.close();
  });

  test('an invalid option stops start-up with exit code 1 and a clear message', async () => {
    await expect(startServer(['--page-size', '3000'])).rejects.toThrow(/page-size.*power of two/);
    await expect(startServer(['--no-such-option', '1'])).rejects.toThrow(/unknown option 'no-such-option'/);
  });
});
