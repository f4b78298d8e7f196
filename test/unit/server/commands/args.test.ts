/**
 * Unit tests for the argument parsers: Redis's string2ll integer rules, the strtod float rules,
 * SCAN cursors, and the SET/GETEX/EXPIRE option grammars with their error texts.
 */

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

import {
  I64_MAX,
  I64_MIN,
  parseExpireCondition,
  parseI64,
  parseI64Saturated,
  parseIncrement,
  parseIntegerInRange,
  parseDouble,
  parseScanCursor,
  parseStringSetOptions,
  resolveKeyExpire,
  resolveStringExpire,
} from '../../../../src/server/commands/args.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');
const argvOf = (...args: string[]): Buffer[] => args.map(bytes);

describe('parseI64 (string2ll)', () => {
  test.each([
    ['0', 0n], ['1', 1n], ['-1', -1n], ['10', 10n], ['123456789012345', 123456789012345n],
    ['9223372036854775807', I64_MAX], ['-9223372036854775808', I64_MIN],
  ])('accepts %s', (text, value) => {
    expect(parseI64(bytes(text))).toBe(value);
  });

  test.each([
    '', '-', '-0', '+1', ' 1', '1 ', '01', '00', '1.0', '1e3', '0x10', 'abc', '1a',
    '9223372036854775808', '-9223372036854775809', '99999999999999999999', '123456789012345678901',
  ])('refuses %j', (text) => {
    expect(parseI64(bytes(text))).toBeNull();
  });

  test('agrees with BigInt on every canonical i64 text', () => {
    fc.assert(fc.property(fc.bigInt({ min: I64_MIN, max: I64_MAX }), (value) => {
      expect(parseI64(bytes(value.toString()))).toBe(value);
    }), { numRuns: 200 });
  });

  test('never accepts a text that is not the canonical form of its value', () => {
    fc.assert(fc.property(fc.string({ maxLength: 22 }), (text) => {
      const value = parseI64(bytes(text));
      if (value !== null) expect(value.toString()).toBe(text);
    }), { numRuns: 200 });
  });
});

describe('parseI64Saturated and parseIncrement', () => {
  test('parseI64Saturated() clamps values beyond 2^53 and refuses what string2ll refuses', () => {
    expect(parseI64Saturated(bytes('42'))).toBe(42);
    expect(parseI64Saturated(bytes('-42'))).toBe(-42);
    expect(parseI64Saturated(bytes('9223372036854775807'))).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseI64Saturated(bytes('-9223372036854775808'))).toBe(Number.MIN_SAFE_INTEGER);
    expect(parseI64Saturated(bytes('+5'))).toBeNull();
    expect(parseI64Saturated(bytes('9223372036854775808'))).toBeNull();
  });

  test('parseIncrement() gives a number when safe and a bigint beyond', () => {
    expect(parseIncrement(bytes('5'))).toBe(5);
    expect(parseIncrement(bytes('9007199254740991'))).toBe(9007199254740991);
    expect(parseIncrement(bytes('9007199254740992'))).toBe(9007199254740992n);
    expect(parseIncrement(bytes('-9223372036854775808'))).toBe(I64_MIN);
    expect(parseIncrement(bytes('1.5'))).toBeNull();
  });
});

describe('parseIntegerInRange (getRangeLongFromObjectOrReply)', () => {
  test('reports Redis\'s out-of-range text with the bounds', () => {
    expect(parseIntegerInRange(bytes('2147483648'), { min: -2147483648, max: 2147483647 })).toEqual({
      status: 'error',
      text: 'ERR value is out of range, value must between -2147483648 and 2147483647',
    });
  });

  test('uses the given texts when provided, and Redis\'s not-an-integer text otherwise', () => {
    expect(parseIntegerInRange(bytes('x'), { min: 0, max: 1 })).toEqual({
      status: 'error', text: 'ERR value is not an integer or out of range',
    });
    expect(parseIntegerInRange(bytes('x'), { min: 0, max: 1, notIntegerText: 'ERR a' })).toEqual({
      status: 'error', text: 'ERR a',
    });
    expect(parseIntegerInRange(bytes('7'), { min: 0, max: 1, outOfRangeText: 'ERR b' })).toEqual({
      status: 'error', text: 'ERR b',
    });
    expect(parseIntegerInRange(bytes('1'), { min: 0, max: 1 })).toEqual({ status: 'ok', value: 1 });
  });
});

describe('parseDouble (getDoubleFromObject, strtod rules)', () => {
  test.each([
    ['0', 0], ['1', 1], ['-1.5', -1.5], ['+2', 2], ['1e3', 1000], ['1E3', 1000], ['1.', 1],
    ['.5', 0.5], ['-.5e-1', -0.05], ['10.50', 10.5], ['1e+2', 100], ['00012', 12], ['-0', -0],
    ['0x10', 16], ['0x1p3', 8], ['0X1.8P1', 3], ['-0x.8', -0.5], ['1e-300', 1e-300], ['0x0p99999', 0],
    ['0e999999', 0],
  ])('accepts %s', (text, value) => {
    expect(parseDouble(bytes(text))).toBe(value);
  });

  test.each([
    ['inf', Infinity], ['-inf', -Infinity], ['+INF', Infinity], ['Infinity', Infinity], ['-infinity', -Infinity],
  ])('accepts %s as an infinity', (text, value) => {
    expect(parseDouble(bytes(text))).toBe(value);
  });

  test.each([
    '', ' 1', '1 ', '\t1', 'abc', '1e', '1e+', '.', '-', '+', 'nan', 'NaN', '-nan', 'infin', '1,5', '0x',
    '0x1p', '1_000', '1e400', '-1e400', '1e-400', '0b1', '1.5.5', 'e3',
  ])('refuses %j', (text) => {
    expect(parseDouble(bytes(text))).toBeNull();
  });

  test('accepts long texts (strtod has no length limit)', () => {
    expect(parseDouble(bytes('1'.padStart(10_000, '0')))).toBe(1);
    expect(parseDouble(bytes(`0.${'3'.repeat(400)}`))).toBe(1 / 3);
  });

  test('round-trips every finite double printed by JavaScript', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
      const parsed = parseDouble(bytes(String(value)));
      if (value !== 0 && Math.abs(value) < 1e-307) return; // subnormals are fine either way
      expect(parsed).toBe(Object.is(value, -0) ? 0 : value); // String(-0) is "0"
    }), { numRuns: 200 });
  });
});

describe('parseScanCursor (strtoul rules)', () => {
  test('accepts decimal u64 cursors, the empty string as 0 and a sign', () => {
    expect(parseScanCursor(bytes('0'))).toBe(0n);
    expect(parseScanCursor(bytes('17'))).toBe(17n);
    expect(parseScanCursor(bytes(''))).toBe(0n);
    expect(parseScanCursor(bytes('+3'))).toBe(3n);
    expect(parseScanCursor(bytes('18446744073709551615'))).toBe(18446744073709551615n);
    expect(parseScanCursor(bytes('-1'))).toBe(18446744073709551615n);
  });

  test.each([' 1', '1 ', 'x', '1x', '18446744073709551616', '-', '0x10'])('refuses %j', (text) => {
    expect(parseScanCursor(bytes(text))).toBeNull();
  });
});

describe('parseStringSetOptions', () => {
  const set = (...args: string[]) => parseStringSetOptions(argvOf('SET', 'k', 'v', ...args), {
    startIndex: 3, command: 'set',
  });
  const getex = (...args: string[]) => parseStringSetOptions(argvOf('GETEX', 'k', ...args), {
    startIndex: 2, command: 'getex',
  });
  const syntaxError = { status: 'error', text: 'ERR syntax error' };

  test('accepts every SET option in any case', () => {
    const result = set('nx', 'Get', 'EX', '10');
    expect(result.status).toBe('ok');
    if (result.status !== 'ok') return;
    expect(result.options.condition).toBe('nx');
    expect(result.options.get).toBe(true);
    expect(result.options.expire?.kind).toBe('ex');
    expect(result.options.expire?.argument.toString()).toBe('10');
    expect(set('XX', 'KEEPTTL').status).toBe('ok');
    expect(set('PXAT', '5', 'PXAT', '6').status).toBe('ok');
  });

  test('lets the last of a repeated expiry option win', () => {
    const result = set('EX', '1', 'EX', '2');
    expect(result.status === 'ok' && result.options.expire?.argument.toString()).toBe('2');
  });

  test.each([
    [['NX', 'XX']], [['XX', 'NX']], [['EX', '1', 'PX', '1']], [['PX', '1', 'EXAT', '1']],
    [['EX', '1', 'KEEPTTL']], [['KEEPTTL', 'PXAT', '1']], [['EX']], [['PERSIST']], [['FOO']], [['NXX']],
  ])('refuses SET %j with a syntax error', (args) => {
    expect(set(...args)).toEqual(syntaxError);
  });

  test('GETEX accepts expiries and PERSIST but not SET-only options', () => {
    expect(getex('PERSIST').status).toBe('ok');
    expect(getex('EXAT', '100').status).toBe('ok');
    for (const args of [['NX'], ['XX'], ['GET'], ['KEEPTTL'], ['PERSIST', 'EX', '1'], ['EX', '1', 'PERSIST']]) {
      expect(getex(...args)).toEqual(syntaxError);
    }
  });
});

describe('resolveStringExpire (getExpireMillisecondsOrReply)', () => {
  const nowMs = 1_000_000;
  const resolve = (kind: 'ex' | 'px' | 'exat' | 'pxat', text: string) =>
    resolveStringExpire({ kind, argument: bytes(text) }, { nowMs, command: 'set' });
  const invalid = { status: 'error', text: "ERR invalid expire time in 'set' command" };

  test('turns EX/PX into absolute times from now and EXAT/PXAT into ms', () => {
    expect(resolve('ex', '10')).toEqual({ status: 'ok', expireAtMs: nowMs + 10_000 });
    expect(resolve('px', '10')).toEqual({ status: 'ok', expireAtMs: nowMs + 10 });
    expect(resolve('exat', '10')).toEqual({ status: 'ok', expireAtMs: 10_000 });
    expect(resolve('pxat', '10')).toEqual({ status: 'ok', expireAtMs: 10 });
  });

  test('refuses zero, negative and overflowing times with the command\'s name', () => {
    expect(resolve('ex', '0')).toEqual(invalid);
    expect(resolve('px', '-1')).toEqual(invalid);
    expect(resolve('ex', '9223372036854776')).toEqual(invalid);
    expect(resolve('ex', '9223372036854775')).toEqual(invalid); // * 1000 + now overflows
    expect(resolve('px', '9223372036854775807')).toEqual(invalid);
    expect(resolve('pxat', '9223372036854775807').status).toBe('ok');
    expect(resolveStringExpire({ kind: 'ex', argument: bytes('0') }, { nowMs, command: 'getex' }))
      .toEqual({ status: 'error', text: "ERR invalid expire time in 'getex' command" });
  });

  test('refuses a non-integer time as not an integer', () => {
    expect(resolve('ex', '1.5')).toEqual({ status: 'error', text: 'ERR value is not an integer or out of range' });
  });
});

describe('parseExpireCondition and resolveKeyExpire', () => {
  const condition = (...args: string[]) => parseExpireCondition(argvOf('EXPIRE', 'k', '1', ...args), 3);

  test('accepts NX, XX, GT, LT in any case, and XX with GT or LT', () => {
    expect(condition()).toEqual({ status: 'ok', condition: null });
    expect(condition('nx')).toEqual({ status: 'ok', condition: 'nx' });
    expect(condition('Xx')).toEqual({ status: 'ok', condition: 'xx' });
    expect(condition('GT')).toEqual({ status: 'ok', condition: 'gt' });
    expect(condition('lt')).toEqual({ status: 'ok', condition: 'lt' });
    expect(condition('XX', 'GT')).toEqual({ status: 'ok', condition: 'gt' });
    expect(condition('LT', 'XX')).toEqual({ status: 'ok', condition: 'xxlt' });
  });

  test('refuses incompatible and unknown options with Redis\'s texts', () => {
    const nxText = 'ERR NX and XX, GT or LT options at the same time are not compatible';
    expect(condition('NX', 'XX')).toEqual({ status: 'error', text: nxText });
    expect(condition('GT', 'NX')).toEqual({ status: 'error', text: nxText });
    expect(condition('GT', 'LT')).toEqual({
      status: 'error', text: 'ERR GT and LT options at the same time are not compatible',
    });
    expect(condition('foo')).toEqual({ status: 'error', text: 'ERR Unsupported option foo' });
  });

  test('resolveKeyExpire() allows negative times and catches overflow', () => {
    const options = { unit: 'seconds' as const, baseTimeMs: 1000, command: 'expire' };
    const invalid = { status: 'error', text: "ERR invalid expire time in 'expire' command" };
    expect(resolveKeyExpire(bytes('5'), options)).toEqual({ status: 'ok', expireAtMs: 6000 });
    expect(resolveKeyExpire(bytes('-5'), options)).toEqual({ status: 'ok', expireAtMs: -4000 });
    expect(resolveKeyExpire(bytes('9223372036854776'), options)).toEqual(invalid);
    expect(resolveKeyExpire(bytes('-9223372036854776'), options)).toEqual(invalid);
    expect(resolveKeyExpire(bytes('9223372036854775807'), { ...options, unit: 'milliseconds' })).toEqual({
      status: 'error', text: "ERR invalid expire time in 'expire' command",
    });
    expect(resolveKeyExpire(bytes('9223372036854775807'), { ...options, unit: 'milliseconds', baseTimeMs: 0 }).status)
      .toBe('ok');
    expect(resolveKeyExpire(bytes('x'), options)).toEqual({
      status: 'error', text: 'ERR value is not an integer or out of range',
    });
  });
});
