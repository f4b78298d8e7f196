/** Unit tests of INCRBYFLOAT's emulated 80-bit long double: strtold parsing, one-rounding
 *  addition and "%.17Lf" human formatting (expected texts taken from Redis 7.0 on x86-64). */
import { describe, expect, test } from 'vitest';
import {
  addLongDouble, formatLongDouble, longDoubleFromNumber, parseLongDouble,
} from '../../../src/store/long-double.js';

function b(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

function incrByFloat(value: string, increment: string): string | null {
  const a = parseLongDouble(b(value));
  const c = parseLongDouble(b(increment));
  if (a === null || c === null) return 'invalid';
  const sum = addLongDouble(a, c);
  return sum === null ? null : formatLongDouble(sum);
}

describe('INCRBYFLOAT arithmetic', () => {
  test.each([
    ['10.50', '0.1', '10.6'], ['10.6', '-5', '5.6'], ['5.0e3', '2.0e2', '5200'],
    ['1.1', '2.2', '3.3'], ['0.1', '0.2', '0.3'], ['3.0e3', '0', '3000'], ['-1', '1', '0'],
    ['0', '256.1', '256.10000000000000001'], ['17179869184', '1.5', '17179869185.5'],
    ['17179869184', '17179869184', '34359738368'], ['1.5', '1.5', '3'], ['0', '0.25', '0.25'],
    ['0', '1e-18', '0'], ['0', '-1e-18', '0'], ['0', '-0.5', '-0.5'], ['.5', '5.', '5.5'],
    ['1E2', '0', '100'], ['0x10', '0', '16'], ['0x1.8p1', '0', '3'], ['1e20', '1', '100000000000000000000'],
  ])('%s + %s = %s as Redis prints it', (value, increment, expected) => {
    expect(incrByFloat(value, increment)).toBe(expected);
  });

  test('an infinite operand or an overflowing result is rejected (NaN or Infinity)', () => {
    expect(incrByFloat('inf', '1')).toBeNull();
    expect(incrByFloat('1e4932', '1e4932')).toBeNull();
  });

  test.each(['', ' 1', '1 ', 'abc', '1.5e', 'nan', '1e5000', '1e-5000', '0x', '--1', '1\u00002'])(
    'parseLongDouble() rejects %j as string2ld does', (text) => {
      expect(parseLongDouble(b(text))).toBeNull();
    });

  test('parseLongDouble() accepts infinities and zeros, as string2ld does', () => {
    expect(parseLongDouble(b('-inf'))?.isInfinite).toBe(true);
    expect(parseLongDouble(b('Infinity'))?.isInfinite).toBe(true);
    expect(parseLongDouble(b('0e99999999'))?.mantissa).toBe(0n);
    expect(parseLongDouble(b('-0.0'))?.isNegative).toBe(true);
  });

  test('a number increment is taken through its shortest decimal form', () => {
    const sum = addLongDouble(parseLongDouble(b('1.1')) ?? expect.fail(), longDoubleFromNumber(2.2) ?? expect.fail());
    expect(formatLongDouble(sum ?? expect.fail())).toBe('3.3');
    expect(longDoubleFromNumber(Number.NaN)).toBeNull();
  });
});
