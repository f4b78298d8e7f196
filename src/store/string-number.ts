/**
 * Integers inside string values: Redis's string2ll (INCR family, int encoding) and i64 addition.
 * Why here: the INCR fast path and the int encoding decision must agree byte for byte with Redis.
 * Not here: INCRBYFLOAT's long double arithmetic (long-double.ts).
 * Invariants: parseI64 accepts exactly what string2ll accepts (no '+', no spaces, no leading
 * zeros except "0", no "-0", range -2^63 .. 2^63-1) and returns a number iff the value is a
 * safe integer, else a bigint.
 */

import assert from 'node:assert/strict';

/** Longest decimal integer string2ll accepts (LONG_STR_SIZE - 1): "-9223372036854775808". */
export const I64_TEXT_BYTES_MAX = 20;

export const I64_MAX = 9223372036854775807n;
export const I64_MIN = -9223372036854775808n;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const MINUS = 0x2d;
/** Digits that always fit a safe integer (2^53 has 16 digits). */
const SAFE_DIGIT_COUNT = 15;

/** string2ll: the integer in bytes[start .. start+length), or null if Redis would reject it. */
export function parseI64(bytes: Uint8Array, start = 0, length = bytes.length - start): number | bigint | null {
  if (length === 0 || length > I64_TEXT_BYTES_MAX) return null;
  if (length === 1 && bytes[start] === DIGIT_0) return 0;
  let index = start;
  const end = start + length;
  const isNegative = bytes[index] === MINUS;
  if (isNegative) {
    index++;
    if (index === end) return null;
  }
  const first = bytes[index];
  if (first <= DIGIT_0 || first > DIGIT_9) return null;
  for (let i = index; i < end; i++) {
    const byte = bytes[i];
    if (byte < DIGIT_0 || byte > DIGIT_9) return null;
  }
  const digitCount = end - index;
  if (digitCount <= SAFE_DIGIT_COUNT) {
    let value = 0;
    for (let i = index; i < end; i++) value = value * 10 + (bytes[i] - DIGIT_0);
    return isNegative ? -value : value;
  }
  let big = 0n;
  for (let i = index; i < end; i++) big = big * 10n + BigInt(bytes[i] - DIGIT_0);
  if (isNegative) big = -big;
  if (big > I64_MAX || big < I64_MIN) return null;
  return normalizeInteger(big);
}

/** A bigint as a number when it is a safe integer, else unchanged. */
export function normalizeInteger(value: bigint): number | bigint {
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
}

/**
 * Writes the decimal text of a safe integer (what String(value) gives) into target at `offset`
 * and returns its length; target needs I64_TEXT_BYTES_MAX bytes there. No string is made: INCR's
 * stored digits and the server's integer replies use it.
 */
export function writeSafeIntegerText(value: number, target: Uint8Array, offset = 0): number {
  assert.ok(Number.isSafeInteger(value), 'writeSafeIntegerText takes a safe integer');
  let position = offset;
  let rest = value;
  if (rest < 0) {
    target[position++] = MINUS;
    rest = -rest;
  }
  let digitCount = 1;
  for (let high = rest; high >= 10; high = Math.floor(high / 10)) digitCount++;
  // Lowest digit last: fill from the end of the number.
  for (let index = position + digitCount - 1; index >= position; index--) {
    const quotient = Math.floor(rest / 10);
    target[index] = DIGIT_0 + (rest - quotient * 10);
    rest = quotient;
  }
  return position + digitCount - offset;
}

/** value + increment within i64, or null on overflow. Numbers in, number out when safe. */
export function addI64(value: number | bigint, increment: number | bigint): number | bigint | null {
  if (typeof value === 'number' && typeof increment === 'number') {
    const sum = value + increment;
    if (Number.isSafeInteger(sum)) return sum;
  }
  const sum = BigInt(value) + BigInt(increment);
  if (sum > I64_MAX || sum < I64_MIN) return null;
  return normalizeInteger(sum);
}
