/**
 * Differential test: the same request bytes sent to a real redis-server and to cowkv must get
 * the same reply bytes (clients match on error texts, so "similar" is not enough).
 * Cases cover the server core: protocol errors, dispatch errors, connection, transaction,
 * pub/sub and CONFIG error texts. Data-dependent replies (INFO, CLIENT LIST, ids) are left out.
 * redis-server is required (CI installs redis-server); without it the test fails and says so.
 */

import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { encodeCommand } from '../helpers/resp.js';
import { makeDataDirectory, startServer } from '../helpers/server-process.js';
import type { ServerProcess } from '../helpers/server-process.js';

function requireRedisServer(): string {
  try {
    return execFileSync('which', ['redis-server'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('redis-server is not installed; install it with: apt-get install -y redis-server');
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** HELLO 3 first (its reply names versions and ids, so it is not compared). */
const RESP3 = Buffer.from('HELLO-3-MARKER');

/** Sends `requests` (one write each) on a fresh connection; returns all bytes until quiet. */
async function exchange(port: number, requests: readonly Buffer[]): Promise<string> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  let received = '';
  socket.on('data', (chunk: Buffer) => { received += chunk.toString('latin1'); });
  socket.on('error', () => undefined);
  for (const request of requests) {
    const isHello = request === RESP3;
    socket.write(isHello ? encodeCommand(['HELLO', '3']) : request);
    // Wait until the reply stops growing (or the server closed the connection).
    let previousLength = -1;
    for (let attempt = 0; attempt < 100 && (received.length !== previousLength || received.length === 0); attempt++) {
      previousLength = received.length;
      await new Promise((resolve) => setTimeout(resolve, 15));
      if (socket.destroyed || socket.readableEnded) break;
    }
    if (isHello) received = '';
  }
  socket.destroy();
  return received;
}

const command = (...argv: string[]): Buffer => encodeCommand(argv);
const raw = (text: string): Buffer => Buffer.from(text, 'latin1');

const CASES: [string, Buffer[]][] = [
  ['unknown command with arguments', [command('NOPE', 'a', 'b')]],
  ['unknown command echo is cut at 128 bytes', [command('NOPE', 'x'.repeat(300), 'y')]],
  ['wrong arity', [command('GET'), command('ECHO', 'a', 'b'), command('PING', 'a', 'b')]],
  ['unknown subcommand', [command('CONFIG', 'NOPE'), command('CLIENT', 'NOPE')]],
  ['subcommand arity', [command('CONFIG', 'GET'), command('CONFIG', 'SET', 'hz')]],
  ['inline commands with quotes', [raw('ECHO "a b\\x41" \'c\'\r\n'), raw('ECHO "open\r\n')]],
  ['protocol error: bulk length', [raw('*1\r\n$-10\r\n')]],
  ['protocol error: multibulk length', [raw('*3000000000\r\n')]],
  ['protocol error: expected $', [raw('*1\r\nPING\r\n')]],
  ['*0 and *-10 are skipped', [raw('*0\r\n*-10\r\nPING\r\n')]],
  ['PING and ECHO', [command('PING'), command('PING', 'hello'), command('ECHO', '')]],
  ['SELECT errors', [command('SELECT', '16'), command('SELECT', 'x'), command('SELECT', '-1')]],
  ['HELLO errors', [command('HELLO', '4'), command('HELLO', 'x'), command('HELLO', '3', 'BOGUS')]],
  ['AUTH without a password configured', [command('AUTH', 'x'), command('AUTH', 'a', 'b', 'c')]],
  ['AUTH default with any password when none is configured', [command('AUTH', 'default', 'whatever'), command('AUTH', 'nobody', 'x')]],
  ['transaction errors', [command('EXEC'), command('DISCARD'), command('MULTI'), command('MULTI'), command('WATCH', 'k'), command('DISCARD')]],
  ['EXECABORT after a bad queued command', [command('MULTI'), command('NOPE'), command('SET', 'k'), command('EXEC')]],
  ['EXEC with an error inside', [command('MULTI'), command('SET', 'dk', 'x'), command('INCR', 'dk'), command('DEL', 'dk'), command('EXEC')]],
  // One channel only: UNSUBSCRIBE without arguments lists channels in Redis's dict order.
  ['subscriber context in RESP2', [command('SUBSCRIBE', 'c1'), command('SUBSCRIBE', 'c1'), command('GET', 'x'), command('PING'), command('PING', 'p'), command('UNSUBSCRIBE'), command('PSUBSCRIBE', 'p*'), command('PUNSUBSCRIBE', 'p*', 'q*')]],
  ['UNSUBSCRIBE without subscriptions', [command('UNSUBSCRIBE'), command('PUNSUBSCRIBE')]],
  ['PUBLISH without subscribers and PUBSUB', [command('PUBLISH', 'nobody', 'm'), command('PUBSUB', 'NUMSUB', 'a', 'b'), command('PUBSUB', 'NUMPAT'), command('PUBSUB', 'CHANNELS', 'zzz*')]],
  ['CLIENT name rules', [command('CLIENT', 'SETNAME', 'has space'), command('CLIENT', 'SETNAME', 'ok-name'), command('CLIENT', 'GETNAME'), command('CLIENT', 'SETNAME', ''), command('CLIENT', 'GETNAME')]],
  ['CLIENT REPLY', [command('CLIENT', 'REPLY', 'OFF'), command('ECHO', 'x'), command('CLIENT', 'REPLY', 'ON'), command('CLIENT', 'REPLY', 'BAD')]],
  ['CLIENT KILL errors', [command('CLIENT', 'KILL', '1.2.3.4:5'), command('CLIENT', 'KILL', 'ID', 'x'), command('CLIENT', 'KILL', 'TYPE', 'bogus'), command('CLIENT', 'KILL', 'ID', '999999')]],
  ['CONFIG SET errors', [
    command('CONFIG', 'SET', 'nope', '1'),
    command('CONFIG', 'SET', 'hz', 'x'),
    command('CONFIG', 'SET', 'maxmemory', 'lots'),
    command('CONFIG', 'SET', 'protected-mode', 'maybe'),
    command('CONFIG', 'SET', 'maxmemory-policy', 'bogus'),
    command('CONFIG', 'SET', 'databases', '4'),
    command('CONFIG', 'SET', 'dir', '/tmp'),
    command('CONFIG', 'SET', 'hz', '10', 'hz', '11'),
    command('CONFIG', 'SET', 'timeout', '-1'),
  ]],
  ['CONFIG GET of common parameters', [command('CONFIG', 'GET', 'maxmemory'), command('CONFIG', 'GET', 'timeout'), command('CONFIG', 'GET', 'maxmemory-policy'), command('CONFIG', 'GET', 'nomatch*')]],
  ['CONFIG REWRITE without a file', [command('CONFIG', 'REWRITE')]],
  ['CONFIG GET of limits and modes', [
    command('CONFIG', 'GET', 'proto-max-bulk-len'), command('CONFIG', 'GET', 'client-query-buffer-limit'),
    command('CONFIG', 'GET', 'databases'), command('CONFIG', 'GET', 'hz'), command('CONFIG', 'GET', 'tcp-keepalive'),
    command('CONFIG', 'GET', 'protected-mode'), command('CONFIG', 'GET', 'loglevel'), command('CONFIG', 'GET', 'appendonly'),
    command('CONFIG', 'GET', 'save'), command('CONFIG', 'GET', 'stop-writes-on-bgsave-error'),
  ]],
  ['CONFIG SET then GET with units', [command('CONFIG', 'SET', 'maxmemory', '10MB'), command('CONFIG', 'GET', 'maxmemory'), command('CONFIG', 'SET', 'maxmemory', '0')]],
  ['RESET inside MULTI, then QUIT', [command('MULTI'), command('RESET'), command('EXEC'), command('QUIT')]],
  ['ROLE and WAIT', [command('ROLE'), command('WAIT', '0', '0'), command('WAIT', 'x', '0')]],
  ['CLIENT PAUSE and NO-EVICT argument errors', [command('CLIENT', 'PAUSE', 'x'), command('CLIENT', 'PAUSE', '-1'), command('CLIENT', 'NO-EVICT', 'maybe'), command('CLIENT', 'UNPAUSE')]],
  ['COMMAND INFO of an unknown command', [command('COMMAND', 'INFO', 'nosuchcommand')]],
  ['RESP3 nulls, maps and pushes', [
    RESP3, command('GET', 'missing-key'), command('CONFIG', 'GET', 'hz'), command('SUBSCRIBE', 'r3'), command('PING'),
    command('ECHO', 'x'), command('UNSUBSCRIBE', 'r3'), command('PUBSUB', 'NUMSUB', 'r3'), command('MULTI'), command('EXEC'),
  ]],
  ['RESP3 WATCH failure answers a RESP3 null', [RESP3, command('WATCH', 'w3'), command('SET', 'w3', '1'), command('MULTI'), command('EXEC'), command('DEL', 'w3')]],
];

let redis: ChildProcess | null = null;
let redisPort = 0;
let cowkv: ServerProcess;

beforeAll(async () => {
  const executable = requireRedisServer();
  redisPort = await freePort();
  const directory = makeDataDirectory();
  redis = spawn(executable, ['--port', String(redisPort), '--save', '', '--appendonly', 'no', '--dir', directory], { stdio: 'ignore' });
  cowkv = await startServer(['--save', '']);
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      const reply = await exchange(redisPort, [command('PING')]);
      if (reply === '+PONG\r\n') return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`redis-server did not start on port ${redisPort}`);
});

afterAll(async () => {
  redis?.kill('SIGKILL');
  await cowkv?.stop();
});

describe('cowkv answers byte for byte like redis-server', () => {
  for (const [name, requests] of CASES) {
    test(name, async () => {
      const expected = await exchange(redisPort, requests);
      const actual = await exchange(cowkv.port, requests);
      expect(actual).toBe(expected);
    });
  }
});
