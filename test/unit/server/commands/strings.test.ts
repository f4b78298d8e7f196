/**
 * The string commands through the in-process runner: happy paths, every option, every error
 * text, wrong types, expiry on the runner's manual clock, binary safety, and the command table
 * checked against Redis 7's COMMAND INFO.
 */

import fc from 'fast-check';
import { beforeEach, describe, expect, test } from 'vitest';

import type { CommandContext } from '../../../../src/server/command-types.js';
import { STRING_COMMANDS } from '../../../../src/server/commands/strings.js';
import type { Store } from '../../../../src/store/store.js';
import {
  RecordingReplyWriter,
  createCommandRunner,
  START_TIME_MS,
  type CommandRunner,
} from '../../../helpers/command-runner.js';
import { WRONGTYPE, NOT_INTEGER, NOT_FLOAT, SYNTAX, OVERFLOW, NAN_OR_INFINITY, TOO_LARGE, invalidExpire } from '../../../helpers/error-replies.js';


let runner: CommandRunner;
let run: CommandRunner['run'];

beforeEach(() => {
  runner = createCommandRunner();
  run = runner.run;
});

describe('command table', () => {
  // name, arity, flags, first key, last key, step: Redis 7 COMMAND INFO.
  const REDIS_COMMAND_INFO: readonly [string, number, string[], number, number, number][] = [
    ['GET', 2, ['readonly', 'fast'], 1, 1, 1],
    ['SET', -3, ['write', 'denyoom'], 1, 1, 1],
    ['SETNX', 3, ['write', 'denyoom', 'fast'], 1, 1, 1],
    ['SETEX', 4, ['write', 'denyoom'], 1, 1, 1],
    ['PSETEX', 4, ['write', 'denyoom'], 1, 1, 1],
    ['MGET', -2, ['readonly', 'fast'], 1, -1, 1],
    ['MSET', -3, ['write', 'denyoom'], 1, -1, 2],
    ['MSETNX', -3, ['write', 'denyoom'], 1, -1, 2],
    ['GETSET', 3, ['write', 'denyoom', 'fast'], 1, 1, 1],
    ['GETDEL', 2, ['write', 'fast'], 1, 1, 1],
    ['GETEX', -2, ['write', 'fast'], 1, 1, 1],
    ['APPEND', 3, ['write', 'denyoom', 'fast'], 1, 1, 1],
    ['STRLEN', 2, ['readonly', 'fast'], 1, 1, 1],
    ['GETRANGE', 4, ['readonly'], 1, 1, 1],
    ['SUBSTR', 4, ['readonly'], 1, 1, 1],
    ['SETRANGE', 4, ['write', 'denyoom'], 1, 1, 1],
    ['INCR', 2, ['write', 'denyoom', 'fast'], 1, 1, 1],
    ['INCRBY', 3, ['write', 'denyoom', 'fast'], 1, 1, 1],
    ['DECR', 2, ['write', 'denyoom', 'fast'], 1, 1, 1],
    ['DECRBY', 3, ['write', 'denyoom', 'fast'], 1, 1, 1],
    ['INCRBYFLOAT', 3, ['write', 'denyoom', 'fast'], 1, 1, 1],
    ['LCS', -3, ['readonly'], 1, 2, 1],
  ];

  test('has exactly the string commands, each once', () => {
    const names = STRING_COMMANDS.map((spec) => spec.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(REDIS_COMMAND_INFO.map(([name]) => name).sort());
  });

  test.each(REDIS_COMMAND_INFO)('%s has Redis\'s arity, flags and key positions', (name, arity, flags, first, last, step) => {
    const spec = STRING_COMMANDS.find((candidate) => candidate.name === name);
    expect(spec).toBeDefined();
    expect(spec?.arity).toBe(arity);
    expect([...(spec?.flags ?? [])].sort()).toEqual([...flags].sort());
    expect([spec?.firstKey, spec?.lastKey, spec?.keyStep]).toEqual([first, last, step]);
    expect(spec?.group).toBe('string');
    expect(spec?.summary.length).toBeGreaterThan(0);
  });
});

describe('GET and SET', () => {
  test('SET then GET returns the value; GET of a missing key is nil', () => {
    expect(run(['SET', 'k', 'v'])).toBe('OK');
    expect(run(['GET', 'k'])).toBe('v');
    expect(run(['GET', 'missing'])).toBeNull();
  });

  test('GET replies a bulk string copied through bulkFill, binary-safe', () => {
    const key = Buffer.from([0, 1, 0xff, 0x0d, 0x0a]);
    const value = Buffer.from([0xff, 0, 0x0d, 0x0a, 0x80, 0]);
    expect(run(['SET', key, value])).toBe('OK');
    expect(runner.runBuffers(['GET', key])).toEqual(value);
    expect(runner.runTagged(['GET', key]).kind).toBe('bulk');
  });

  test('GET of an empty value is an empty bulk string, not nil', () => {
    expect(run(['SET', 'k', ''])).toBe('OK');
    expect(run(['GET', 'k'])).toBe('');
  });

  test('GET of a value spanning many pages returns it whole', () => {
    const small = createCommandRunner({ pageSizeBytes: 256 });
    const value = Buffer.alloc(10_000, 0);
    for (let index = 0; index < value.length; index++) value[index] = (index * 7) & 0xff;
    expect(small.run(['SET', 'big', value])).toBe('OK');
    expect(small.runBuffers(['GET', 'big'])).toEqual(value);
  });

  test('SET NX sets only a missing key, XX only an existing one', () => {
    expect(run(['SET', 'k', 'a', 'XX'])).toBeNull();
    expect(run(['GET', 'k'])).toBeNull();
    expect(run(['SET', 'k', 'a', 'NX'])).toBe('OK');
    expect(run(['SET', 'k', 'b', 'nx'])).toBeNull();
    expect(run(['GET', 'k'])).toBe('a');
    expect(run(['SET', 'k', 'c', 'xx'])).toBe('OK');
    expect(run(['GET', 'k'])).toBe('c');
  });

  test('SET GET replies the previous value (nil if none), with NX/XX too', () => {
    expect(run(['SET', 'k', 'a', 'GET'])).toBeNull();
    expect(run(['SET', 'k', 'b', 'GET'])).toBe('a');
    expect(run(['SET', 'k', 'c', 'NX', 'GET'])).toBe('b');
    expect(run(['GET', 'k'])).toBe('b');
    expect(run(['SET', 'other', 'x', 'XX', 'GET'])).toBeNull();
    expect(run(['EXISTS', 'other'])).toBe(0);
  });

  test('SET EX/PX/EXAT/PXAT set expiries on the runner clock', () => {
    expect(run(['SET', 'a', 'v', 'EX', '10'])).toBe('OK');
    expect(run(['PTTL', 'a'])).toBe(10_000);
    expect(run(['SET', 'b', 'v', 'PX', '1500'])).toBe('OK');
    expect(run(['PTTL', 'b'])).toBe(1500);
    expect(run(['SET', 'c', 'v', 'EXAT', String(START_TIME_MS / 1000 + 20)])).toBe('OK');
    expect(run(['TTL', 'c'])).toBe(20);
    expect(run(['SET', 'd', 'v', 'PXAT', String(START_TIME_MS + 30)])).toBe('OK');
    expect(run(['PEXPIRETIME', 'd'])).toBe(START_TIME_MS + 30);
    runner.clock.advance(1500);
    expect(run(['GET', 'b'])).toBe('v'); // alive at its exact expiry ms, as in Redis
    runner.clock.advance(1);
    expect(run(['GET', 'b'])).toBeNull();
    expect(run(['GET', 'a'])).toBe('v');
  });

  test('SET without KEEPTTL clears the expiry; with KEEPTTL keeps it', () => {
    run(['SET', 'k', 'v', 'EX', '100']);
    expect(run(['SET', 'k', 'w', 'KEEPTTL'])).toBe('OK');
    expect(run(['TTL', 'k'])).toBe(100);
    expect(run(['SET', 'k', 'x'])).toBe('OK');
    expect(run(['TTL', 'k'])).toBe(-1);
  });

  test('SET EXAT in the past sets nothing visible', () => {
    expect(run(['SET', 'k', 'v', 'EXAT', '1'])).toBe('OK');
    expect(run(['GET', 'k'])).toBeNull();
  });

  test('SET refuses bad option combinations with a syntax error', () => {
    for (const args of [['NX', 'XX'], ['EX', '1', 'PX', '1'], ['KEEPTTL', 'EX', '1'], ['EX'], ['BOGUS'], ['PERSIST']]) {
      expect(run(['SET', 'k', 'v', ...args])).toEqual(SYNTAX);
    }
    expect(run(['EXISTS', 'k'])).toBe(0);
  });

  test('SET refuses invalid expire times with its own command name', () => {
    expect(run(['SET', 'k', 'v', 'EX', '0'])).toEqual(invalidExpire('set'));
    expect(run(['SET', 'k', 'v', 'PX', '-5'])).toEqual(invalidExpire('set'));
    expect(run(['SET', 'k', 'v', 'EX', '9223372036854775807'])).toEqual(invalidExpire('set'));
    expect(run(['SET', 'k', 'v', 'EX', 'ten'])).toEqual(NOT_INTEGER);
    expect(run(['EXISTS', 'k'])).toBe(0);
  });

  test('SET reports a syntax error before an invalid expire time', () => {
    expect(run(['SET', 'k', 'v', 'EX', '0', 'BOGUS'])).toEqual(SYNTAX);
  });

  test('command names are case-insensitive and arity is checked', () => {
    expect(run(['set', 'k', 'v'])).toBe('OK');
    expect(run(['gEt', 'k'])).toBe('v');
    expect(run(['GET'])).toEqual({ error: "ERR wrong number of arguments for 'get' command" });
    expect(run(['GET', 'a', 'b'])).toEqual({ error: "ERR wrong number of arguments for 'get' command" });
  });
});

describe('SETNX, SETEX, PSETEX, GETSET', () => {
  test('SETNX replies 1 when it sets and 0 when the key exists', () => {
    expect(run(['SETNX', 'k', 'a'])).toBe(1);
    expect(run(['SETNX', 'k', 'b'])).toBe(0);
    expect(run(['GET', 'k'])).toBe('a');
  });

  test('SETEX and PSETEX set the value with an expiry', () => {
    expect(run(['SETEX', 'k', '10', 'v'])).toBe('OK');
    expect(run(['GET', 'k'])).toBe('v');
    expect(run(['TTL', 'k'])).toBe(10);
    expect(run(['PSETEX', 'p', '2500', 'w'])).toBe('OK');
    expect(run(['PTTL', 'p'])).toBe(2500);
  });

  test('SETEX and PSETEX refuse invalid times with their own names', () => {
    expect(run(['SETEX', 'k', '0', 'v'])).toEqual(invalidExpire('setex'));
    expect(run(['SETEX', 'k', '-1', 'v'])).toEqual(invalidExpire('setex'));
    expect(run(['PSETEX', 'k', '0', 'v'])).toEqual(invalidExpire('psetex'));
    expect(run(['SETEX', 'k', 'x', 'v'])).toEqual(NOT_INTEGER);
    expect(run(['EXISTS', 'k'])).toBe(0);
  });

  test('GETSET replies the old value and clears the expiry', () => {
    expect(run(['GETSET', 'k', 'a'])).toBeNull();
    run(['EXPIRE', 'k', '100']);
    expect(run(['GETSET', 'k', 'b'])).toBe('a');
    expect(run(['GET', 'k'])).toBe('b');
    expect(run(['TTL', 'k'])).toBe(-1);
  });
});

describe('MGET, MSET, MSETNX', () => {
  test('MSET sets every pair and MGET reads them with nil for missing keys', () => {
    expect(run(['MSET', 'a', '1', 'b', '2'])).toBe('OK');
    expect(run(['MGET', 'a', 'missing', 'b', 'a'])).toEqual(['1', null, '2', '1']);
  });

  test('MSET and MSETNX need key/value pairs', () => {
    expect(run(['MSET', 'a', '1', 'b'])).toEqual({ error: "ERR wrong number of arguments for 'mset' command" });
    expect(run(['MSETNX', 'a', '1', 'b'])).toEqual({ error: "ERR wrong number of arguments for 'msetnx' command" });
    expect(run(['EXISTS', 'a'])).toBe(0);
  });

  test('MSETNX sets all keys or none', () => {
    expect(run(['MSETNX', 'a', '1', 'b', '2'])).toBe(1);
    expect(run(['MSETNX', 'b', 'x', 'c', '3'])).toBe(0);
    expect(run(['MGET', 'a', 'b', 'c'])).toEqual(['1', '2', null]);
  });

  test('MSET clears expiries of the keys it overwrites', () => {
    run(['SET', 'a', 'x', 'EX', '100']);
    run(['MSET', 'a', 'y']);
    expect(run(['TTL', 'a'])).toBe(-1);
  });
});

describe('GETDEL and GETEX', () => {
  test('GETDEL replies the value and deletes the key', () => {
    run(['SET', 'k', 'v']);
    expect(run(['GETDEL', 'k'])).toBe('v');
    expect(run(['EXISTS', 'k'])).toBe(0);
    expect(run(['GETDEL', 'k'])).toBeNull();
  });

  test('GETEX without options is GET', () => {
    run(['SET', 'k', 'v', 'EX', '100']);
    expect(run(['GETEX', 'k'])).toBe('v');
    expect(run(['TTL', 'k'])).toBe(100);
    expect(run(['GETEX', 'missing'])).toBeNull();
  });

  test('GETEX EX/PX/EXAT/PXAT set the expiry and PERSIST removes it', () => {
    run(['SET', 'k', 'v']);
    expect(run(['GETEX', 'k', 'EX', '50'])).toBe('v');
    expect(run(['TTL', 'k'])).toBe(50);
    expect(run(['GETEX', 'k', 'PX', '700'])).toBe('v');
    expect(run(['PTTL', 'k'])).toBe(700);
    expect(run(['GETEX', 'k', 'EXAT', String(START_TIME_MS / 1000 + 9)])).toBe('v');
    expect(run(['TTL', 'k'])).toBe(9);
    expect(run(['GETEX', 'k', 'PXAT', String(START_TIME_MS + 1234)])).toBe('v');
    expect(run(['PTTL', 'k'])).toBe(1234);
    expect(run(['GETEX', 'k', 'PERSIST'])).toBe('v');
    expect(run(['TTL', 'k'])).toBe(-1);
  });

  test('GETEX EXAT in the past replies the value and deletes the key', () => {
    run(['SET', 'k', 'v']);
    expect(run(['GETEX', 'k', 'EXAT', '1'])).toBe('v');
    expect(run(['EXISTS', 'k'])).toBe(0);
  });

  test('GETEX refuses SET-only options and bad combinations with a syntax error', () => {
    run(['SET', 'k', 'v']);
    for (const args of [['NX'], ['GET'], ['KEEPTTL'], ['EX', '1', 'PERSIST'], ['EX', '1', 'PX', '1'], ['PX']]) {
      expect(run(['GETEX', 'k', ...args])).toEqual(SYNTAX);
    }
  });

  test('GETEX answers nil for a missing key before checking the expire time', () => {
    expect(run(['GETEX', 'missing', 'EX', '0'])).toBeNull();
    run(['SET', 'k', 'v']);
    expect(run(['GETEX', 'k', 'EX', '0'])).toEqual(invalidExpire('getex'));
    expect(run(['GETEX', 'k', 'EX', 'x'])).toEqual(NOT_INTEGER);
    expect(run(['TTL', 'k'])).toBe(-1);
  });
});

describe('APPEND, STRLEN, GETRANGE, SETRANGE', () => {
  test('APPEND creates or extends and replies the new length', () => {
    expect(run(['APPEND', 'k', 'Hello'])).toBe(5);
    expect(run(['APPEND', 'k', ' World'])).toBe(11);
    expect(run(['GET', 'k'])).toBe('Hello World');
    expect(run(['APPEND', 'k', ''])).toBe(11);
  });

  test('APPEND to an integer-encoded value appends to its text', () => {
    run(['SET', 'n', '12']);
    expect(run(['APPEND', 'n', '34'])).toBe(4);
    expect(run(['INCR', 'n'])).toBe(1235);
  });

  test('STRLEN is the byte length, 0 for a missing key', () => {
    run(['SET', 'k', 'héllo']);
    expect(run(['STRLEN', 'k'])).toBe(6);
    expect(run(['STRLEN', 'missing'])).toBe(0);
    run(['SET', 'n', '-123']);
    expect(run(['STRLEN', 'n'])).toBe(4);
  });

  test('GETRANGE follows Redis\'s index rules', () => {
    run(['SET', 'k', 'This is a string']);
    expect(run(['GETRANGE', 'k', '0', '3'])).toBe('This');
    expect(run(['GETRANGE', 'k', '-3', '-1'])).toBe('ing');
    expect(run(['GETRANGE', 'k', '0', '-1'])).toBe('This is a string');
    expect(run(['GETRANGE', 'k', '10', '100'])).toBe('string');
    expect(run(['GETRANGE', 'k', '5', '3'])).toBe('');
    expect(run(['GETRANGE', 'k', '-1', '-5'])).toBe('');
    expect(run(['GETRANGE', 'k', '-100', '2'])).toBe('Thi');
    expect(run(['GETRANGE', 'k', '100', '200'])).toBe('');
    expect(run(['GETRANGE', 'k', '0', '9223372036854775807'])).toBe('This is a string');
    expect(run(['GETRANGE', 'k', '-9223372036854775807', '-9223372036854775808'])).toBe('');
    expect(run(['SUBSTR', 'k', '0', '3'])).toBe('This');
  });

  test('GETRANGE of a missing key is an empty string; bad indexes are not integers', () => {
    expect(run(['GETRANGE', 'missing', '0', '-1'])).toBe('');
    expect(runner.runTagged(['GETRANGE', 'missing', '0', '-1']).kind).toBe('bulk');
    expect(run(['GETRANGE', 'k', 'a', '1'])).toEqual(NOT_INTEGER);
    expect(run(['GETRANGE', 'k', '0', '1.5'])).toEqual(NOT_INTEGER);
  });

  test('SETRANGE overwrites, zero-pads, and replies the new length', () => {
    run(['SET', 'k', 'Hello World']);
    expect(run(['SETRANGE', 'k', '6', 'Redis'])).toBe(11);
    expect(run(['GET', 'k'])).toBe('Hello Redis');
    expect(run(['SETRANGE', 'pad', '3', 'x'])).toBe(4);
    expect(runner.runBuffers(['GET', 'pad'])).toEqual(Buffer.from([0, 0, 0, 0x78]));
  });

  test('SETRANGE with an empty value creates nothing and reports the current length', () => {
    expect(run(['SETRANGE', 'missing', '5', ''])).toBe(0);
    expect(run(['EXISTS', 'missing'])).toBe(0);
    run(['SET', 'k', 'abc']);
    expect(run(['SETRANGE', 'k', '1000000000000', ''])).toBe(3);
  });

  test('SETRANGE refuses negative, non-integer and too large offsets', () => {
    expect(run(['SETRANGE', 'k', '-1', 'x'])).toEqual({ error: 'ERR offset is out of range' });
    expect(run(['SETRANGE', 'k', 'x', 'x'])).toEqual(NOT_INTEGER);
    expect(run(['SETRANGE', 'k', String(512 * 1024 * 1024), 'x'])).toEqual(TOO_LARGE);
    expect(run(['SETRANGE', 'k', '9223372036854775807', 'x'])).toEqual(TOO_LARGE);
    expect(run(['EXISTS', 'k'])).toBe(0);
  });
});

describe('INCR family', () => {
  test('INCR, DECR, INCRBY, DECRBY start from 0 and reply integers', () => {
    expect(run(['INCR', 'n'])).toBe(1);
    expect(run(['INCRBY', 'n', '10'])).toBe(11);
    expect(run(['DECR', 'n'])).toBe(10);
    expect(run(['DECRBY', 'n', '15'])).toBe(-5);
    expect(run(['GET', 'n'])).toBe('-5');
    expect(runner.runTagged(['INCR', 'n']).kind).toBe('integer');
  });

  test('INCR keeps the expiry of the key', () => {
    run(['SET', 'n', '1', 'EX', '100']);
    run(['INCR', 'n']);
    expect(run(['TTL', 'n'])).toBe(100);
  });

  test('INCR refuses values that are not canonical integers', () => {
    for (const value of ['abc', '1.5', ' 1', '+1', '01', '', '9223372036854775808']) {
      run(['SET', 'n', value]);
      expect(run(['INCR', 'n'])).toEqual(NOT_INTEGER);
    }
  });

  test('INCRBY and DECRBY refuse increments that are not integers', () => {
    expect(run(['INCRBY', 'n', '1.5'])).toEqual(NOT_INTEGER);
    expect(run(['INCRBY', 'n', '+1'])).toEqual(NOT_INTEGER);
    expect(run(['DECRBY', 'n', 'x'])).toEqual(NOT_INTEGER);
    expect(run(['EXISTS', 'n'])).toBe(0);
  });

  test('overflow beyond i64 is refused and leaves the value', () => {
    run(['SET', 'n', '9223372036854775806']);
    expect(run(['INCR', 'n'])).toBe(9223372036854775807n);
    expect(run(['INCR', 'n'])).toEqual(OVERFLOW);
    expect(run(['GET', 'n'])).toBe('9223372036854775807');
    run(['SET', 'm', '-9223372036854775808']);
    expect(run(['DECR', 'm'])).toEqual(OVERFLOW);
    expect(run(['INCRBY', 'm', '9223372036854775807'])).toBe(-1);
  });

  test('DECRBY of i64\'s minimum is refused as Redis does', () => {
    expect(run(['DECRBY', 'n', '-9223372036854775808'])).toEqual({ error: 'ERR decrement would overflow' });
    expect(run(['DECRBY', 'n', '-9223372036854775807'])).toBe(9223372036854775807n);
  });
});

describe('INCRBYFLOAT', () => {
  test('adds and replies a bulk string in RESP2 and RESP3', () => {
    expect(run(['INCRBYFLOAT', 'f', '10.5'])).toBe('10.5');
    expect(runner.runTagged(['INCRBYFLOAT', 'f', '0.1'])).toEqual({ kind: 'bulk', value: Buffer.from('10.6') });
    runner.protocol = 3;
    expect(runner.runTagged(['INCRBYFLOAT', 'f', '-5']).kind).toBe('bulk');
    expect(run(['GET', 'f'])).toBe('5.6');
  });

  test('formats like Redis: no trailing zeros, exponents expanded', () => {
    run(['SET', 'f', '5.0e3']);
    expect(run(['INCRBYFLOAT', 'f', '2.0e2'])).toBe('5200');
    run(['SET', 'g', '3']);
    expect(run(['INCRBYFLOAT', 'g', '1.5'])).toBe('4.5');
    expect(run(['INCRBYFLOAT', 'h', '1e3'])).toBe('1000');
    expect(run(['INCRBYFLOAT', 'i', '-0x10'])).toBe('-16');
  });

  test('computes in long double and prints like Redis on x86-64', () => {
    expect(run(['INCRBYFLOAT', 'a', '256.1'])).toBe('256.10000000000000001');
    run(['INCRBYFLOAT', 'b', '10.5']);
    expect(run(['INCRBYFLOAT', 'b', '0.1'])).toBe('10.6');
    expect(run(['INCRBYFLOAT', 'b', '1000'])).toBe('1010.59999999999999998');
    expect(run(['INCRBYFLOAT', 'c', '1e-400'])).toBe('0');
    expect((run(['INCRBYFLOAT', 'd', '1e309']) as string).slice(0, 30)).toBe('999999999999999999986349424581');
  });

  test('refuses a bad increment or stored value as not a valid float', () => {
    expect(run(['INCRBYFLOAT', 'f', 'abc'])).toEqual(NOT_FLOAT);
    expect(run(['INCRBYFLOAT', 'f', ' 1'])).toEqual(NOT_FLOAT);
    expect(run(['INCRBYFLOAT', 'f', 'nan'])).toEqual(NOT_FLOAT);
    run(['SET', 's', 'hello']);
    expect(run(['INCRBYFLOAT', 's', '1'])).toEqual(NOT_FLOAT);
    expect(run(['INCRBYFLOAT', 's', 'inf'])).toEqual(NOT_FLOAT);
    expect(run(['EXISTS', 'f'])).toBe(0);
  });

  test('refuses results that are infinite or NaN', () => {
    expect(run(['INCRBYFLOAT', 'f', 'inf'])).toEqual(NAN_OR_INFINITY);
    expect(run(['INCRBYFLOAT', 'f', '-infinity'])).toEqual(NAN_OR_INFINITY);
    run(['SET', 'g', '1']);
    expect(run(['INCRBYFLOAT', 'g', '+inf'])).toEqual(NAN_OR_INFINITY);
    expect(run(['GET', 'g'])).toBe('1');
    expect(run(['EXISTS', 'f'])).toBe(0);
  });
});

describe('LCS', () => {
  beforeEach(() => {
    run(['MSET', 'key1', 'ohmytext', 'key2', 'mynewtext']);
  });

  test('replies the longest common subsequence, or its length with LEN', () => {
    expect(run(['LCS', 'key1', 'key2'])).toBe('mytext');
    expect(run(['LCS', 'key1', 'key2', 'LEN'])).toBe(6);
    expect(run(['LCS', 'key1', 'missing'])).toBe('');
    expect(run(['LCS', 'missing', 'key2', 'len'])).toBe(0);
  });

  test('IDX replies the matched ranges and the length, as in the Redis documentation', () => {
    expect(run(['LCS', 'key1', 'key2', 'IDX'])).toEqual([
      'matches',
      [[[4, 7], [5, 8]], [[2, 3], [0, 1]]],
      'len',
      6,
    ]);
    expect(run(['LCS', 'key1', 'key2', 'IDX', 'MINMATCHLEN', '4'])).toEqual(['matches', [[[4, 7], [5, 8]]], 'len', 6]);
    expect(run(['LCS', 'key1', 'key2', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'])).toEqual([
      'matches', [[[4, 7], [5, 8], 4]], 'len', 6,
    ]);
    runner.protocol = 3;
    expect(runner.runTagged(['LCS', 'key1', 'key2', 'IDX']).kind).toBe('map');
  });

  test('finds a common subsequence of maximal length whose IDX ranges match in both strings', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 12 });
    fc.assert(fc.property(text, text, (a, b) => {
      run(['MSET', 'x', a, 'y', b]);
      const common = run(['LCS', 'x', 'y']) as string;
      expect(isSubsequence(common, a) && isSubsequence(common, b)).toBe(true);
      expect(common.length).toBe(referenceLcsLength(a, b));
      expect(run(['LCS', 'x', 'y', 'LEN'])).toBe(common.length);
      const [, ranges] = run(['LCS', 'x', 'y', 'IDX', 'WITHMATCHLEN']) as [string, [number[], number[], number][]];
      for (const [[aStart, aEnd], [bStart, bEnd], length] of ranges) {
        expect(a.slice(aStart, aEnd + 1)).toBe(b.slice(bStart, bEnd + 1));
        expect(length).toBe(aEnd - aStart + 1);
      }
    }), { numRuns: 150 });
  });

  test('refuses bad options and LEN with IDX', () => {
    expect(run(['LCS', 'key1', 'key2', 'LEN', 'IDX'])).toEqual({
      error: 'ERR If you want both the length and indexes, please just use IDX.',
    });
    expect(run(['LCS', 'key1', 'key2', 'FOO'])).toEqual(SYNTAX);
    expect(run(['LCS', 'key1', 'key2', 'MINMATCHLEN'])).toEqual(SYNTAX);
    expect(run(['LCS', 'key1', 'key2', 'MINMATCHLEN', 'x'])).toEqual(NOT_INTEGER);
  });

  test('refuses inputs whose table would exceed proto-max-bulk-len', () => {
    const big = 'x'.repeat(12_000);
    run(['MSET', 'big1', big, 'big2', big]);
    expect(run(['LCS', 'big1', 'big2', 'LEN'])).toEqual({
      error: 'ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len',
    });
  });
});

describe('out of memory', () => {
  const OOM = { error: "OOM command not allowed when used memory > 'maxmemory'." };

  test('writes that need memory reply OOM when the heap is full; reads and deletes still work', () => {
    const tiny = createCommandRunner({ pageSizeBytes: 1024, maxMemoryBytes: 64 * 1024, segmentPageCount: 16 });
    const value = Buffer.alloc(1000, 0x61);
    let reply: unknown = 'OK';
    let count = 0;
    for (; count < 1000 && reply === 'OK'; count++) reply = tiny.run(['SET', `k${count}`, value]);
    expect(reply).toEqual(OOM);
    expect(tiny.run(['EXISTS', `k${count - 1}`])).toBe(0);
    expect(tiny.runBuffers(['GET', 'k0'])).toEqual(value);
    let length = value.length;
    for (;;) {
      reply = tiny.run(['APPEND', 'k0', value]);
      if (typeof reply !== 'number' || reply > 1_000_000) break;
      length = reply;
    }
    expect(reply).toEqual(OOM);
    expect(tiny.run(['STRLEN', 'k0'])).toBe(length);
    expect(tiny.run(['DEL', 'k0', 'k1'])).toBe(2);
    expect(tiny.run(['SET', 'again', value])).toBe('OK');
  });
});

describe('wrong type', () => {
  // No other value type exists in the store yet, so a stub store answers 'wrongType' for every
  // key: this checks each handler's mapping and its error order (the store's own wrong-type
  // behaviour is the store's tests' business).
  const wrongType = { status: 'wrongType' } as const;
  const wrongTypeStore = {
    databaseCount: 16,
    lookupString: () => wrongType,
    get: () => wrongType,
    getDel: () => wrongType,
    getEx: () => wrongType,
    set: (_db: number, _key: Uint8Array, _value: Uint8Array, options: { get?: boolean }) =>
      (options.get === true ? wrongType : { status: 'ok', previous: null }),
    mget: (_db: number, keys: readonly Uint8Array[]) => keys.map(() => null),
    append: () => wrongType,
    strlen: () => wrongType,
    getRange: () => wrongType,
    setRange: () => wrongType,
    incrBy: () => wrongType,
    incrByFloat: () => wrongType,
    type: () => 'list',
  } as unknown as Store;

  function runOnStub(args: string[]): unknown {
    const spec = STRING_COMMANDS.find((candidate) => candidate.name === args[0]);
    if (spec === undefined) throw new Error(`no command ${args[0]}`);
    const reply = new RecordingReplyWriter(2);
    const context: CommandContext = { reply, store: wrongTypeStore, db: 0, nowMs: START_TIME_MS };
    spec.run(context, args.map((arg) => Buffer.from(arg)));
    const tagged = reply.takeReply();
    return tagged.kind === 'error' ? { error: tagged.value } : tagged;
  }

  test.each([
    [['GET', 'k']], [['SET', 'k', 'v', 'GET']], [['GETSET', 'k', 'v']], [['GETDEL', 'k']], [['GETEX', 'k']],
    [['GETEX', 'k', 'EX', '0']], [['GETEX', 'k', 'PERSIST']], [['APPEND', 'k', 'v']], [['STRLEN', 'k']],
    [['GETRANGE', 'k', '0', '1']], [['SUBSTR', 'k', '0', '1']], [['SETRANGE', 'k', '0', 'v']], [['INCR', 'k']],
    [['DECR', 'k']], [['INCRBY', 'k', '1']], [['DECRBY', 'k', '1']], [['INCRBYFLOAT', 'k', '1']],
    [['INCRBYFLOAT', 'k', 'abc']], [['INCRBYFLOAT', 'k', 'inf']],
  ])('%j of a non-string is WRONGTYPE', (args) => {
    expect(runOnStub(args)).toEqual(WRONGTYPE);
  });

  test('LCS of a non-string has its own error text', () => {
    expect(runOnStub(['LCS', 'a', 'b'])).toEqual({ error: 'ERR The specified keys must contain string values' });
  });

  test('plain SET overwrites a key of any type', () => {
    expect(runOnStub(['SET', 'k', 'v'])).toEqual({ kind: 'simple', value: 'OK' });
  });

  test('MGET of a non-string is nil, not an error', () => {
    expect(runOnStub(['MGET', 'k'])).toEqual({ kind: 'array', items: [{ kind: 'nullBulk' }] });
  });

  test('argument errors that Redis checks before the key win over WRONGTYPE', () => {
    expect(runOnStub(['INCRBY', 'k', 'x'])).toEqual(NOT_INTEGER);
    expect(runOnStub(['GETRANGE', 'k', 'x', '1'])).toEqual(NOT_INTEGER);
    expect(runOnStub(['SETRANGE', 'k', '-1', 'v'])).toEqual({ error: 'ERR offset is out of range' });
    expect(runOnStub(['SET', 'k', 'v', 'GET', 'EX', '0'])).toEqual(invalidExpire('set'));
    expect(runOnStub(['GETEX', 'k', 'NX'])).toEqual(SYNTAX);
  });
});

function isSubsequence(needle: string, haystack: string): boolean {
  let index = 0;
  for (const char of haystack) if (index < needle.length && needle[index] === char) index++;
  return index === needle.length;
}

function referenceLcsLength(a: string, b: string): number {
  let previous = new Array<number>(b.length + 1).fill(0);
  for (const charA of a) {
    const current = [0];
    for (let j = 1; j <= b.length; j++) {
      current[j] = charA === b[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
    }
    previous = current;
  }
  return previous[b.length];
}
