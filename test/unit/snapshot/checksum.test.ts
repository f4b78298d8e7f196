/**
 * CRC-32: the standard check value, agreement of the native and portable versions, and
 * incremental use (the writer and reader checksum files piece by piece).
 */

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

import { crc32, crc32Portable } from '../../../src/snapshot/checksum.js';

describe('crc32', () => {
  test('crc32() gives the standard check value for "123456789"', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32Portable(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  test('crc32() of nothing is 0', () => {
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  test('the portable crc32 agrees with the native one on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(crc32Portable(bytes)).toBe(crc32(bytes));
      }),
      { numRuns: 200 },
    );
  });

  test('crc32() computed in two pieces equals crc32() of the whole', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }), (first, second) => {
        const whole = Buffer.concat([first, second]);
        expect(crc32(second, crc32(first))).toBe(crc32(whole));
        expect(crc32Portable(second, crc32Portable(first))).toBe(crc32(whole));
      }),
      { numRuns: 200 },
    );
  });
});
