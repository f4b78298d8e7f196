/**
 * Numbers inside string values: Redis's string2ll (INCR family, int encoding), and the decimal
 * arithmetic and formatting behind INCRBYFLOAT.
 * Why exact decimal for INCRBYFLOAT: Redis adds in 80-bit long double and prints the sum with
 * "%.17Lf" (17 digits after the point, trailing zeros trimmed: ld2string LD_STR_HUMAN), so
 * `10.5 + 0.1` gives "10.6" and `1.1 + 2.2` gives "3.3". A JavaScript double cannot reproduce
 * that (it would print 3.3000000000000003), but an exact decimal sum rounded to 17 places does
 * for every operand with up to ~18 significant digits, which is what clients send.
 * Known difference: when the exact sum needs more than the long double's 64-bit mantissa
 * (about 19 significant digits, e.g. 1e20 + 1) we keep the exact digits where Redis would have
 * rounded (Redis prints 100000000000000000000, we print 100000000000000000001). Hexadecimal
 * floats ("0x1p3"), which strtold accepts, are rejected as not a valid float.
 * Invariants: parseI64 accepts exactly what string2ll accepts (no '+', no spaces, no leading
 * zeros except "0", no "-0", range -2^63 .. 2^63-1) and returns a number iff the value is a
 * safe integer, else a bigint.
 */

/** Longest decimal integer string2ll accepts (LONG_STR_SIZE - 1): "-9223372036854775808". */
export const I64_TEXT_BYTES_MAX = 20;
/** Longest text string2ld accepts (MAX_LONG_DOUBLE_CHARS - 1). */
export const FLOAT_TEXT_BYTES_MAX = 5 * 1024 - 1;
/** Digits after the point in INCRBYFLOAT's output ("%.17Lf"). */
export const FLOAT_FRACTION_DIGITS = 17;

export const I64_MAX = 9223372036854775807n;
export const I64_MIN = -9223372036854775808n;
/** Decimal exponents beyond which long double overflows / underflows to zero. */
const LONG_DOUBLE_EXPONENT10_MAX = 4932;
const LONG_DOUBLE_EXPONENT10_MIN = -4951;
/** LDBL_MAX = 1.18973149535723176502e+4932. */
const LONG_DOUBLE_MAX_MANTISSA = 1.18973149535723176502;
/** Exponent digits beyond which a value is certainly out of long double's range. */
const EXPONENT_DIGITS_MAX = 6;
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

/** An exact decimal: (-1)^isNegative * digits * 10^exponent, or an infinity. */
export interface Decimal {
  readonly isNegative: boolean;
  readonly digits: bigint;
  readonly exponent: number;
  readonly isInfinite: boolean;
}

const DECIMAL_PATTERN = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const INFINITY_PATTERN = /^([+-]?)(?:inf|infinity)$/i;

/**
 * string2ld as far as decimal text goes: null for what Redis rejects (empty, leading space,
 * trailing bytes, NaN, overflow, underflow to zero) and for hexadecimal floats.
 */
export function parseDecimal(bytes: Uint8Array): Decimal | null {
  if (bytes.length === 0 || bytes.length > FLOAT_TEXT_BYTES_MAX) return null;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  const infinity = INFINITY_PATTERN.exec(text);
  if (infinity !== null) {
    return { isNegative: infinity[1] === '-', digits: 0n, exponent: 0, isInfinite: true };
  }
  const match = DECIMAL_PATTERN.exec(text);
  if (match === null) return null;
  const integerPart = match[2];
  const fractionPart = match[3] ?? '';
  if (integerPart.length === 0 && fractionPart.length === 0) return null;
  const allDigits = (integerPart + fractionPart).replace(/^0+/, '');
  const exponentText = match[4];
  if (exponentText !== undefined && exponentText.replace(/^[+-]?0*/, '').length > EXPONENT_DIGITS_MAX) {
    // Far outside long double's range: zero stays zero, anything else overflows/underflows.
    return allDigits.length === 0 ? { isNegative: match[1] === '-', digits: 0n, exponent: 0, isInfinite: false } : null;
  }
  const exponent = (exponentText === undefined ? 0 : Number(exponentText)) - fractionPart.length;
  const decimal: Decimal = {
    isNegative: match[1] === '-',
    digits: allDigits.length === 0 ? 0n : BigInt(allDigits),
    exponent,
    isInfinite: false,
  };
  return isInLongDoubleRange(decimal) ? decimal : null;
}

/** The decimal for a finite double, via its shortest round-trip text ("0.1" stays 0.1). */
export function decimalFromNumber(value: number): Decimal | null {
  if (Number.isNaN(value)) return null;
  if (!Number.isFinite(value)) {
    return { isNegative: value < 0, digits: 0n, exponent: 0, isInfinite: true };
  }
  return parseDecimal(Buffer.from(String(value), 'latin1'));
}

/** a + b exactly; null when the result is NaN or infinite (or beyond long double's range). */
export function addDecimal(a: Decimal, b: Decimal): Decimal | null {
  if (a.isInfinite || b.isInfinite) return null;
  const exponent = Math.min(a.exponent, b.exponent);
  const aScaled = a.digits * 10n ** BigInt(a.exponent - exponent);
  const bScaled = b.digits * 10n ** BigInt(b.exponent - exponent);
  const sum = (a.isNegative ? -aScaled : aScaled) + (b.isNegative ? -bScaled : bScaled);
  const digits = sum < 0n ? -sum : sum;
  const result: Decimal = { isNegative: sum < 0n, digits, exponent, isInfinite: false };
  return isInLongDoubleRange(result) ? result : null;
}

/** False if a long double would overflow to infinity or underflow to zero for this value. */
function isInLongDoubleRange(value: Decimal): boolean {
  if (value.digits === 0n) return true;
  const digitsText = value.digits.toString();
  const leadingExponent = value.exponent + digitsText.length - 1;
  if (leadingExponent < LONG_DOUBLE_EXPONENT10_MIN) return false;
  if (leadingExponent < LONG_DOUBLE_EXPONENT10_MAX) return true;
  if (leadingExponent > LONG_DOUBLE_EXPONENT10_MAX) return false;
  const mantissa = Number(`${digitsText[0]}.${digitsText.slice(1, 21) || '0'}`);
  return mantissa <= LONG_DOUBLE_MAX_MANTISSA;
}

/** Redis's "%.17Lf" with trailing zeros (and a bare point) trimmed, "-0" written as "0". */
export function formatDecimal(value: Decimal): string {
  let digits = value.digits;
  let exponent = value.exponent;
  if (exponent < -FLOAT_FRACTION_DIGITS) {
    // Round half up to 17 fraction digits, as printf does for all but exact binary ties.
    const divisor = 10n ** BigInt(-FLOAT_FRACTION_DIGITS - exponent);
    const quotient = digits / divisor;
    const remainder = digits % divisor;
    digits = remainder * 2n >= divisor ? quotient + 1n : quotient;
    exponent = -FLOAT_FRACTION_DIGITS;
  }
  let text: string;
  if (exponent >= 0) {
    text = digits === 0n ? '0' : digits.toString() + '0'.repeat(exponent);
  } else {
    const fractionLength = -exponent;
    const padded = digits.toString().padStart(fractionLength + 1, '0');
    const integerText = padded.slice(0, padded.length - fractionLength);
    const fractionText = padded.slice(padded.length - fractionLength).replace(/0+$/, '');
    text = fractionText.length === 0 ? integerText : `${integerText}.${fractionText}`;
  }
  if (value.isNegative && text !== '0') text = `-${text}`;
  return text;
}
