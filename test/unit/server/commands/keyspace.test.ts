/**
 * The keyspace commands through the in-process runner: existence and deletion, renames, moves
 * and copies between databases, KEYS/SCAN, flushing, the EXPIRE/TTL families on the runner's
 * manual clock, OBJECT and MEMORY, each error text, and the command table checked against
 * Redis 7's COMMAND INFO.
 */

import { beforeEach, describe, expect, test } from 'vitest';

import { KEYSPACE_COMMANDS } from '../../../../src/server/commands/keyspace.js';
import { createCommandRunner, START_TIME_MS, type CommandRunner } from '../../../helpers/command-runner.js';
import { NOT_INTEGER, SYNTAX, DB_OUT_OF_RANGE, SAME_OBJECT, invalidExpire } from '../../../helpers/error-replies.js';


let runner: CommandRunner;
let run: CommandRunner['run'];

beforeEach(() => {
  runner = createCommandRunner();
  run = runner.run;
});

/** Runs a command in database `db` and returns to the previous one. */
function runIn(db: number, argv: string[]): unknown {
  const previous = runner.db;
  runner.db = db;
  try {
    return run(argv);
  } finally {
    runner.db = previous;
  }
}

function sorted(reply: unknown): string[] {
  return [...(reply as string[])].sort();
}

describe('command table', () => {
  // name, arity, flags, first key, last key, step: Redis 7 COMMAND INFO.
  const REDIS_COMMAND_INFO: readonly [string, number, string[], number, number, number][] = [
    ['DEL', -2, ['write'], 1, -1, 1],
    ['UNLINK', -2, ['write', 'fast'], 1, -1, 1],
    ['EXISTS', -2, ['readonly', 'fast'], 1, -1, 1],
    ['TYPE', 2, ['readonly', 'fast'], 1, 1, 1],
    ['TOUCH', -2, ['readonly', 'fast'], 1, -1, 1],
    ['RENAME', 3, ['write'], 1, 2, 1],
    ['RENAMENX', 3, ['write', 'fast'], 1, 2, 1],
    ['MOVE', 3, ['write', 'fast'], 1, 1, 1],
    ['COPY', -3, ['write', 'denyoom'], 1, 2, 1],
    ['SWAPDB', 3, ['write', 'fast'], 0, 0, 0],
    ['KEYS', 2, ['readonly'], 0, 0, 0],
    ['SCAN', -2, ['readonly'], 0, 0, 0],
    ['RANDOMKEY', 1, ['readonly'], 0, 0, 0],
    ['DBSIZE', 1, ['readonly', 'fast'], 0, 0, 0],
    ['FLUSHDB', -1, ['write'], 0, 0, 0],
    ['FLUSHALL', -1, ['write'], 0, 0, 0],
    ['EXPIRE', -3, ['write', 'fast'], 1, 1, 1],
    ['PEXPIRE', -3, ['write', 'fast'], 1, 1, 1],
    ['EXPIREAT', -3, ['write', 'fast'], 1, 1, 1],
    ['PEXPIREAT', -3, ['write', 'fast'], 1, 1, 1],
    ['TTL', 2, ['readonly', 'fast'], 1, 1, 1],
    ['PTTL', 2, ['readonly', 'fast'], 1, 1, 1],
    ['EXPIRETIME', 2, ['readonly', 'fast'], 1, 1, 1],
    ['PEXPIRETIME', 2, ['readonly', 'fast'], 1, 1, 1],
    ['PERSIST', 2, ['write', 'fast'], 1, 1, 1],
    ['OBJECT', -2, [], 0, 0, 0],
    ['MEMORY', -2, [], 0, 0, 0],
  ];
  const REDIS_SUBCOMMAND_INFO: readonly [string, number, string[], number, number, number][] = [
    ['OBJECT|ENCODING', 3, ['readonly'], 2, 2, 1],
    ['OBJECT|FREQ', 3, ['readonly'], 2, 2, 1],
    ['OBJECT|HELP', 2, ['loading', 'stale'], 0, 0, 0],
    ['OBJECT|IDLETIME', 3, ['readonly'], 2, 2, 1],
    ['OBJECT|REFCOUNT', 3, ['readonly'], 2, 2, 1],
    ['MEMORY|USAGE', -3, ['readonly'], 2, 2, 1],
    ['MEMORY|HELP', 2, ['loading', 'stale'], 0, 0, 0],
    ['MEMORY|DOCTOR', 2, [], 0, 0, 0],
    ['MEMORY|STATS', 2, [], 0, 0, 0],
    ['MEMORY|PURGE', 2, [], 0, 0, 0],
    ['MEMORY|MALLOC-STATS', 2, [], 0, 0, 0],
  ];
  const subcommands = KEYSPACE_COMMANDS.flatMap((spec) => spec.subcommands ?? []);

  test('has exactly the keyspace commands, each once', () => {
    const names = KEYSPACE_COMMANDS.map((spec) => spec.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(REDIS_COMMAND_INFO.map(([name]) => name).sort());
    expect(subcommands.map((spec) => spec.name).sort()).toEqual(REDIS_SUBCOMMAND_INFO.map(([name]) => name).sort());
  });

  test.each([...REDIS_COMMAND_INFO, ...REDIS_SUBCOMMAND_INFO])(
    '%s has Redis\'s arity, flags and key positions',
    (name, arity, flags, first, last, step) => {
      const spec = [...KEYSPACE_COMMANDS, ...subcommands].find((candidate) => candidate.name === name);
      expect(spec).toBeDefined();
      expect(spec?.arity).toBe(arity);
      expect([...(spec?.flags ?? [])].sort()).toEqual([...flags].sort());
      expect([spec?.firstKey, spec?.lastKey, spec?.keyStep]).toEqual([first, last, step]);
      expect(['generic', 'server']).toContain(spec?.group);
      expect(spec?.summary.length).toBeGreaterThan(0);
    },
  );
});

describe('DEL, UNLINK, EXISTS, TYPE, TOUCH', () => {
  test('DEL and UNLINK reply how many keys existed', () => {
    run(['MSET', 'a', '1', 'b', '2', 'c', '3']);
    expect(run(['DEL', 'a', 'missing', 'a'])).toBe(1);
    expect(run(['UNLINK', 'b', 'c', 'missing'])).toBe(2);
    expect(run(['DBSIZE'])).toBe(0);
  });

  test('EXISTS counts a key named twice twice', () => {
    run(['SET', 'a', '1']);
    expect(run(['EXISTS', 'a', 'a', 'missing'])).toBe(2);
  });

  test('TYPE replies a simple string: string or none', () => {
    run(['SET', 'a', '1']);
    expect(runner.runTagged(['TYPE', 'a'])).toEqual({ kind: 'simple', value: 'string' });
    expect(runner.runTagged(['TYPE', 'missing'])).toEqual({ kind: 'simple', value: 'none' });
  });

  test('TOUCH replies how many keys exist', () => {
    run(['SET', 'a', '1']);
    expect(run(['TOUCH', 'a', 'missing', 'a'])).toBe(2);
  });

  test('keys are binary-safe', () => {
    const key = Buffer.from([0, 0xff, 0x0a, 0x0d]);
    run(['SET', key, 'v']);
    expect(run(['EXISTS', key])).toBe(1);
    expect(run(['EXISTS', Buffer.from([0, 0xff, 0x0a])])).toBe(0);
    expect(runner.runBuffers(['KEYS', '*'])).toEqual([key]);
    expect(run(['DEL', key])).toBe(1);
  });
});

describe('RENAME and RENAMENX', () => {
  test('RENAME moves the value and its TTL, overwriting the target', () => {
    run(['SET', 'a', '1', 'EX', '100']);
    run(['SET', 'b', '2']);
    expect(run(['RENAME', 'a', 'b'])).toBe('OK');
    expect(run(['GET', 'b'])).toBe('1');
    expect(run(['TTL', 'b'])).toBe(100);
    expect(run(['EXISTS', 'a'])).toBe(0);
  });

  test('RENAME of a missing key is "no such key"', () => {
    expect(run(['RENAME', 'missing', 'b'])).toEqual({ error: 'ERR no such key' });
    expect(run(['RENAMENX', 'missing', 'b'])).toEqual({ error: 'ERR no such key' });
  });

  test('RENAME of a key to itself is OK and RENAMENX to itself is 0', () => {
    run(['SET', 'a', '1']);
    expect(run(['RENAME', 'a', 'a'])).toBe('OK');
    expect(run(['RENAMENX', 'a', 'a'])).toBe(0);
    expect(run(['GET', 'a'])).toBe('1');
  });

  test('RENAMENX renames only onto a missing key', () => {
    run(['MSET', 'a', '1', 'b', '2']);
    expect(run(['RENAMENX', 'a', 'b'])).toBe(0);
    expect(run(['RENAMENX', 'a', 'c'])).toBe(1);
    expect(run(['MGET', 'a', 'b', 'c'])).toEqual([null, '2', '1']);
  });
});

describe('MOVE, COPY, SWAPDB', () => {
  test('MOVE moves a key to another database with its TTL', () => {
    run(['SET', 'a', '1', 'EX', '50']);
    expect(run(['MOVE', 'a', '3'])).toBe(1);
    expect(run(['EXISTS', 'a'])).toBe(0);
    expect(runIn(3, ['GET', 'a'])).toBe('1');
    expect(runIn(3, ['TTL', 'a'])).toBe(50);
  });

  test('MOVE replies 0 for a missing key or one that exists in the target', () => {
    expect(run(['MOVE', 'missing', '1'])).toBe(0);
    run(['SET', 'a', '1']);
    runIn(1, ['SET', 'a', 'other']);
    expect(run(['MOVE', 'a', '1'])).toBe(0);
    expect(run(['GET', 'a'])).toBe('1');
    expect(runIn(1, ['GET', 'a'])).toBe('other');
  });

  test('MOVE refuses the same database, out-of-range and non-integer indexes', () => {
    run(['SET', 'a', '1']);
    expect(run(['MOVE', 'a', '0'])).toEqual(SAME_OBJECT);
    expect(run(['MOVE', 'a', '16'])).toEqual(DB_OUT_OF_RANGE);
    expect(run(['MOVE', 'a', '-1'])).toEqual(DB_OUT_OF_RANGE);
    expect(run(['MOVE', 'a', 'x'])).toEqual(NOT_INTEGER);
    expect(run(['MOVE', 'a', '2147483648'])).toEqual({
      error: 'ERR value is out of range, value must between -2147483648 and 2147483647',
    });
  });

  test('COPY copies value and TTL; an existing target needs REPLACE', () => {
    run(['SET', 'a', '1', 'PX', '5000']);
    expect(run(['COPY', 'a', 'b'])).toBe(1);
    expect(run(['MGET', 'a', 'b'])).toEqual(['1', '1']);
    expect(run(['PTTL', 'b'])).toBe(5000);
    run(['SET', 'a', '2']);
    expect(run(['COPY', 'a', 'b'])).toBe(0);
    expect(run(['GET', 'b'])).toBe('1');
    expect(run(['COPY', 'a', 'b', 'replace'])).toBe(1);
    expect(run(['GET', 'b'])).toBe('2');
    expect(run(['TTL', 'b'])).toBe(-1);
    expect(run(['COPY', 'missing', 'c'])).toBe(0);
  });

  test('COPY DB copies into another database, even under the same name', () => {
    run(['SET', 'a', '1']);
    expect(run(['COPY', 'a', 'a', 'DB', '2'])).toBe(1);
    expect(runIn(2, ['GET', 'a'])).toBe('1');
    expect(run(['COPY', 'a', 'a', 'DB', '2'])).toBe(0);
    expect(run(['COPY', 'a', 'a', 'REPLACE', 'DB', '2'])).toBe(1);
  });

  test('COPY refuses the same key, bad options and bad databases', () => {
    run(['SET', 'a', '1']);
    expect(run(['COPY', 'a', 'a'])).toEqual(SAME_OBJECT);
    expect(run(['COPY', 'a', 'a', 'DB', '0'])).toEqual(SAME_OBJECT);
    expect(run(['COPY', 'a', 'b', 'DB'])).toEqual(SYNTAX);
    expect(run(['COPY', 'a', 'b', 'FOO'])).toEqual(SYNTAX);
    expect(run(['COPY', 'a', 'b', 'DB', '99'])).toEqual(DB_OUT_OF_RANGE);
    expect(run(['COPY', 'a', 'b', 'DB', 'x'])).toEqual(NOT_INTEGER);
  });

  test('SWAPDB exchanges two databases', () => {
    run(['SET', 'a', 'zero']);
    runIn(1, ['SET', 'b', 'one']);
    expect(run(['SWAPDB', '0', '1'])).toBe('OK');
    expect(run(['KEYS', '*'])).toEqual(['b']);
    expect(runIn(1, ['KEYS', '*'])).toEqual(['a']);
    expect(run(['SWAPDB', '1', '1'])).toBe('OK');
  });

  test('SWAPDB refuses bad indexes with Redis\'s texts', () => {
    expect(run(['SWAPDB', 'x', '1'])).toEqual({ error: 'ERR invalid first DB index' });
    expect(run(['SWAPDB', '0', 'y'])).toEqual({ error: 'ERR invalid second DB index' });
    expect(run(['SWAPDB', '2147483648', '1'])).toEqual({ error: 'ERR invalid first DB index' });
    expect(run(['SWAPDB', '0', '16'])).toEqual(DB_OUT_OF_RANGE);
    expect(run(['SWAPDB', '-1', '0'])).toEqual(DB_OUT_OF_RANGE);
  });
});

describe('KEYS, SCAN, RANDOMKEY, DBSIZE', () => {
  test('KEYS matches Redis glob patterns', () => {
    run(['MSET', 'hello', '1', 'hallo', '2', 'hxllo', '3', 'hllo', '4', 'heeeello', '5', 'h*llo', '6']);
    expect(sorted(run(['KEYS', 'h?llo']))).toEqual(['h*llo', 'hallo', 'hello', 'hxllo']);
    expect(sorted(run(['KEYS', 'h*llo']))).toEqual(['h*llo', 'hallo', 'heeeello', 'hello', 'hllo', 'hxllo']);
    expect(sorted(run(['KEYS', 'h[ae]llo']))).toEqual(['hallo', 'hello']);
    expect(sorted(run(['KEYS', 'h[^e]llo']))).toEqual(['h*llo', 'hallo', 'hxllo']);
    expect(sorted(run(['KEYS', 'h[a-b]llo']))).toEqual(['hallo']);
    expect(run(['KEYS', 'h\\*llo'])).toEqual(['h*llo']);
    expect(run(['KEYS', 'nothing*'])).toEqual([]);
  });

  test('SCAN replies [cursor, keys] and a full iteration returns every key', () => {
    for (let index = 0; index < 100; index++) run(['SET', `key:${index}`, 'v']);
    const seen = new Set<string>();
    let cursor = '0';
    let callCount = 0;
    do {
      const tagged = runner.runTagged(['SCAN', cursor, 'COUNT', '7']);
      expect(tagged.kind).toBe('array');
      if (tagged.kind !== 'array') return;
      expect(tagged.items[0].kind).toBe('bulk');
      const [nextCursor, keys] = run(['SCAN', cursor, 'COUNT', '7']) as [string, string[]];
      for (const key of keys) seen.add(key);
      cursor = nextCursor;
      callCount++;
    } while (cursor !== '0' && callCount < 1000);
    expect(cursor).toBe('0');
    expect(seen.size).toBe(100);
  });

  test('SCAN MATCH and TYPE filter the keys returned', () => {
    run(['MSET', 'user:1', 'a', 'user:2', 'b', 'other', 'c']);
    expect(scanAll(['MATCH', 'user:*'])).toEqual(['user:1', 'user:2']);
    expect(scanAll(['MATCH', '*'])).toEqual(['other', 'user:1', 'user:2']);
    expect(scanAll(['TYPE', 'string'])).toEqual(['other', 'user:1', 'user:2']);
    expect(scanAll(['TYPE', 'STRING', 'MATCH', 'o*'])).toEqual(['other']);
    expect(scanAll(['TYPE', 'list'])).toEqual([]);
    expect(scanAll(['TYPE', 'nosuchtype'])).toEqual([]);
  });

  test('SCAN refuses bad cursors, counts and options', () => {
    expect(run(['SCAN', 'x'])).toEqual({ error: 'ERR invalid cursor' });
    expect(run(['SCAN', ' 1'])).toEqual({ error: 'ERR invalid cursor' });
    expect(run(['SCAN', '18446744073709551616'])).toEqual({ error: 'ERR invalid cursor' });
    expect(run(['SCAN', '0', 'COUNT', '0'])).toEqual(SYNTAX);
    expect(run(['SCAN', '0', 'COUNT', 'x'])).toEqual(NOT_INTEGER);
    expect(run(['SCAN', '0', 'COUNT'])).toEqual(SYNTAX);
    expect(run(['SCAN', '0', 'BOGUS', '1'])).toEqual(SYNTAX);
    expect(run(['SCAN', '0', 'MATCH'])).toEqual(SYNTAX);
  });

  test('SCAN of an empty database ends at once', () => {
    expect(run(['SCAN', '0'])).toEqual(['0', []]);
  });

  test('RANDOMKEY is nil for an empty database and a live key otherwise', () => {
    expect(run(['RANDOMKEY'])).toBeNull();
    run(['MSET', 'a', '1', 'b', '2']);
    expect(['a', 'b']).toContain(run(['RANDOMKEY']));
  });

  test('DBSIZE counts the keys of the selected database', () => {
    run(['MSET', 'a', '1', 'b', '2']);
    runIn(5, ['SET', 'c', '3']);
    expect(run(['DBSIZE'])).toBe(2);
    expect(runIn(5, ['DBSIZE'])).toBe(1);
  });

  function scanAll(options: string[]): string[] {
    const keys: string[] = [];
    let cursor = '0';
    let callCount = 0;
    do {
      const [nextCursor, batch] = run(['SCAN', cursor, ...options]) as [string, string[]];
      keys.push(...batch);
      cursor = nextCursor;
      callCount++;
    } while (cursor !== '0' && callCount < 1000);
    return [...new Set(keys)].sort();
  }
});

describe('FLUSHDB and FLUSHALL', () => {
  test('FLUSHDB empties only the selected database', () => {
    run(['SET', 'a', '1']);
    runIn(1, ['SET', 'b', '2']);
    expect(run(['FLUSHDB'])).toBe('OK');
    expect(run(['DBSIZE'])).toBe(0);
    expect(runIn(1, ['DBSIZE'])).toBe(1);
  });

  test('FLUSHALL empties every database; SYNC and ASYNC are accepted', () => {
    run(['SET', 'a', '1']);
    runIn(1, ['SET', 'b', '2']);
    expect(run(['FLUSHALL', 'async'])).toBe('OK');
    expect(runIn(1, ['DBSIZE'])).toBe(0);
    expect(run(['FLUSHDB', 'SYNC'])).toBe('OK');
  });

  test('FLUSHDB and FLUSHALL refuse other arguments', () => {
    run(['SET', 'a', '1']);
    expect(run(['FLUSHDB', 'now'])).toEqual(SYNTAX);
    expect(run(['FLUSHALL', 'SYNC', 'ASYNC'])).toEqual(SYNTAX);
    expect(run(['DBSIZE'])).toBe(1);
  });
});

describe('EXPIRE family, TTL family, PERSIST', () => {
  test('EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT set expiries and reply 1', () => {
    run(['MSET', 'a', '1', 'b', '2', 'c', '3', 'd', '4']);
    expect(run(['EXPIRE', 'a', '100'])).toBe(1);
    expect(run(['PEXPIRE', 'b', '1500'])).toBe(1);
    expect(run(['EXPIREAT', 'c', String(START_TIME_MS / 1000 + 30)])).toBe(1);
    expect(run(['PEXPIREAT', 'd', String(START_TIME_MS + 2500)])).toBe(1);
    expect(run(['TTL', 'a'])).toBe(100);
    expect(run(['PTTL', 'b'])).toBe(1500);
    expect(run(['TTL', 'c'])).toBe(30);
    expect(run(['PTTL', 'd'])).toBe(2500);
    expect(run(['EXPIRETIME', 'c'])).toBe(START_TIME_MS / 1000 + 30);
    expect(run(['PEXPIRETIME', 'd'])).toBe(START_TIME_MS + 2500);
  });

  test('keys expire on the clock once its time has passed (alive at the exact ms, as in Redis)', () => {
    run(['SET', 'a', '1']);
    run(['PEXPIRE', 'a', '1000']);
    runner.clock.advance(999);
    expect(run(['GET', 'a'])).toBe('1');
    expect(run(['PTTL', 'a'])).toBe(1);
    runner.clock.advance(1);
    expect(run(['PTTL', 'a'])).toBe(0);
    runner.clock.advance(1);
    expect(run(['GET', 'a'])).toBeNull();
    expect(run(['EXISTS', 'a'])).toBe(0);
  });

  test('TTL rounds to the nearest second as Redis does', () => {
    run(['SET', 'a', '1', 'PX', '1499']);
    expect(run(['TTL', 'a'])).toBe(1);
    run(['SET', 'b', '1', 'PX', '1500']);
    expect(run(['TTL', 'b'])).toBe(2);
  });

  test('EXPIRE of a missing key replies 0; TTL family -2 and -1', () => {
    expect(run(['EXPIRE', 'missing', '10'])).toBe(0);
    expect(run(['TTL', 'missing'])).toBe(-2);
    expect(run(['PTTL', 'missing'])).toBe(-2);
    expect(run(['EXPIRETIME', 'missing'])).toBe(-2);
    expect(run(['PEXPIRETIME', 'missing'])).toBe(-2);
    run(['SET', 'a', '1']);
    expect(run(['TTL', 'a'])).toBe(-1);
    expect(run(['PTTL', 'a'])).toBe(-1);
    expect(run(['EXPIRETIME', 'a'])).toBe(-1);
    expect(run(['PEXPIRETIME', 'a'])).toBe(-1);
  });

  test('a zero, negative or past expiry deletes the key and replies 1', () => {
    run(['MSET', 'a', '1', 'b', '2', 'c', '3']);
    expect(run(['EXPIRE', 'a', '0'])).toBe(1);
    expect(run(['PEXPIRE', 'b', '-100'])).toBe(1);
    expect(run(['EXPIREAT', 'c', '1'])).toBe(1);
    expect(run(['DBSIZE'])).toBe(0);
  });

  test('NX sets only without an expiry, XX only with one', () => {
    run(['SET', 'a', '1']);
    expect(run(['EXPIRE', 'a', '100', 'XX'])).toBe(0);
    expect(run(['EXPIRE', 'a', '100', 'NX'])).toBe(1);
    expect(run(['EXPIRE', 'a', '200', 'NX'])).toBe(0);
    expect(run(['EXPIRE', 'a', '200', 'xx'])).toBe(1);
    expect(run(['TTL', 'a'])).toBe(200);
  });

  test('GT and LT compare with the current expiry; no expiry counts as infinite', () => {
    run(['SET', 'a', '1']);
    expect(run(['EXPIRE', 'a', '100', 'GT'])).toBe(0);
    expect(run(['EXPIRE', 'a', '100', 'LT'])).toBe(1);
    expect(run(['EXPIRE', 'a', '200', 'LT'])).toBe(0);
    expect(run(['EXPIRE', 'a', '50', 'LT'])).toBe(1);
    expect(run(['EXPIRE', 'a', '50', 'GT'])).toBe(0);
    expect(run(['EXPIRE', 'a', '300', 'GT'])).toBe(1);
    expect(run(['TTL', 'a'])).toBe(300);
  });

  test('XX with LT needs an existing expiry; XX with GT is GT', () => {
    run(['SET', 'a', '1']);
    expect(run(['EXPIRE', 'a', '100', 'XX', 'LT'])).toBe(0);
    expect(run(['TTL', 'a'])).toBe(-1);
    expect(run(['EXPIRE', 'a', '100', 'XX', 'GT'])).toBe(0);
    run(['EXPIRE', 'a', '100']);
    expect(run(['EXPIRE', 'a', '50', 'XX', 'LT'])).toBe(1);
    expect(run(['EXPIRE', 'a', '500', 'GT', 'XX'])).toBe(1);
    expect(run(['TTL', 'a'])).toBe(500);
  });

  test('EXPIRE refuses bad options and times with Redis\'s texts', () => {
    run(['SET', 'a', '1']);
    expect(run(['EXPIRE', 'a', '10', 'NX', 'XX'])).toEqual({
      error: 'ERR NX and XX, GT or LT options at the same time are not compatible',
    });
    expect(run(['EXPIRE', 'a', '10', 'GT', 'LT'])).toEqual({
      error: 'ERR GT and LT options at the same time are not compatible',
    });
    expect(run(['EXPIRE', 'a', '10', 'FOO'])).toEqual({ error: 'ERR Unsupported option FOO' });
    expect(run(['EXPIRE', 'a', 'ten'])).toEqual(NOT_INTEGER);
    expect(run(['EXPIRE', 'a', 'ten', 'FOO'])).toEqual({ error: 'ERR Unsupported option FOO' });
    expect(run(['EXPIRE', 'a', '9223372036854775807'])).toEqual(invalidExpire('expire'));
    expect(run(['PEXPIRE', 'a', '9223372036854775807'])).toEqual(invalidExpire('pexpire'));
    expect(run(['EXPIREAT', 'a', '-9223372036854775807'])).toEqual(invalidExpire('expireat'));
    expect(run(['PEXPIREAT', 'a', '9223372036854775807'])).toBe(1);
    expect(run(['EXPIRE', 'missing', '9223372036854775807'])).toEqual(invalidExpire('expire'));
  });

  test('PERSIST removes an expiry and replies whether there was one', () => {
    run(['SET', 'a', '1', 'EX', '10']);
    expect(run(['PERSIST', 'a'])).toBe(1);
    expect(run(['TTL', 'a'])).toBe(-1);
    expect(run(['PERSIST', 'a'])).toBe(0);
    expect(run(['PERSIST', 'missing'])).toBe(0);
  });
});

describe('OBJECT', () => {
  test('OBJECT ENCODING reports int, embstr and raw as Redis does', () => {
    run(['SET', 'i', '12345']);
    run(['SET', 'e', 'short string']);
    run(['SET', 'r', 'x'.repeat(45)]);
    run(['SET', 'n', '012']);
    expect(run(['OBJECT', 'ENCODING', 'i'])).toBe('int');
    expect(run(['object', 'encoding', 'e'])).toBe('embstr');
    expect(run(['OBJECT', 'ENCODING', 'r'])).toBe('raw');
    expect(run(['OBJECT', 'ENCODING', 'n'])).toBe('embstr');
    expect(run(['OBJECT', 'ENCODING', 'missing'])).toBeNull();
  });

  test('OBJECT REFCOUNT replies an integer, nil for a missing key', () => {
    run(['SET', 'a', 'hello']);
    expect(run(['OBJECT', 'REFCOUNT', 'a'])).toBe(1);
    expect(run(['OBJECT', 'REFCOUNT', 'missing'])).toBeNull();
  });

  test('OBJECT IDLETIME follows the clock; FREQ is refused without an LFU policy', () => {
    run(['SET', 'a', '1']);
    runner.clock.advance(10_000);
    const idleSeconds = run(['OBJECT', 'IDLETIME', 'a']) as number;
    expect(idleSeconds).toBeGreaterThanOrEqual(9);
    expect(idleSeconds).toBeLessThanOrEqual(11);
    expect(run(['OBJECT', 'FREQ', 'a'])).toEqual({
      error: 'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    });
    expect(run(['OBJECT', 'FREQ', 'missing'])).toBeNull();
  });

  test('with an LFU policy OBJECT FREQ replies the counter and IDLETIME is refused', () => {
    const lfu = createCommandRunner({ maxmemoryPolicy: 'allkeys-lfu' });
    lfu.run(['SET', 'a', '1']);
    for (let index = 0; index < 20; index++) lfu.run(['GET', 'a']);
    const frequency = lfu.run(['OBJECT', 'FREQ', 'a']);
    expect(typeof frequency).toBe('number');
    expect(frequency).toBeGreaterThan(0);
    expect(lfu.run(['OBJECT', 'IDLETIME', 'a'])).toEqual({
      error: 'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    });
    expect(lfu.run(['OBJECT', 'IDLETIME', 'missing'])).toBeNull();
    const lru = createCommandRunner({ maxmemoryPolicy: 'allkeys-lru' });
    lru.run(['SET', 'a', '1']);
    expect(lru.run(['OBJECT', 'IDLETIME', 'a'])).toBe(0);
  });

  test('OBJECT HELP lists the subcommands as simple strings', () => {
    const help = runner.runTagged(['OBJECT', 'HELP']);
    expect(help.kind).toBe('array');
    if (help.kind !== 'array') return;
    expect(help.items.every((item) => item.kind === 'simple')).toBe(true);
    const lines = run(['OBJECT', 'help']) as string[];
    expect(lines[0]).toBe('OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(lines).toContain('ENCODING <key>');
    expect(lines.at(-2)).toBe('HELP');
    expect(lines.at(-1)).toBe('    Prints this help.');
  });

  test('OBJECT refuses unknown subcommands and wrong argument counts', () => {
    expect(run(['OBJECT', 'foo', 'a'])).toEqual({ error: "ERR unknown subcommand 'foo'. Try OBJECT HELP." });
    expect(run(['OBJECT', 'ENCODING'])).toEqual({
      error: "ERR wrong number of arguments for 'object|encoding' command",
    });
    expect(run(['OBJECT', 'HELP', 'x'])).toEqual({ error: "ERR wrong number of arguments for 'object|help' command" });
    expect(run(['OBJECT'])).toEqual({ error: "ERR wrong number of arguments for 'object' command" });
  });
});

describe('MEMORY', () => {
  test('MEMORY STATS replies a map of the heap\'s numbers with Redis\'s names where they exist', () => {
    run(['MSET', 'a', '1', 'b', 'x'.repeat(1000)]);
    const tagged = runner.runTagged(['MEMORY', 'STATS']);
    expect(tagged.kind).toBe('map');
    const flat = run(['MEMORY', 'STATS']) as (string | number)[];
    const stats = new Map<string, string | number>();
    for (let index = 0; index < flat.length; index += 2) stats.set(flat[index] as string, flat[index + 1]);
    expect(stats.get('keys.count')).toBe(2);
    expect(stats.get('dataset.bytes')).toBeGreaterThan(1000);
    expect(stats.get('total.allocated')).toBeGreaterThanOrEqual(stats.get('dataset.bytes') as number);
    expect(stats.get('fragmentation')).toBeGreaterThan(0);
    expect(stats.get('heap.page-size')).toBe(4096);
  });

  test('MEMORY USAGE replies a byte count that grows with the value, nil for a missing key', () => {
    run(['SET', 'small', 'x']);
    run(['SET', 'large', 'x'.repeat(10_000)]);
    const smallBytes = run(['MEMORY', 'USAGE', 'small']) as number;
    const largeBytes = run(['MEMORY', 'usage', 'large', 'SAMPLES', '0']) as number;
    expect(smallBytes).toBeGreaterThan(0);
    expect(largeBytes).toBeGreaterThan(10_000);
    expect(run(['MEMORY', 'USAGE', 'missing'])).toBeNull();
  });

  test('MEMORY USAGE refuses bad SAMPLES before looking at the key', () => {
    expect(run(['MEMORY', 'USAGE', 'missing', 'SAMPLES', '-1'])).toEqual(SYNTAX);
    expect(run(['MEMORY', 'USAGE', 'missing', 'SAMPLES', 'x'])).toEqual(NOT_INTEGER);
    expect(run(['MEMORY', 'USAGE', 'missing', 'SAMPLES'])).toEqual(SYNTAX);
    expect(run(['MEMORY', 'USAGE', 'missing', 'FOO'])).toEqual(SYNTAX);
  });

  test('MEMORY HELP, DOCTOR, PURGE and MALLOC-STATS reply as Redis does; unknown subcommands are refused', () => {
    const lines = run(['MEMORY', 'HELP']) as string[];
    expect(lines[0]).toBe('MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(lines).toContain('USAGE <key> [SAMPLES <count>]');
    expect(lines.at(-1)).toBe('    Prints this help.');
    expect(runner.runTagged(['MEMORY', 'DOCTOR']).kind).toBe('verbatim');
    expect(run(['MEMORY', 'DOCTOR'])).toMatch(/^Hi Sam, this instance is empty/);
    expect(run(['MEMORY', 'PURGE'])).toBe('OK');
    expect(run(['MEMORY', 'MALLOC-STATS'])).toBe('Stats not supported for the current allocator');
    expect(run(['MEMORY', 'bogus'])).toEqual({ error: "ERR unknown subcommand 'bogus'. Try MEMORY HELP." });
    expect(run(['MEMORY', 'USAGE'])).toEqual({ error: "ERR wrong number of arguments for 'memory|usage' command" });
  });
});
