/** Unit tests of string2ll parsing and i64 addition. */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { I64_TEXT_BYTES_MAX, addI64, parseI64, writeSafeIntegerText } from '../../../src/store/string-number.js';

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

describe('writeSafeIntegerText()', () => {
  const textOf = (value: number): string => {
    const target = Buffer.alloc(I64_TEXT_BYTES_MAX);
    return target.toString('latin1', 0, writeSafeIntegerText(value, target));
  };

  test('writes what String() gives at the edges', () => {
    for (const value of [0, 1, -1, 9, 10, -10, 99, 100, 12345, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      expect(textOf(value)).toBe(String(value));
    }
  });

  test('writes what String() gives for any safe integer, and parseI64 reads it back', () => {
    fc.assert(fc.property(fc.maxSafeInteger(), (value) => {
      const text = textOf(value);
      expect(text).toBe(String(value));
      expect(parseI64(Buffer.from(text, 'latin1'))).toBe(value);
    }));
  });

  test('writes at an offset and leaves the bytes around it alone', () => {
    const target = Buffer.alloc(I64_TEXT_BYTES_MAX + 4, 0x78);
    expect(writeSafeIntegerText(-120, target, 2)).toBe(4);
    expect(target.toString('latin1')).toBe(`xx-120${'x'.repeat(I64_TEXT_BYTES_MAX - 2)}`);
  });

  test('refuses a number that is not a safe integer', () => {
    expect(() => writeSafeIntegerText(1.5, Buffer.alloc(I64_TEXT_BYTES_MAX))).toThrow();
    expect(() => writeSafeIntegerText(2 ** 60, Buffer.alloc(I64_TEXT_BYTES_MAX))).toThrow();
  });
});
