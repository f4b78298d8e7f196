/** Unit tests of string2ll parsing and INCRBYFLOAT's decimal arithmetic and formatting. */
import { describe, expect, test } from 'vitest';
import {
  addDecimal, addI64, decimalFromNumber, formatDecimal, parseDecimal, parseI64,
} from '../../../src/store/string-number.js';

function b(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

describe('parseI64()', () => {
  test.each([
    ['0', 0], ['1', 1], ['-1', -1], ['123456789012345', 123456789012345],
    ['9007199254740993', 9007199254740993n],
    ['9223372036854775807', 9223372036854775807n], ['-9223372036854775808', -9223372036854775808n],
  ])('accepts %j', (text, expected) => {
    expect(parseI64(b(text))).toBe(expected);
  });

  test.each(['', '-', '-0', '+1', '01', ' 1', '1 ', '1a', '1.0', '9223372036854775808',
    '-9223372036854775809', '123456789012345678901'])('rejects %j as string2ll does', (text) => {
    expect(parseI64(b(text))).toBeNull();
  });

  test('returns a number exactly when the value is a safe integer', () => {
    expect(typeof parseI64(b('9007199254740991'))).toBe('number');
    expect(typeof parseI64(b('9007199254740992'))).toBe('bigint');
  });
});

describe('addI64()', () => {
  test('adds within i64 and reports overflow with null', () => {
    expect(addI64(1, 2)).toBe(3);
    expect(addI64(9007199254740991, 1)).toBe(9007199254740992n);
    expect(addI64(9223372036854775807n, 1)).toBeNull();
    expect(addI64(-9223372036854775808n, -1)).toBeNull();
    expect(addI64(9223372036854775807n, -9223372036854775808n)).toBe(-1);
  });
});

function incrByFloat(value: string, increment: string): string | null {
  const a = parseDecimal(b(value));
  const c = parseDecimal(b(increment));
  if (a === null || c === null) return 'invalid';
  const sum = addDecimal(a, c);
  return sum === null ? null : formatDecimal(sum);
}

describe('INCRBYFLOAT arithmetic', () => {
  test.each([
    ['10.50', '0.1', '10.6'], ['10.6', '-5', '5.6'], ['5.0e3', '2.0e2', '5200'],
    ['1.1', '2.2', '3.3'], ['0.1', '0.2', '0.3'], ['3.0e3', '0', '3000'], ['-1', '1', '0'],
    ['0', '1e-17', '0.00000000000000001'], ['0', '1e-18', '0'], ['0', '-1e-18', '0'],
    ['0', '-0.5', '-0.5'], ['.5', '5.', '5.5'], ['1E2', '0', '100'],
    ['0', '0.000000000000000015', '0.00000000000000002'],
  ])('%s + %s = %s as Redis prints it', (value, increment, expected) => {
    expect(incrByFloat(value, increment)).toBe(expected);
  });

  test('an infinite operand or result is rejected (NaN or Infinity)', () => {
    expect(incrByFloat('inf', '1')).toBeNull();
    expect(incrByFloat('1e4932', '1e4932')).toBeNull();
  });

  test.each(['', ' 1', '1 ', 'abc', '1.5e', 'nan', '1e5000', '1e-5000', '0x10', '--1'])(
    'parseDecimal() rejects %j', (text) => {
      expect(parseDecimal(b(text))).toBeNull();
    });

  test('parseDecimal() accepts infinities, as string2ld does', () => {
    expect(parseDecimal(b('-inf'))?.isInfinite).toBe(true);
    expect(parseDecimal(b('Infinity'))?.isInfinite).toBe(true);
  });

  test('a number increment is taken through its shortest decimal form', () => {
    const sum = addDecimal(parseDecimal(b('1.1')) ?? expect.fail(), decimalFromNumber(2.2) ?? expect.fail());
    expect(formatDecimal(sum ?? expect.fail())).toBe('3.3');
    expect(decimalFromNumber(Number.NaN)).toBeNull();
  });
});
