/** Unit tests of the seeded MurmurHash3 key hash. */
import { describe, expect, test } from 'vitest';
import { hashKey } from '../../../src/store/key-hash.js';

describe('hashKey()', () => {
  test('matches MurmurHash3 x86_32 reference values', () => {
    expect(hashKey(Buffer.alloc(0), 0)).toBe(0);
    expect(hashKey(Buffer.alloc(0), 1)).toBe(0x514e28b7);
    expect(hashKey(Buffer.from('test'), 0)).toBe(0xba6bd213);
    expect(hashKey(Buffer.from('Hello, world!'), 1234)).toBe(0xfaf6cdb3);
    expect(hashKey(Buffer.from('The quick brown fox jumps over the lazy dog'), 0x9747b28c)).toBe(0x2fa826cd);
  });

  test('depends on the seed and hashes a sub-range like a copy of it', () => {
    const key = Buffer.from('user:1000');
    expect(hashKey(key, 1)).not.toBe(hashKey(key, 2));
    const padded = Buffer.from('xxuser:1000yy');
    expect(hashKey(padded, 5, 2, key.length)).toBe(hashKey(key, 5));
  });

  test('spreads sequential keys evenly over the low bits', () => {
    const bucketCounts = new Array<number>(64).fill(0);
    for (let i = 0; i < 64_00; i++) bucketCounts[hashKey(Buffer.from(`key:${i}`), 42) & 63]++;
    expect(Math.min(...bucketCounts)).toBeGreaterThan(50);
    expect(Math.max(...bucketCounts)).toBeLessThan(160);
  });
});
