/**
 * INCRBYFLOAT's arithmetic, bit for bit as Redis does it on x86-64: operands parsed like
 * strtold into 80-bit long doubles (64-bit mantissa, round to nearest even), added with one
 * rounding, and printed like ld2string's human mode ("%.17Lf", trailing zeros and a bare point
 * trimmed, "-0" written as "0").
 * Why emulate: Redis's replies expose long double noise ("0 + 256.1" is "256.10000000000000001")
 * and clients compare replies; neither a JavaScript double nor exact decimal arithmetic gives
 * the same text. BigInt does it exactly; INCRBYFLOAT is rare enough that the cost does not matter.
 * Invariants: a finite LongDouble is mantissa * 2^exponent with 2^63 <= mantissa < 2^64, or
 * mantissa 0; results beyond LDBL_MAX are refused (null), like Redis's "NaN or Infinity" check.
 * Known differences: subnormal results (below 2^-16382) keep 64 bits of precision where the x87
 * would lose some; the increment, when given as a JavaScript number, is taken through its
 * shortest decimal text (exact for anything a client typed with up to 17 digits).
 */

/** Longest text string2ld accepts (MAX_LONG_DOUBLE_CHARS - 1). */
export const FLOAT_TEXT_BYTES_MAX = 5 * 1024 - 1;
/** Digits after the point in INCRBYFLOAT's output ("%.17Lf"). */
export const FLOAT_FRACTION_DIGITS = 17;

const MANTISSA_BITS = 64;
const MANTISSA_LIMIT = 1n << 64n;
/** Largest finite value: below 2^16384 (LDBL_MAX_EXP). */
const BINARY_EXPONENT_LIMIT = 16384;
/** Below 2^-16446 strtold underflows to zero (Redis then refuses the text). */
const BINARY_EXPONENT_FLOOR = -16446;
/** Decimal exponents outside these bounds are certainly out of range (saves huge BigInts). */
const DECIMAL_EXPONENT_MAX = 4933;
const DECIMAL_EXPONENT_MIN = -4952;
const FRACTION_SCALE = 10n ** BigInt(FLOAT_FRACTION_DIGITS);

export interface LongDouble {
  readonly isNegative: boolean;
  readonly mantissa: bigint;
  readonly exponent: number;
  readonly isInfinite: boolean;
}

const DECIMAL_PATTERN = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const HEX_PATTERN = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const INFINITY_PATTERN = /^([+-]?)(?:inf|infinity)$/i;

function bitLength(value: bigint): number {
  return value === 0n ? 0 : value.toString(2).length;
}

function zero(isNegative: boolean): LongDouble {
  return { isNegative, mantissa: 0n, exponent: 0, isInfinite: false };
}

/** Rounds (integer + a fraction that is nonzero iff isInexact) * 2^exponent to 64 bits. */
function roundToMantissa(isNegative: boolean, integer: bigint, isInexact: boolean, exponent: number): LongDouble | null {
  const extraBits = bitLength(integer) - MANTISSA_BITS;
  let mantissa: bigint;
  let resultExponent = exponent + extraBits;
  if (extraBits <= 0) {
    mantissa = integer << BigInt(-extraBits);
  } else {
    const low = integer & ((1n << BigInt(extraBits)) - 1n);
    const half = 1n << BigInt(extraBits - 1);
    mantissa = integer >> BigInt(extraBits);
    if (low > half || (low === half && (isInexact || (mantissa & 1n) === 1n))) mantissa += 1n;
    if (mantissa === MANTISSA_LIMIT) {
      mantissa >>= 1n;
      resultExponent += 1;
    }
  }
  if (resultExponent + MANTISSA_BITS > BINARY_EXPONENT_LIMIT) return null;
  if (resultExponent + MANTISSA_BITS <= BINARY_EXPONENT_FLOOR) return zero(isNegative);
  return { isNegative, mantissa, exponent: resultExponent, isInfinite: false };
}

/** numerator / denominator (both positive) rounded to a long double. */
function fromRational(isNegative: boolean, numerator: bigint, denominator: bigint): LongDouble | null {
  // Scale so the quotient has 65 or 66 bits: enough to round correctly with a sticky bit.
  const shift = MANTISSA_BITS + 1 - (bitLength(numerator) - bitLength(denominator));
  let quotient: bigint;
  let remainder: bigint;
  if (shift >= 0) {
    const scaled = numerator << BigInt(shift);
    quotient = scaled / denominator;
    remainder = scaled % denominator;
  } else {
    const scaled = denominator << BigInt(-shift);
    quotient = numerator / scaled;
    remainder = numerator % scaled;
  }
  return roundToMantissa(isNegative, quotient, remainder !== 0n, -shift);
}

/**
 * strtold as Redis's string2ld uses it: decimal, hexadecimal ("0x1.8p3") and infinities; null
 * for what Redis refuses (empty, leading space, trailing bytes, NaN, overflow, underflow to 0).
 */
export function parseLongDouble(bytes: Uint8Array): LongDouble | null {
  if (bytes.length === 0 || bytes.length > FLOAT_TEXT_BYTES_MAX) return null;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  const infinity = INFINITY_PATTERN.exec(text);
  if (infinity !== null) return { isNegative: infinity[1] === '-', mantissa: 0n, exponent: 0, isInfinite: true };
  const hex = HEX_PATTERN.exec(text);
  if (hex !== null) return parseHex(hex);
  const match = DECIMAL_PATTERN.exec(text);
  if (match === null) return null;
  const integerPart = match[2];
  const fractionPart = match[3] ?? '';
  if (integerPart.length === 0 && fractionPart.length === 0) return null;
  const isNegative = match[1] === '-';
  const digitsText = (integerPart + fractionPart).replace(/^0+/, '');
  if (digitsText.length === 0) return zero(isNegative);
  const exponentText = match[4] ?? '0';
  const exponentDigits = exponentText.replace(/^[+-]?0*/, '');
  if (exponentDigits.length > 6) return null; // far beyond the range either way
  const exponent = Number(exponentText) - fractionPart.length;
  const leadingExponent = exponent + digitsText.length - 1;
  if (leadingExponent > DECIMAL_EXPONENT_MAX || leadingExponent < DECIMAL_EXPONENT_MIN) return null;
  const digits = BigInt(digitsText);
  const result = exponent >= 0
    ? fromRational(isNegative, digits * 10n ** BigInt(exponent), 1n)
    : fromRational(isNegative, digits, 10n ** BigInt(-exponent));
  return result === null || result.mantissa === 0n ? null : result;
}

function parseHex(match: RegExpExecArray): LongDouble | null {
  const integerPart = match[2];
  const fractionPart = match[3] ?? '';
  if (integerPart.length === 0 && fractionPart.length === 0) return null;
  const isNegative = match[1] === '-';
  const digits = BigInt(`0x${integerPart}${fractionPart}` === '0x' ? '0x0' : `0x${integerPart}${fractionPart}`);
  if (digits === 0n) return zero(isNegative);
  const exponentText = match[4] ?? '0';
  if (exponentText.replace(/^[+-]?0*/, '').length > 6) return null;
  const exponent = Number(exponentText) - 4 * fractionPart.length;
  const result = exponent >= 0
    ? fromRational(isNegative, digits << BigInt(exponent), 1n)
    : fromRational(isNegative, digits, 1n << BigInt(-exponent));
  return result === null || result.mantissa === 0n ? null : result;
}

/** The long double strtold would give for the shortest decimal text of `value`. */
export function longDoubleFromNumber(value: number): LongDouble | null {
  if (Number.isNaN(value)) return null;
  if (!Number.isFinite(value)) return { isNegative: value < 0, mantissa: 0n, exponent: 0, isInfinite: true };
  return parseLongDouble(Buffer.from(String(value), 'latin1'));
}

/** a + b with one rounding; null when the result is NaN or infinite. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.isInfinite || b.isInfinite) return null;
  if (a.mantissa === 0n && b.mantissa === 0n) return zero(a.isNegative && b.isNegative);
  if (a.mantissa === 0n) return b;
  if (b.mantissa === 0n) return a;
  const exponent = Math.min(a.exponent, b.exponent);
  const aScaled = a.mantissa << BigInt(a.exponent - exponent);
  const bScaled = b.mantissa << BigInt(b.exponent - exponent);
  const sum = (a.isNegative ? -aScaled : aScaled) + (b.isNegative ? -bScaled : bScaled);
  if (sum === 0n) return zero(false);
  return roundToMantissa(sum < 0n, sum < 0n ? -sum : sum, false, exponent);
}

/** ld2string(LD_STR_HUMAN): "%.17Lf" with trailing zeros and a bare point trimmed, no "-0". */
export function formatLongDouble(value: LongDouble): string {
  let text: string;
  if (value.exponent >= 0) {
    text = (value.mantissa << BigInt(value.exponent)).toString();
  } else {
    const shift = BigInt(-value.exponent);
    const scaled = value.mantissa * FRACTION_SCALE;
    let units = scaled >> shift;
    const remainder = scaled & ((1n << shift) - 1n);
    const half = 1n << (shift - 1n);
    if (remainder > half || (remainder === half && (units & 1n) === 1n)) units += 1n;
    const integerText = (units / FRACTION_SCALE).toString();
    const fractionText = (units % FRACTION_SCALE).toString().padStart(FLOAT_FRACTION_DIGITS, '0').replace(/0+$/, '');
    text = fractionText.length === 0 ? integerText : `${integerText}.${fractionText}`;
  }
  return value.isNegative && text !== '0' ? `-${text}` : text;
}
