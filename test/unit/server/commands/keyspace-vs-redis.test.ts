/**
 * Differential test: a script of string and keyspace commands, mostly edge cases and error
 * paths, runs against a real redis-server (7.x) and through our in-process runner; every reply
 * must be equal after normalizing what Redis leaves unspecified (KEYS order, SCAN cursors).
 * Why: reply texts and edge semantics are what clients depend on; comparing against the real
 * thing catches what hand-written expectations miss.
 * Needs `redis-server` on PATH; without it the suite is skipped with the reason in its title
 * (CI installs redis). The script avoids wall-clock-sensitive replies (PTTL, EXPIRETIME).
 * INCRBYFLOAT's long double results assume Redis on x86-64 (80-bit long double).
 */

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { createCommandRunner, type PlainReply } from '../../../helpers/command-runner.js';

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
const CONNECT_ATTEMPTS_MAX = 100;
const CONNECT_RETRY_MS = 50;

type Argv = readonly (string | Buffer)[];

const SCRIPT: readonly Argv[] = [
  // SET family
  ['SET', 'k', 'v', 'NX', 'XX'], ['SET', 'k', 'v', 'EX', '0'], ['SET', 'k', 'v', 'EX', '0', 'BOGUS'],
  ['SET', 'k', 'v', 'EX', 'x'], ['SET', 'k', 'v', 'EX', '9223372036854775807'], ['SET', 'k', 'v', 'PX', '9223372036854775807'],
  ['SET', 'k', 'v', 'KEEPTTL', 'EX', '1'], ['SET', 'k', 'v', 'EX', '1', 'EX', '100'], ['TTL', 'k'],
  ['SET', 'k', 'v', 'GET'], ['SET', 'k', 'w', 'NX', 'GET'], ['SET', 'k2', 'w', 'XX', 'GET'], ['SET', 'k', 'v', 'PERSIST'],
  ['SET', 'k', 'v', 'XX', 'NX'], ['SET', 'k', 'v', 'nx', 'nx'], ['SET', 'k', 'v', 'PXAT', '1', 'EXAT', '1'],
  ['SET', 'k', 'v', 'EXAT', '1'], ['GET', 'k'],
  ['SET', 'ka', 'v', 'EX', '100'], ['SET', 'ka', 'w', 'KEEPTTL', 'GET'], ['TTL', 'ka'], ['SET', 'ka', 'w', 'KEEPTTL', 'KEEPTTL'],
  ['SET', 'ka', 'w', 'GET', 'GET'], ['SET', 'ka', 'v', 'ex', '5', 'keepttl'],
  ['SET', 'x', '1', 'GET', 'NX'], ['SET', 'nx2', '1', 'GET', 'NX'],
  ['SETEX', 'k', '0', 'v'], ['PSETEX', 'k', '-1', 'v'], ['SETEX', 'k', 'x', 'v'], ['SETNX', 'k', 'v'], ['SETNX', 'k', 'w'],
  ['MSET', 'a', '1', 'b'], ['MSETNX', 'a', '1', 'b'], ['MSET', 'a', '1', 'b', '2'], ['MGET', 'a', 'zz', 'b'],
  ['MSETNX', 'a', '1', 'c', '3'], ['MSETNX', 'c', '1', 'd', '3'],
  // GETEX / GETDEL / GETSET
  ['GETEX', 'a', 'NX'], ['GETEX', 'a', 'PERSIST', 'EX', '1'], ['GETEX', 'zz', 'EX', '0'], ['GETEX', 'a', 'EX', '0'],
  ['GETEX', 'a', 'EX', 'x'], ['GETEX', 'a', 'EX', '100'], ['TTL', 'a'], ['GETEX', 'a', 'PERSIST'], ['TTL', 'a'],
  ['GETEX', 'ka', 'EXAT', '1', 'PXAT', '1'], ['GETEX', 'ka', 'persist', 'persist'], ['GETEX', 'ka', 'EX', '5', 'EX', '10'],
  ['TTL', 'ka'], ['GETEX', 'ka', 'PX', '9223372036854775807'], ['GETEX', 'ka', 'EX', '9223372036854775'],
  ['GETDEL', 'a'], ['GETDEL', 'a'], ['GETSET', 'a', 'x'], ['GETSET', 'a', 'y'],
  // APPEND / STRLEN / ranges
  ['APPEND', 'ap', 'hello'], ['APPEND', 'ap', ' world'], ['STRLEN', 'ap'], ['STRLEN', 'nope'],
  ['GETRANGE', 'ap', '0', '4'], ['GETRANGE', 'ap', '-5', '-1'], ['GETRANGE', 'ap', '5', '3'], ['GETRANGE', 'ap', '-1', '-5'],
  ['GETRANGE', 'ap', '-100', '2'], ['GETRANGE', 'ap', '0', '9223372036854775807'], ['GETRANGE', 'nope', '0', '-1'],
  ['GETRANGE', 'ap', 'x', '1'], ['GETRANGE', 'ap', '-9223372036854775807', '-9223372036854775808'], ['SUBSTR', 'ap', '1', '2'],
  ['SETRANGE', 'ap', '-1', 'x'], ['SETRANGE', 'ap', 'x', 'x'], ['SETRANGE', 'ap', '536870912', 'x'],
  ['SETRANGE', 'ap', '536870911', ''], ['SETRANGE', 'sr', '3', 'x'], ['GET', 'sr'], ['SETRANGE', 'sr2', '3', ''],
  ['EXISTS', 'sr2'], ['SETRANGE', 'ap', '6', 'Redis'], ['GET', 'ap'],
  ['SET', 'empty', ''], ['GET', 'empty'], ['STRLEN', 'empty'], ['APPEND', 'empty', ''], ['GETRANGE', 'empty', '0', '-1'],
  ['OBJECT', 'ENCODING', 'empty'], ['INCR', 'empty'],
  ['SET', 'int', '123'], ['GETRANGE', 'int', '1', '1'], ['SETRANGE', 'int', '1', '9'], ['GET', 'int'],
  ['OBJECT', 'ENCODING', 'int'],
  // INCR family
  ['INCR', 'ap'], ['INCRBY', 'n', '1.5'], ['INCRBY', 'n', '+1'], ['DECRBY', 'n', '-9223372036854775808'],
  ['SET', 'n', '9223372036854775806'], ['INCR', 'n'], ['INCR', 'n'], ['DECRBY', 'n', '-1'], ['SET', 'n', ' 1'], ['INCR', 'n'],
  ['SET', 'n', '01'], ['INCR', 'n'], ['SET', 'n', '-0'], ['INCR', 'n'], ['INCRBY', 'm', '-9223372036854775808'], ['DECR', 'm'],
  ['INCRBYFLOAT', 'f', '10.5'], ['INCRBYFLOAT', 'f', '0.25'], ['INCRBYFLOAT', 'f', '-5'], ['INCRBYFLOAT', 'f', '1e3'],
  ['INCRBYFLOAT', 'f', 'inf'], ['INCRBYFLOAT', 'f', 'abc'], ['INCRBYFLOAT', 'f', ' 1'], ['INCRBYFLOAT', 'f', 'nan'],
  ['INCRBYFLOAT', 'f', '0x10'], ['INCRBYFLOAT', 'f', '1.'], ['INCRBYFLOAT', 'f', '.5'], ['INCRBYFLOAT', 'g', '3.0e3'],
  ['INCRBYFLOAT', 'ap', '1'], ['INCRBYFLOAT', 'ap', 'inf'], ['INCRBYFLOAT', 'empty', '1'],
  // long double arithmetic and range, as Redis computes it on x86-64
  ['INCRBYFLOAT', 'g', '1.1'], ['INCRBYFLOAT', 'g', '2.2'], ['INCRBYFLOAT', 'h', '0.1'], ['INCRBYFLOAT', 'h', '0.2'],
  ['INCRBYFLOAT', 'l', '1e308'], ['INCRBYFLOAT', 'l', '1e308'], ['INCRBYFLOAT', 'l2', '1e309'], ['INCRBYFLOAT', 'l3', '1e-400'],
  ['INCRBYFLOAT', 'l4', '0x1p-1080'], ['INCRBYFLOAT', 'l5', '-0x1.8p1'], ['INCRBYFLOAT', 'l6', '1e5000'],
  ['INCRBYFLOAT', 'l7', '123456789012345678901234567890'], ['INCRBYFLOAT', 'l8', '-0'], ['INCRBYFLOAT', 'l8', '0.3333333333333333'],
  // LCS
  ['MSET', 'key1', 'ohmytext', 'key2', 'mynewtext'], ['LCS', 'key1', 'key2'], ['LCS', 'key1', 'key2', 'LEN'],
  ['LCS', 'key1', 'key2', 'IDX'], ['LCS', 'key1', 'key2', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'],
  ['LCS', 'key1', 'key2', 'LEN', 'IDX'], ['LCS', 'key1', 'key2', 'MINMATCHLEN'],
  ['LCS', 'key1', 'key2', 'IDX', 'MINMATCHLEN', '-5'], ['LCS', 'key1', 'nope'],
  // keyspace
  ['DEL', 'key1', 'nope', 'key1'], ['UNLINK', 'key2'], ['EXISTS', 'ap', 'ap', 'nope'], ['TYPE', 'ap'], ['TYPE', 'nope'],
  ['TOUCH', 'ap', 'nope'], ['RENAME', 'nope', 'x'], ['RENAMENX', 'nope', 'x'], ['RENAME', 'ap', 'ap'],
  ['RENAMENX', 'ap', 'ap'], ['RENAME', 'ap', 'ap2'], ['RENAMENX', 'ap2', 'f'], ['MOVE', 'ap2', '0'], ['MOVE', 'ap2', '16'],
  ['MOVE', 'ap2', 'x'], ['MOVE', 'ap2', '2147483648'], ['MOVE', 'ap2', '-1'], ['MOVE', 'ap2', '3'], ['MOVE', 'ap2', '3'],
  ['COPY', 'f', 'f'], ['COPY', 'f', 'f', 'DB', '0'], ['COPY', 'f', 'g2', 'DB'], ['COPY', 'f', 'g2', 'FOO'],
  ['COPY', 'f', 'g2', 'DB', '99'], ['COPY', 'f', 'g2', 'DB', 'x'], ['COPY', 'f', 'g2'], ['COPY', 'f', 'g2'],
  ['COPY', 'f', 'g2', 'REPLACE'], ['COPY', 'nope', 'g3'], ['COPY', 'f', 'f', 'DB', '4'],
  ['SWAPDB', 'x', '1'], ['SWAPDB', '0', 'y'], ['SWAPDB', '2147483648', '1'], ['SWAPDB', '0', '16'], ['SWAPDB', '-1', '0'],
  ['SWAPDB', '1', '1'], ['SWAPDB', '0', '1'], ['DBSIZE'], ['SWAPDB', '0', '1'], ['DBSIZE'],
  ['SCAN', 'x'], ['SCAN', ' 1'], ['SCAN', '18446744073709551616'], ['SCAN', '0', 'COUNT', '0'], ['SCAN', '0', 'COUNT', 'x'],
  ['SCAN', '0', 'COUNT'], ['SCAN', '0', 'BOGUS', '1'], ['SCAN', '0', 'MATCH'], ['SCAN', '0', 'COUNT', '-1'],
  ['SCAN', '0', 'TYPE', 'nosuchtype', 'COUNT', '1000'], ['SCAN', '0', 'TYPE', 'list', 'COUNT', '1000'],
  ['SCAN', '0', 'MATCH', 'zzz*', 'COUNT', '1000'], ['SCAN', '0', 'type', 'STRING', 'count', '1000', 'match', 'a*'],
  ['FLUSHDB', 'now'], ['FLUSHALL', 'SYNC', 'ASYNC'],
  // expiry
  ['EXPIRE', 'f', '10', 'NX', 'XX'], ['EXPIRE', 'f', '10', 'GT', 'LT'], ['EXPIRE', 'f', '10', 'FOO'], ['EXPIRE', 'f', 'ten'],
  ['EXPIRE', 'f', 'ten', 'FOO'], ['EXPIRE', 'f', '9223372036854775807'], ['PEXPIRE', 'f', '9223372036854775807'],
  ['EXPIREAT', 'f', '-9223372036854775807'], ['EXPIRE', 'nope', '9223372036854775807'], ['EXPIRE', 'nope', '10'],
  ['EXPIRE', 'f', '100', 'XX'], ['EXPIRE', 'f', '100', 'GT'], ['EXPIRE', 'f', '100', 'XX', 'LT'], ['EXPIRE', 'f', '100', 'LT'],
  ['TTL', 'f'], ['EXPIRE', 'f', '200', 'LT'], ['EXPIRE', 'f', '50', 'XX', 'LT'], ['TTL', 'f'],
  ['EXPIRE', 'f', '300', 'GT', 'XX'], ['TTL', 'f'], ['PERSIST', 'f'], ['PERSIST', 'f'], ['TTL', 'f'], ['PTTL', 'nope'],
  ['EXPIRETIME', 'f'], ['PEXPIRETIME', 'nope'], ['EXPIRE', 'f', '-1'], ['EXISTS', 'f'],
  ['EXPIRE', 'nope', '10', 'NX'], ['EXPIRE', 'nope', 'x', 'NX'], ['SET', 'p', '1'], ['EXPIRE', 'p', '100', 'gt', 'gt'],
  ['EXPIRE', 'p', '100', 'xx', 'xx'], ['EXPIRE', 'p', '100', 'nx', 'nx'], ['EXPIRE', 'p', '100', 'lt', 'xx', 'lt'],
  ['TTL', 'p'], ['EXPIRE', 'p', '9223372036854775', 'GT'], ['PEXPIRE', 'p', '-9223372036854775808'], ['EXISTS', 'p'],
  ['PEXPIREAT', 'ka', '0'], ['EXISTS', 'ka'],
  // OBJECT / MEMORY
  ['SET', 'i', '12345'], ['SET', 'e', 'short'], ['SET', 'r', 'x'.repeat(45)], ['SET', 'n', '012'], ['SET', 'sh', '100'],
  ['SET', 'big', '9223372036854775807'], ['SET', 'neg', '-9223372036854775808'],
  ['OBJECT', 'ENCODING', 'i'], ['OBJECT', 'ENCODING', 'e'], ['OBJECT', 'ENCODING', 'r'], ['OBJECT', 'ENCODING', 'n'],
  ['OBJECT', 'ENCODING', 'big'], ['OBJECT', 'ENCODING', 'neg'], ['OBJECT', 'ENCODING', 'nope'],
  ['OBJECT', 'REFCOUNT', 'e'], ['OBJECT', 'REFCOUNT', 'sh'], ['OBJECT', 'REFCOUNT', 'i'], ['OBJECT', 'REFCOUNT', 'nope'],
  ['APPEND', 'i', '6'], ['OBJECT', 'ENCODING', 'i'], ['INCR', 'i'], ['OBJECT', 'ENCODING', 'i'],
  ['OBJECT', 'FREQ', 'e'], ['OBJECT', 'FREQ', 'nope'], ['OBJECT', 'IDLETIME', 'nope'], ['OBJECT', 'foo', 'a'],
  ['OBJECT', 'ENCODING'], ['OBJECT', 'HELP', 'x'], ['OBJECT', 'HELP'], ['OBJECT'],
  ['MEMORY', 'USAGE', 'nope', 'SAMPLES', '-1'], ['MEMORY', 'USAGE', 'nope', 'SAMPLES', 'x'],
  ['MEMORY', 'USAGE', 'nope', 'SAMPLES'], ['MEMORY', 'USAGE', 'nope', 'FOO'], ['MEMORY', 'USAGE', 'nope'],
  ['MEMORY', 'USAGE', 'nope', 'SAMPLES', '0'], ['MEMORY', 'bogus'], ['MEMORY', 'USAGE'], ['MEMORY', 'HELP'],
  ['MEMORY', 'HELP', 'x'], ['MEMORY'], ['MEMORY', 'PURGE'],
  // KEYS globbing, binary keys
  ['FLUSHALL'],
  ['MSET', 'hello', '1', 'hallo', '2', 'hxllo', '3', 'hllo', '4', 'heeeello', '5', 'h*llo', '6', 'h[llo', '7', 'h\\llo', '8'],
  ['KEYS', 'h[^e]llo'], ['KEYS', 'h\\*llo'], ['KEYS', 'h[a-b]llo'], ['KEYS', 'h[b-a]llo'], ['KEYS', 'h[llo'],
  ['KEYS', 'h\\[llo'], ['KEYS', 'h[\\]]llo'], ['KEYS', 'h?llo*'], ['KEYS', '*\\'], ['KEYS', 'h[^]llo'], ['KEYS', '[h-h]*[o]'],
  ['SET', Buffer.from([0, 255, 10]), Buffer.from([13, 10, 0])], ['EXISTS', Buffer.from([0, 255, 10])],
  ['GET', Buffer.from([0, 255, 10])], ['KEYS', Buffer.from([0, 0x2a])],
  ['DEL'], ['GET'], ['GETRANGE', 'q', '0'], ['LCS', 'q'], ['FLUSHDB', 'ASYNC'], ['DBSIZE'], ['RANDOMKEY'],
];

/** What Redis leaves unspecified: KEYS order, SCAN cursors (opaque) and SCAN batch order. */
function normalize(argv: Argv, reply: PlainReply): PlainReply {
  const command = String(argv[0]).toUpperCase();
  if (command === 'KEYS' && Array.isArray(reply)) return [...reply].map(String).sort();
  if (command === 'SCAN' && Array.isArray(reply) && Array.isArray(reply[1])) {
    return ['<cursor>', [...reply[1]].map(String).sort()];
  }
  return reply;
}

function show(value: unknown): string {
  // JSON.stringify turns a Buffer into { type: 'Buffer', data } before the replacer sees it.
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'bigint') return `${item}n`;
    const maybeBuffer = item as { type?: unknown; data?: unknown } | null;
    if (maybeBuffer?.type === 'Buffer' && Array.isArray(maybeBuffer.data)) {
      return `bulk:${Buffer.from(maybeBuffer.data as number[]).toString('latin1')}`;
    }
    return item;
  });
}

describe.skipIf(!hasRedisServer)(`string and keyspace replies equal redis-server's${hasRedisServer ? '' : ' (skipped: redis-server is not installed)'}`, () => {
  let server: ChildProcess | undefined;
  let socket: net.Socket;
  let socketPath = '';

  beforeAll(async () => {
    // A private unix socket and no TCP port: no collision with anything else on this machine.
    const directory = mkdtempSync(path.join(tmpdir(), 'cowkv-vs-redis-'));
    socketPath = path.join(directory, 'redis.sock');
    server = spawn('redis-server', [
      '--port', '0', '--unixsocket', socketPath, '--save', '', '--appendonly', 'no', '--dir', directory,
    ], { stdio: 'ignore' });
    socket = await connectWithRetry(socketPath);
  });

  afterAll(() => {
    socket?.destroy();
    server?.kill();
    if (socketPath !== '') rmSync(path.dirname(socketPath), { recursive: true, force: true });
  });

  test('for every command of the script', async () => {
    const runner = createCommandRunner();
    const client = new RespClient(socket);
    const differences: string[] = [];
    for (const argv of SCRIPT) {
      const expected = normalize(argv, await client.send(argv));
      const actual = normalize(argv, runner.runBuffers(argv));
      if (show(actual) !== show(expected)) {
        differences.push(`${argv.map(String).join(' ')}\n  redis: ${show(expected)}\n  ours:  ${show(actual)}`);
      }
    }
    expect(differences.join('\n')).toBe('');
  });
});

async function connectWithRetry(socketPath: string): Promise<net.Socket> {
  for (let attempt = 0; attempt < CONNECT_ATTEMPTS_MAX; attempt++) {
    const socket = await new Promise<net.Socket | null>((resolve) => {
      const candidate = net.connect(socketPath);
      candidate.once('connect', () => resolve(candidate));
      candidate.once('error', () => resolve(null));
    });
    if (socket !== null) return socket;
    await new Promise((resolve) => setTimeout(resolve, CONNECT_RETRY_MS));
  }
  throw new Error(`redis-server did not accept connections on ${socketPath}`);
}

/** A minimal RESP2 client decoding replies like the command runner does (bulk → Buffer). */
class RespClient {
  readonly #socket: net.Socket;
  #buffer = Buffer.alloc(0);
  #waiting: ((reply: PlainReply) => void) | null = null;

  constructor(socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      const parsed = parseReply(this.#buffer, 0);
      if (parsed === null || this.#waiting === null) return;
      this.#buffer = this.#buffer.subarray(parsed.next);
      const resolve = this.#waiting;
      this.#waiting = null;
      resolve(parsed.value);
    });
    this.#socket = socket;
  }

  send(argv: Argv): Promise<PlainReply> {
    return new Promise((resolve) => {
      this.#waiting = resolve;
      const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)];
      for (const arg of argv) {
        const bytes = Buffer.from(arg);
        parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
      }
      this.#socket.write(Buffer.concat(parts));
    });
  }
}

function parseReply(buffer: Buffer, start: number): { value: PlainReply; next: number } | null {
  const lineEnd = buffer.indexOf('\r\n', start);
  if (lineEnd === -1) return null;
  const line = buffer.toString('utf8', start + 1, lineEnd);
  const next = lineEnd + 2;
  switch (String.fromCharCode(buffer[start])) {
    case '+':
      return { value: line, next };
    case '-':
      return { value: { error: line }, next };
    case ':': {
      const value = BigInt(line);
      const isSafe = value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER);
      return { value: isSafe ? Number(value) : value, next };
    }
    case '$': {
      const length = Number(line);
      if (length === -1) return { value: null, next };
      if (buffer.length < next + length + 2) return null;
      return { value: Buffer.from(buffer.subarray(next, next + length)), next: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count === -1) return { value: null, next };
      const items: PlainReply[] = [];
      let position = next;
      for (let index = 0; index < count; index++) {
        const item = parseReply(buffer, position);
        if (item === null) return null;
        items.push(item.value);
        position = item.next;
      }
      return { value: items, next: position };
    }
    default:
      throw new Error(`unexpected RESP type byte ${buffer[start]}`);
  }
}
