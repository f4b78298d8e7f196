/**
 * Differential properties against a real redis-server: the glob matcher (through KEYS) and
 * INCRBYFLOAT's arithmetic and formatting must give exactly Redis's answers.
 * Needs `redis-server` on PATH; without it the suite is skipped (its title says why).
 * Replay: fast-check prints the seed and path of a failure; pass them to fc.assert's options.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHeap } from '../../../src/cow/paged-heap.js';
import { globMatch } from '../../../src/store/glob.js';
import { Store } from '../../../src/store/store.js';

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
const CONNECT_ATTEMPTS_MAX = 100;
const CONNECT_RETRY_MS = 50;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function connect(port: number): Promise<Redis> {
  for (let attempt = 0; attempt < CONNECT_ATTEMPTS_MAX; attempt++) {
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    try {
      await client.connect();
      return client;
    } catch {
      client.disconnect();
      await new Promise((resolve) => setTimeout(resolve, CONNECT_RETRY_MS));
    }
  }
  throw new Error(`Cannot connect to redis-server on port ${port}`);
}

describe.skipIf(!hasRedisServer)(hasRedisServer ? 'against redis-server' : 'against redis-server (skipped: redis-server not on PATH)', () => {
  let server: ChildProcess;
  let redis: Redis;

  beforeAll(async () => {
    const port = await freePort();
    server = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'], { stdio: 'ignore' });
    redis = await connect(port);
  });

  afterAll(async () => {
    await redis?.quit();
    server?.kill();
  });

  test('globMatch() accepts exactly the keys KEYS returns for the same pattern', async () => {
    const alphabet = fc.constantFrom(...'ab-^]['.split(''), '\\', '*', '?');
    const subjectAlphabet = fc.constantFrom(...'ab-^]['.split(''), '\\');
    await fc.assert(fc.asyncProperty(
      fc.string({ unit: alphabet, minLength: 1, maxLength: 8 }),
      fc.uniqueArray(fc.string({ unit: subjectAlphabet, minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 20 }),
      async (pattern, subjects) => {
        await redis.flushall();
        await redis.mset(...subjects.flatMap((subject) => [subject, '1']));
        const expected = (await redis.keys(pattern)).sort();
        const actual = subjects.filter((subject) => globMatch(Buffer.from(pattern, 'latin1'), Buffer.from(subject, 'latin1'))).sort();
        expect(actual).toEqual(expected);
      },
    ), { numRuns: 300 });
  });

  test('INCRBYFLOAT gives Redis\'s text for decimal operands of up to 20 significant digits', async () => {
    const heap = createHeap({ pageSizeBytes: 4096, maxMemoryBytes: 0 });
    const store = Store.create(heap, { databases: 1 });
    const decimalText = fc.tuple(
      fc.boolean(), fc.bigInt({ min: 0n, max: 99_999_999_999_999_999_999n }), fc.integer({ min: -30, max: 30 }), fc.boolean(),
    ).map(([isNegative, digits, exponent, isScientific]) => {
      const sign = isNegative ? '-' : '';
      if (isScientific) return `${sign}${digits}e${exponent}`;
      const text = digits.toString();
      if (exponent >= 0) return sign + text;
      const padded = text.padStart(-exponent + 1, '0');
      return `${sign}${padded.slice(0, exponent)}.${padded.slice(exponent)}`;
    });
    await fc.assert(fc.asyncProperty(decimalText, decimalText, async (value, increment) => {
      await redis.set('f', value);
      const expected = await redis.incrbyfloat('f', increment).catch((error: Error) => `error: ${error.message}`);
      store.set(0, Buffer.from('f'), Buffer.from(value));
      const result = store.incrByFloat(0, Buffer.from('f'), Buffer.from(increment));
      expect(result.status === 'ok' ? result.text : `status: ${result.status}`).toBe(expected);
    }), { numRuns: 300 });
  });
});
