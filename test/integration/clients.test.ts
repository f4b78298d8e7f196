import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startServer } from '../helpers/server-process.js';
import type { ServerProcess } from '../helpers/server-process.js';

const execFileAsync = promisify(execFile);

/** Path of a tool, or a test failure that says how to install it (never a silent skip). */
function requireTool(name: string): string {
  try {
    return execFileSync('which', [name], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`${name} is not installed; install it with: apt-get install -y redis-tools`);
  }
}

let server: ServerProcess;

beforeAll(async () => {
  server = await startServer(['--save', '']);
});

afterAll(async () => {
  await server?.stop();
});

describe('redis-cli and redis-benchmark', () => {
  async function cli(...args: string[]): Promise<string> {
    const { stdout } = await execFileAsync(requireTool('redis-cli'), ['-p', String(server.port), ...args]);
    return stdout.trim();
  }

  test('redis-cli runs PING, SET, GET, INFO and CONFIG GET', async () => {
    expect(await cli('PING')).toBe('PONG');
    expect(await cli('SET', 'cli-key', 'v1')).toBe('OK');
    expect(await cli('GET', 'cli-key')).toBe('v1');
    expect(await cli('INFO', 'server')).toMatch(/redis_version:\d/);
    expect((await cli('CONFIG', 'GET', 'port')).split('\n')).toEqual(['port', String(server.port)]);
  });

  test('redis-cli --pipe mass insertion reports no errors', async () => {
    const lines = Array.from({ length: 500 }, (_, index) => `SET pipe:${index} ${index}`).join('\r\n');
    const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) => {
      const child = execFile(requireTool('redis-cli'), ['-p', String(server.port), '--pipe'], (error, out) => (error ? reject(error) : resolve({ stdout: out })));
      child.stdin!.end(`${lines}\r\n`);
    });
    expect(stdout).toMatch(/errors: 0, replies: 500/);
    expect(await cli('GET', 'pipe:499')).toBe('499');
  });

  test('a short redis-benchmark run of ping, set and get reports no errors', async () => {
    const { stdout, stderr } = await execFileAsync(requireTool('redis-benchmark'), [
      '-p', String(server.port), '-q', '-n', '2000', '-t', 'ping,set,get',
    ], { timeout: 120_000 });
    const summary = `${stdout}\n${stderr}`;
    expect(summary).not.toMatch(/error/i);
    for (const name of ['PING_INLINE', 'PING_MBULK', 'SET', 'GET']) {
      expect(summary).toMatch(new RegExp(`${name}: [\\d.]+ requests per second`));
    }
  });
});

describe('ioredis', () => {
  let client: Redis;

  beforeAll(async () => {
    client = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
    await client.connect();
  });

  afterAll(async () => {
    client?.disconnect();
  });

  test('PING, ECHO, SET/GET, SELECT and pipelining', async () => {
    expect(await client.ping()).toBe('PONG');
    expect(await client.echo('hi')).toBe('hi');
    expect(await client.set('io:k', 'v')).toBe('OK');
    expect(await client.get('io:k')).toBe('v');
    const results = await client.pipeline().set('io:a', '1').incr('io:a').get('io:a').exec();
    expect(results).toEqual([[null, 'OK'], [null, 2], [null, '2']]);
    const other = new Redis({ port: server.port, db: 3, lazyConnect: true });
    await other.connect();
    await other.set('io:db3', 'x');
    expect(await client.get('io:db3')).toBeNull();
    other.disconnect();
  });

  test('MULTI/EXEC and WATCH', async () => {
    expect(await client.multi().set('io:tx', '1').incr('io:tx').exec()).toEqual([[null, 'OK'], [null, 2]]);
    await client.watch('io:tx');
    const intruder = new Redis({ port: server.port, lazyConnect: true });
    await intruder.connect();
    await intruder.set('io:tx', 'changed');
    expect(await client.multi().set('io:tx', 'mine').exec()).toBeNull();
    intruder.disconnect();
  });

  test('pub/sub delivers messages to a subscriber', async () => {
    const subscriber = new Redis({ port: server.port, lazyConnect: true });
    await subscriber.connect();
    const received = new Promise<[string, string]>((resolve) => subscriber.on('message', (channel: string, message: string) => resolve([channel, message])));
    await subscriber.subscribe('io:chan');
    expect(await client.publish('io:chan', 'hello')).toBe(1);
    expect(await received).toEqual(['io:chan', 'hello']);
    subscriber.disconnect();
  });

  test('CONFIG GET, INFO and SCAN', async () => {
    expect(await client.config('GET', 'databases')).toEqual(['databases', '16']);
    expect(await client.info('replication')).toMatch(/role:master/);
    for (let index = 0; index < 30; index++) await client.set(`io:scan:${index}`, 'v');
    const keys = new Set<string>();
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'MATCH', 'io:scan:*', 'COUNT', 10);
      for (const key of batch) keys.add(key);
      cursor = next;
    } while (cursor !== '0');
    expect(keys.size).toBe(30);
  });
});

describe('node-redis (RESP3)', () => {
  test('connects with RESP3, runs commands, transactions and pub/sub', async () => {
    const client = createClient({ socket: { port: server.port, host: '127.0.0.1' }, RESP: 3 });
    client.on('error', () => undefined);
    await client.connect();
    expect(await client.ping()).toBe('PONG');
    expect(await client.set('nr:k', 'v')).toBe('OK');
    expect(await client.get('nr:k')).toBe('v');
    expect(await client.get('nr:missing')).toBeNull();
    expect(await client.multi().set('nr:tx', '5').incrBy('nr:tx', 2).exec()).toEqual(['OK', 7]);
    const info = await client.info('server');
    expect(info).toMatch(/redis_version:/);
    const subscriber = client.duplicate();
    subscriber.on('error', () => undefined);
    await subscriber.connect();
    const received = new Promise<string>((resolve) => {
      void subscriber.subscribe('nr:chan', (message) => resolve(message));
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await client.publish('nr:chan', 'payload')).toBe(1);
    expect(await received).toBe('payload');
    await subscriber.quit();
    await client.quit();
  });

  test('selects a database and aborts a transaction whose watched key changed', async () => {
    const client = createClient({ socket: { port: server.port, host: '127.0.0.1' }, database: 2, RESP: 3 });
    client.on('error', () => undefined);
    await client.connect();
    await client.set('nr:db2', 'here');
    const other = createClient({ socket: { port: server.port, host: '127.0.0.1' }, database: 2 });
    other.on('error', () => undefined);
    await other.connect();
    expect(await other.get('nr:db2')).toBe('here');
    await client.watch('nr:db2');
    await other.set('nr:db2', 'changed');
    await expect(client.multi().set('nr:db2', 'mine').exec()).rejects.toThrow(/WATCH|aborted|null/i);
    expect(await other.get('nr:db2')).toBe('changed');
    await other.quit();
    await client.quit();
  });

  test('authenticates with a password on a server that requires one (node-redis and ioredis)', async () => {
    const secured = await startServer(['--requirepass', 'pw']);
    try {
      const client = createClient({ socket: { port: secured.port, host: '127.0.0.1' }, password: 'pw', RESP: 3 });
      client.on('error', () => undefined);
      await client.connect();
      expect(await client.ping()).toBe('PONG');
      await client.quit();
      const io = new Redis({ port: secured.port, host: '127.0.0.1', password: 'pw', lazyConnect: true });
      await io.connect();
      expect(await io.ping()).toBe('PONG');
      io.disconnect();
    } finally {
      await secured.stop();
    }
  });
});
