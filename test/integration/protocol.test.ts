import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RawClient } from '../helpers/raw-client.js';
import { readable } from '../helpers/resp.js';
import { startServer } from '../helpers/server-process.js';
import type { ServerProcess } from '../helpers/server-process.js';

let server: ServerProcess;

beforeAll(async () => {
  server = await startServer(['--save', '']);
});

afterAll(async () => {
  await server?.stop();
});

async function connect(): Promise<RawClient> {
  return RawClient.connect(server.port);
}

async function send(client: RawClient, argv: string[]): Promise<unknown> {
  return readable(await client.send(argv));
}

describe('the server over a raw socket', () => {
  test('answers PING, ECHO and an inline PING', async () => {
    const client = await connect();
    expect(await send(client, ['PING'])).toEqual({ simple: 'PONG' });
    expect(await send(client, ['ECHO', 'hello'])).toBe('hello');
    client.writeRaw('PING\r\n');
    expect(await client.read()).toEqual({ simple: 'PONG' });
    client.close();
  });

  test('answers pipelined commands in order', async () => {
    const client = await connect();
    client.writeRaw('PING\r\nECHO a\r\n*2\r\n$4\r\nECHO\r\n$1\r\nb\r\n');
    expect(readable(await client.read())).toEqual({ simple: 'PONG' });
    expect(readable(await client.read())).toBe('a');
    expect(readable(await client.read())).toBe('b');
    client.close();
  });

  test('a long pipeline across databases, with multi-key commands and a request split over reads, answers as sent one by one', async () => {
    // Pipelines of several requests go through the key prefetch (key-prefetch.ts); it must not
    // change an answer, whatever the database, command or framing.
    const client = await connect();
    const encode = (argv: string[]): string => `*${argv.length}\r\n${argv.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
    const requests: string[][] = [];
    const expected: unknown[] = [];
    for (let index = 0; index < 40; index++) {
      requests.push(['MSET', `pf-${index}`, `db0-${index}`, `pf-other-${index}`, `o${index}`]);
      expected.push({ simple: 'OK' });
    }
    requests.push(['SELECT', '1']);
    expected.push({ simple: 'OK' });
    for (let index = 0; index < 40; index += 2) {
      requests.push(['SET', `pf-${index}`, `db1-${index}`]);
      expected.push({ simple: 'OK' });
    }
    for (let index = 0; index < 40; index++) {
      requests.push(['GET', `pf-${index}`]);
      expected.push(index % 2 === 0 ? `db1-${index}` : null);
    }
    requests.push(['SELECT', '0'], ['MGET', 'pf-1', 'pf-other-2', 'nope'], ['NOSUCH', 'pf-3'], ['DEL', 'pf-4', 'pf-5'], ['INCR', 'pf-count']);
    expected.push({ simple: 'OK' }, ['db0-1', 'o2', null], { error: "ERR unknown command 'NOSUCH', with args beginning with: 'pf-3' " }, 2, 1);
    const bytes = Buffer.from(requests.map(encode).join('') + 'GET pf-6\r\n');
    expected.push('db0-6');
    // Three writes: the middle one starts part-way through a request.
    client.writeRaw(bytes.subarray(0, 1000));
    await new Promise((resolve) => setTimeout(resolve, 20));
    client.writeRaw(bytes.subarray(1000, 2500));
    await new Promise((resolve) => setTimeout(resolve, 20));
    client.writeRaw(bytes.subarray(2500));
    for (const [index, reply] of expected.entries()) expect(readable(await client.read()), `reply ${index}`).toEqual(reply);
    client.close();
  });

  test('replies to a protocol error and then closes the connection', async () => {
    const client = await connect();
    client.writeRaw('*1\r\n$-10\r\n');
    expect(await client.read()).toEqual({ error: 'ERR Protocol error: invalid bulk length' });
    await client.waitForClose();
    expect(client.isClosed).toBe(true);
  });

  test('refuses a multibulk count over INT_MAX with Redis\'s text', async () => {
    const client = await connect();
    client.writeRaw('*3000000000\r\n');
    expect(await client.read()).toEqual({ error: 'ERR Protocol error: invalid multibulk length' });
    await client.waitForClose();
  });

  test('answers an unknown command with Redis\'s exact text and keeps the connection', async () => {
    const client = await connect();
    expect(await send(client, ['FOO', 'a', 'b'])).toEqual({ error: "ERR unknown command 'FOO', with args beginning with: 'a' 'b' " });
    expect(await send(client, ['GET'])).toEqual({ error: "ERR wrong number of arguments for 'get' command" });
    expect(await send(client, ['CONFIG', 'NOPE'])).toEqual({ error: "ERR unknown subcommand 'NOPE'. Try CONFIG HELP." });
    expect(await send(client, ['PING'])).toEqual({ simple: 'PONG' });
    client.close();
  });

  test('SELECT switches databases and refuses an index out of range', async () => {
    const client = await connect();
    expect(await send(client, ['SELECT', '1'])).toEqual({ simple: 'OK' });
    expect(await send(client, ['SET', 'only-in-1', 'x'])).toEqual({ simple: 'OK' });
    expect(await send(client, ['SELECT', '0'])).toEqual({ simple: 'OK' });
    expect(await send(client, ['GET', 'only-in-1'])).toBeNull();
    expect(await send(client, ['SELECT', '16'])).toEqual({ error: 'ERR DB index is out of range' });
    expect(await send(client, ['SELECT', 'x'])).toEqual({ error: 'ERR value is not an integer or out of range' });
    client.close();
  });

  test('HELLO 3 answers a map and switches the connection to RESP3', async () => {
    const client = await connect();
    const hello = (await send(client, ['HELLO', '3'])) as { map: [string, unknown][] };
    expect(Object.fromEntries(hello.map)).toMatchObject({ server: 'redis', proto: 3, mode: 'standalone', role: 'master' });
    client.writeRaw('*2\r\n$3\r\nGET\r\n$7\r\nmissing\r\n');
    for (let attempt = 0; attempt < 500 && client.pendingBytes.length < 3; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(client.pendingBytes.toString('latin1')).toBe('_\r\n');
    expect(await client.read()).toBeNull();
    expect(await send(client, ['HELLO', '4'])).toEqual({ error: 'NOPROTO unsupported protocol version' });
    client.close();
  });

  test('MULTI queues commands and EXEC runs them atomically', async () => {
    const client = await connect();
    expect(await send(client, ['MULTI'])).toEqual({ simple: 'OK' });
    expect(await send(client, ['SET', 'tx', '1'])).toEqual({ simple: 'QUEUED' });
    expect(await send(client, ['INCR', 'tx'])).toEqual({ simple: 'QUEUED' });
    expect(await send(client, ['EXEC'])).toEqual([{ simple: 'OK' }, 2]);
    client.close();
  });

  test('an unknown command inside MULTI makes EXEC answer EXECABORT', async () => {
    const client = await connect();
    await send(client, ['MULTI']);
    expect(await send(client, ['NOPE'])).toEqual({ error: "ERR unknown command 'NOPE', with args beginning with: " });
    expect(await send(client, ['EXEC'])).toEqual({ error: 'EXECABORT Transaction discarded because of previous errors.' });
    expect(await send(client, ['EXEC'])).toEqual({ error: 'ERR EXEC without MULTI' });
    client.close();
  });

  test('EXEC answers a null array when a watched key changed', async () => {
    const watcher = await connect();
    const writer = await connect();
    await send(watcher, ['SET', 'watched', '1']);
    expect(await send(watcher, ['WATCH', 'watched'])).toEqual({ simple: 'OK' });
    await send(writer, ['SET', 'watched', '2']);
    await send(watcher, ['MULTI']);
    await send(watcher, ['SET', 'watched', '3']);
    expect(await send(watcher, ['EXEC'])).toBeNull();
    expect(await send(watcher, ['GET', 'watched'])).toBe('2');
    watcher.close();
    writer.close();
  });

  test('EXEC runs when the watched key was not touched', async () => {
    const client = await connect();
    await send(client, ['WATCH', 'calm']);
    await send(client, ['MULTI']);
    await send(client, ['SET', 'calm', 'v']);
    expect(await send(client, ['EXEC'])).toEqual([{ simple: 'OK' }]);
    client.close();
  });

  test("another client's FLUSHDB fails a watcher's EXEC only if a watched key existed (Redis 7)", async () => {
    const watcher = await connect();
    const writer = await connect();
    await send(writer, ['DEL', 'flush-watched']);
    await send(watcher, ['WATCH', 'flush-watched']);
    await send(writer, ['FLUSHDB']);
    await send(watcher, ['MULTI']);
    await send(watcher, ['PING']);
    expect(await send(watcher, ['EXEC'])).toEqual([{ simple: 'PONG' }]);
    await send(writer, ['SET', 'flush-watched', '1']);
    await send(watcher, ['WATCH', 'flush-watched']);
    await send(writer, ['FLUSHDB']);
    await send(watcher, ['MULTI']);
    await send(watcher, ['PING']);
    expect(await send(watcher, ['EXEC'])).toBeNull();
    watcher.close();
    writer.close();
  });

  test('a subscriber receives messages and is limited to pub/sub commands in RESP2', async () => {
    const subscriber = await connect();
    const publisher = await connect();
    expect(await send(subscriber, ['SUBSCRIBE', 'news'])).toEqual(['subscribe', 'news', 1]);
    expect(await send(subscriber, ['PSUBSCRIBE', 'n*'])).toEqual(['psubscribe', 'n*', 2]);
    expect(await send(publisher, ['PUBLISH', 'news', 'hi'])).toBe(2);
    expect(readable(await subscriber.read())).toEqual(['message', 'news', 'hi']);
    expect(readable(await subscriber.read())).toEqual(['pmessage', 'n*', 'news', 'hi']);
    expect(await send(subscriber, ['GET', 'x'])).toEqual({
      error: "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
    });
    expect(await send(subscriber, ['PING'])).toEqual(['pong', '']);
    expect(await send(publisher, ['PUBSUB', 'NUMSUB', 'news'])).toEqual(['news', 1]);
    expect(await send(publisher, ['PUBSUB', 'NUMPAT'])).toBe(1);
    expect(await send(subscriber, ['UNSUBSCRIBE'])).toEqual(['unsubscribe', 'news', 1]);
    expect(await send(subscriber, ['PUNSUBSCRIBE'])).toEqual(['punsubscribe', 'n*', 0]);
    expect(await send(subscriber, ['GET', 'x'])).toBeNull();
    subscriber.close();
    publisher.close();
  });

  test('a RESP3 subscriber gets push frames and may run any command', async () => {
    const subscriber = await connect();
    const publisher = await connect();
    await send(subscriber, ['HELLO', '3']);
    expect(await send(subscriber, ['SUBSCRIBE', 'r3'])).toEqual({ push: ['subscribe', 'r3', 1] });
    expect(await send(publisher, ['PUBLISH', 'r3', 'm'])).toBe(1);
    expect(readable(await subscriber.read())).toEqual({ push: ['message', 'r3', 'm'] });
    expect(await send(subscriber, ['ECHO', 'still here'])).toBe('still here');
    subscriber.close();
    publisher.close();
  });

  test('CONFIG GET, SET and REWRITE behave as Redis', async () => {
    const client = await connect();
    expect(await send(client, ['CONFIG', 'GET', 'maxmemory'])).toEqual(['maxmemory', '0']);
    expect(await send(client, ['CONFIG', 'SET', 'maxmemory', '1mb', 'hz', '20'])).toEqual({ simple: 'OK' });
    expect(await send(client, ['CONFIG', 'GET', 'maxmemory', 'hz'])).toEqual(['maxmemory', '1048576', 'hz', '20']);
    expect(await send(client, ['CONFIG', 'SET', 'hz', '10', 'maxmemory', 'lots'])).toEqual({
      error: "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
    });
    expect(await send(client, ['CONFIG', 'GET', 'hz'])).toEqual(['hz', '20']);
    expect(await send(client, ['CONFIG', 'SET', 'maxmemory', '0', 'hz', '10'])).toEqual({ simple: 'OK' });
    expect(await send(client, ['CONFIG', 'SET', 'dir', '/tmp'])).toEqual({
      error: "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config",
    });
    expect(await send(client, ['CONFIG', 'SET', 'port', '1'])).toEqual({
      error: "ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config",
    });
    expect(await send(client, ['CONFIG', 'REWRITE'])).toEqual({ error: 'ERR The server is running without a config file' });
    const appendonly = await send(client, ['CONFIG', 'GET', 'append*']);
    expect(appendonly).toEqual(['appendonly', 'no', 'appendfsync', 'everysec']);
    client.close();
  });

  test('INFO prints Redis\'s sections and fields', async () => {
    const client = await connect();
    const info = (await send(client, ['INFO'])) as string;
    for (const title of ['# Server', '# Clients', '# Memory', '# Persistence', '# Stats', '# Replication', '# CPU', '# Keyspace', '# Cowkv']) {
      expect(info).toContain(`${title}\r\n`);
    }
    expect(info).toMatch(/\r\nrole:master\r\n/);
    expect(info).toMatch(/\r\nconnected_clients:\d+\r\n/);
    expect(info).not.toContain('# Commandstats');
    const only = (await send(client, ['INFO', 'commandstats'])) as string;
    expect(only.startsWith('# Commandstats\r\n')).toBe(true);
    expect(only).toMatch(/cmdstat_info:calls=\d+,usec=\d+/);
    client.close();
  });

  test('COMMAND COUNT, INFO and DOCS describe the command table', async () => {
    const client = await connect();
    const count = (await send(client, ['COMMAND', 'COUNT'])) as number;
    expect(count).toBeGreaterThan(40);
    const [info] = (await send(client, ['COMMAND', 'INFO', 'get'])) as unknown[][];
    expect(info.slice(0, 2)).toEqual(['get', 2]);
    expect(await send(client, ['COMMAND', 'INFO', 'nosuch'])).toEqual([null]);
    const docs = (await send(client, ['COMMAND', 'DOCS', 'ping'])) as unknown[];
    expect(docs[0]).toBe('ping');
    client.close();
  });

  test('CLIENT SETNAME, GETNAME, ID, LIST and KILL work', async () => {
    const client = await connect();
    const other = await connect();
    expect(await send(client, ['CLIENT', 'SETNAME', 'tester'])).toEqual({ simple: 'OK' });
    expect(await send(client, ['CLIENT', 'GETNAME'])).toBe('tester');
    expect(await send(client, ['CLIENT', 'SETNAME', 'has space'])).toEqual({ error: 'ERR Client names cannot contain spaces, newlines or special characters.' });
    const otherId = (await send(other, ['CLIENT', 'ID'])) as number;
    const list = (await send(client, ['CLIENT', 'LIST'])) as string;
    expect(list).toMatch(/name=tester .*cmd=client\|list/);
    expect(list).toContain(`id=${otherId} `);
    expect(await send(client, ['CLIENT', 'KILL', 'ID', String(otherId)])).toBe(1);
    await other.waitForClose();
    expect(await send(client, ['CLIENT', 'KILL', '1.2.3.4:5'])).toEqual({ error: 'ERR No such client' });
    client.close();
  });

  test('CLIENT REPLY OFF silences replies until ON', async () => {
    const client = await connect();
    client.writeRaw('CLIENT REPLY OFF\r\nECHO silent\r\nCLIENT REPLY ON\r\nECHO loud\r\n');
    expect(await client.read()).toEqual({ simple: 'OK' });
    expect(readable(await client.read())).toBe('loud');
    client.writeRaw('CLIENT REPLY SKIP\r\nECHO skipped\r\nECHO shown\r\n');
    expect(readable(await client.read())).toBe('shown');
    client.close();
  });

  test('QUIT replies OK and closes', async () => {
    const client = await connect();
    expect(await send(client, ['QUIT'])).toEqual({ simple: 'OK' });
    await client.waitForClose();
  });

  test('RESET returns the connection to its initial state', async () => {
    const client = await connect();
    await send(client, ['SELECT', '2']);
    await send(client, ['MULTI']);
    expect(await send(client, ['RESET'])).toEqual({ simple: 'RESET' });
    expect(await send(client, ['EXEC'])).toEqual({ error: 'ERR EXEC without MULTI' });
    client.close();
  });

  test('CLIENT PAUSE WRITE holds writes but not reads until it ends', async () => {
    const admin = await connect();
    const writer = await connect();
    expect(await send(admin, ['CLIENT', 'PAUSE', '60000', 'WRITE'])).toEqual({ simple: 'OK' });
    expect(await send(writer, ['GET', 'paused-key'])).toBeNull();
    writer.writeRaw('SET paused-key v\r\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(writer.pendingBytes.length).toBe(0);
    expect(await send(admin, ['CLIENT', 'UNPAUSE'])).toEqual({ simple: 'OK' });
    expect(await writer.read()).toEqual({ simple: 'OK' });
    admin.close();
    writer.close();
  });

  // Each connection reads into a buffer it reuses when nothing of the last read is still held
  // (connection.ts ClientInput). Commands a connection keeps past their read must not change
  // when later reads land: queued MULTI commands, a command postponed by CLIENT PAUSE, and a
  // request split across reads, each followed by reads of other bytes.
  test('commands kept past their read survive later reads into the connection\'s buffer', async () => {
    const client = await connect();
    expect(await send(client, ['MULTI'])).toEqual({ simple: 'OK' });
    expect(await send(client, ['SET', 'kept-a', 'first-value'])).toEqual({ simple: 'QUEUED' });
    expect(await send(client, ['SET', 'kept-b', 'second-value'])).toEqual({ simple: 'QUEUED' });
    expect(await send(client, ['GET', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'])).toEqual({ simple: 'QUEUED' });
    expect(await send(client, ['EXEC'])).toEqual([{ simple: 'OK' }, { simple: 'OK' }, null]);
    expect(await send(client, ['MGET', 'kept-a', 'kept-b'])).toEqual(['first-value', 'second-value']);

    const admin = await connect();
    expect(await send(admin, ['CLIENT', 'PAUSE', '60000', 'WRITE'])).toEqual({ simple: 'OK' });
    client.writeRaw('*3\r\n$3\r\nSET\r\n$6\r\nkept-c\r\n$11\r\npaused-word\r\n*2\r\n$3\r\nGET\r\n$6\r\nkept-c\r\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await send(admin, ['GET', 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz'])).toBeNull();
    expect(await send(admin, ['CLIENT', 'UNPAUSE'])).toEqual({ simple: 'OK' });
    expect(await client.read()).toEqual({ simple: 'OK' });
    expect(readable(await client.read())).toBe('paused-word');
    expect(await send(client, ['SET', 'after-pause', 'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy'])).toEqual({ simple: 'OK' });
    expect(await send(client, ['GET', 'kept-c'])).toBe('paused-word');

    const big = 'v'.repeat(40_000) + 'end';
    const request = Buffer.from(`*3\r\n$3\r\nSET\r\n$8\r\nkept-big\r\n$${big.length}\r\n${big}\r\n`);
    for (let offset = 0; offset < request.length; offset += 7_000) {
      client.writeRaw(request.subarray(offset, offset + 7_000));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await client.read()).toEqual({ simple: 'OK' });
    expect(await send(client, ['GET', 'kept-big'])).toBe(big);
    admin.close();
    client.close();
  });
});

describe('the start-up warm-up', () => {
  test('runs on a throwaway server before the ready line and leaves the real keyspace empty', async () => {
    const warmed = await startServer(['--save', '', '--warmup-commands', '3000', '--loglevel', 'verbose']);
    try {
      const output = warmed.output();
      const warmedAt = output.search(/Warmed up the command path: 3008 commands in \d+ ms/);
      expect(warmedAt).toBeGreaterThanOrEqual(0);
      expect(warmedAt).toBeLessThan(output.indexOf('Ready to accept connections'));
      const client = await RawClient.connect(warmed.port);
      expect(await send(client, ['DBSIZE'])).toBe(0);
      expect(await send(client, ['CONFIG', 'GET', 'warmup-commands'])).toEqual(['warmup-commands', '3000']);
      const info = String(await send(client, ['INFO', 'stats']));
      expect(info).toMatch(/total_commands_processed:[0-3]\r\n/);
      client.close();
    } finally {
      await warmed.stop();
    }
  });
});
