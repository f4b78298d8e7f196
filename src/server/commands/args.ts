/**
 * Argument parsing shared by the data commands: integers by Redis's string2ll rules, floats by
 * the rules Redis applies around strtod, and the option grammars of SET/GETEX and EXPIRE.
 * Why one module: clients rely on the exact accept/reject behaviour of these parsers (e.g.
 * "+1" is not an integer, " 1" is not a float, "1e3" is), and on which error wins when several
 * arguments are bad; keeping the grammar in one place keeps every command consistent.
 * Invariants: parsers never throw for any input bytes; they return a value or null / an error
 * value carrying the exact Redis error text (from errors.ts).
 * Floats: parseDouble is Redis's getDoubleFromObject (strtod) for commands whose values are
 * doubles (ZADD scores, timeouts, ...). INCRBYFLOAT does not use it: the store parses its
 * increment as an 80-bit long double, exactly as Redis on x86-64 (src/store/long-double.ts).
 * Not here: what the commands do with the values (strings.ts, keyspace.ts).
 */

import {
  GT_LT_ERROR,
  NOT_INTEGER_ERROR,
  NX_XX_GT_LT_ERROR,
  SYNTAX_ERROR,
  invalidExpireError,
  unsupportedOptionError,
} from '../errors.js';
import { I64_MAX, I64_MIN, parseI64 as parseStringInteger } from '../../store/string-number.js';

/** Largest and smallest signed 64-bit integers (Redis's LLONG_MAX / LLONG_MIN), the store's. */
export { I64_MAX, I64_MIN };
/** Bounds of a C int (getIntFromObjectOrReply). */
export const I32_MAX = 2147483647;
export const I32_MIN = -2147483648;
/** Largest unsigned 64-bit integer (strtoul's range for SCAN cursors). */
export const U64_MAX = 18446744073709551615n;
/** Longer cursor texts cannot be valid (strtoul would report ERANGE); refused before parsing. */
const CURSOR_TEXT_BYTES_MAX = 64;

// ---- integers -----------------------------------------------------------------------------------

/**
 * Redis's string2ll as a bigint (the shape the EXPIRE and range arithmetic here wants). The
 * grammar itself lives once, in the store's parseI64 (src/store/string-number.ts), because the
 * store's int encoding must accept exactly what the commands accept.
 */
export function parseI64(input: Uint8Array): bigint | null {
  const value = parseStringInteger(input);
  return value === null ? null : BigInt(value);
}

/**
 * string2ll as a number, saturated to ±Number.MAX_SAFE_INTEGER: for offsets, indexes and counts
 * where any value beyond 2^53 behaves like "very large" (strings are at most 512 MiB).
 */
export function parseI64Saturated(input: Uint8Array): number | null {
  const value = parseStringInteger(input);
  if (typeof value !== 'bigint') return value;
  return value > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
}

/** string2ll for INCRBY/DECRBY: a number when exact, else a bigint (the store's increment type). */
export function parseIncrement(input: Uint8Array): number | bigint | null {
  return parseStringInteger(input);
}

export type RangeResult =
  | { readonly status: 'ok'; readonly value: number }
  | { readonly status: 'error'; readonly text: string };

/**
 * Redis's getRangeLongFromObjectOrReply: an integer within [min, max]. Not an integer →
 * `notIntegerText` (default "value is not an integer or out of range"); outside the range →
 * `outOfRangeText` or Redis's "value is out of range, value must between <min> and <max>".
 */
export function parseIntegerInRange(
  input: Uint8Array,
  options: { min: number; max: number; notIntegerText?: string; outOfRangeText?: string },
): RangeResult {
  const value = parseI64(input);
  if (value === null) return { status: 'error', text: options.notIntegerText ?? NOT_INTEGER_ERROR };
  if (value < BigInt(options.min) || value > BigInt(options.max)) {
    const text = options.outOfRangeText
      ?? `ERR value is out of range, value must between ${options.min} and ${options.max}`;
    return { status: 'error', text };
  }
  return { status: 'ok', value: Number(value) };
}

/**
 * A SCAN cursor by strtoul's rules as Redis uses them: no leading space, optional sign,
 * decimal digits to the end, within u64 (a '-' negates modulo 2^64, as strtoul does; the empty
 * string is cursor 0). Returns null for Redis's "invalid cursor".
 */
export function parseScanCursor(input: Uint8Array): bigint | null {
  if (input.length > CURSOR_TEXT_BYTES_MAX) return null;
  const match = /^([+-]?)(\d*)$/.exec(latin1(input));
  if (match === null) return null;
  const digits = match[2];
  if (digits === '') return match[1] === '' ? 0n : null;
  const magnitude = BigInt(digits);
  if (magnitude > U64_MAX) return null;
  return match[1] === '-' ? BigInt.asUintN(64, -magnitude) : magnitude;
}

// ---- floats -------------------------------------------------------------------------------------

const DECIMAL_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX_FLOAT = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const INFINITY_TEXT = /^([+-]?)(?:inf|infinity)$/i;

/**
 * A float argument by Redis's getDoubleFromObject rules: strtod must consume the whole input,
 * the first byte must not be a space, NaN is refused, overflow to ±HUGE_VAL and underflow to 0
 * (ERANGE) are refused (subnormals are fine), "inf"/"infinity" (any case, signed) and hex
 * floats ("0x1p3") are accepted. Returns the value or null ("value is not a valid float").
 */
export function parseDouble(input: Uint8Array): number | null {
  if (input.length === 0) return null;
  const text = latin1(input);
  if (DECIMAL_FLOAT.test(text)) return decimalValue(text);
  const infinity = INFINITY_TEXT.exec(text);
  if (infinity !== null) return infinity[1] === '-' ? -Infinity : Infinity;
  const hex = HEX_FLOAT.exec(text);
  if (hex !== null) return hexValue(hex);
  return null;
}

/** A decimal literal, refusing what strtod flags as ERANGE (see the module header). */
function decimalValue(text: string): number | null {
  const value = Number(text);
  if (!Number.isFinite(value)) return null;
  if (value === 0 && /[1-9]/.test(mantissaOf(text))) return null;
  return value;
}

function mantissaOf(text: string): string {
  const exponentIndex = text.search(/[eE]/);
  return exponentIndex === -1 ? text : text.slice(0, exponentIndex);
}

/** A hex float: hex digits with an optional hex fraction and a binary exponent. */
function hexValue(match: RegExpExecArray): number | null {
  const integerDigits = match[2];
  const fractionDigits = match[3] ?? '';
  if (integerDigits === '' && fractionDigits === '') return null;
  const mantissa = BigInt(`0x${integerDigits}${fractionDigits}`);
  if (mantissa === 0n) return match[1] === '-' ? -0 : 0;
  const exponent = Number(match[4] ?? '0') - 4 * fractionDigits.length;
  let value = Number(mantissa) * 2 ** exponent;
  if (!Number.isFinite(value) || Number.isNaN(value)) {
    // 2 ** exponent overflowed on its own while the product fits: scale in two steps.
    value = Number(mantissa) * 2 ** Math.ceil(exponent / 2) * 2 ** Math.floor(exponent / 2);
  }
  if (!Number.isFinite(value)) return null;
  if (value === 0 && mantissa !== 0n) return null;
  return match[1] === '-' ? -value : value;
}

// ---- SET / GETEX options ------------------------------------------------------------------------

/** Which expiry option was given, and its unparsed argument. */
export interface ExpireArgument {
  readonly kind: 'ex' | 'px' | 'exat' | 'pxat';
  readonly argument: Uint8Array;
}

/** Options of SET (condition, get, keepTtl, expire) and GETEX (expire, persist). */
export interface StringSetOptions {
  readonly condition: 'nx' | 'xx' | null;
  readonly get: boolean;
  readonly keepTtl: boolean;
  readonly persist: boolean;
  readonly expire: ExpireArgument | null;
}

export type StringOptionsResult =
  | { readonly status: 'ok'; readonly options: StringSetOptions }
  | { readonly status: 'error'; readonly text: string };

/**
 * Redis's parseExtendedStringArgumentsOrReply for SET (`command` 'set') and GETEX ('getex'),
 * reading argv[startIndex..]. Repeating an option is allowed (the last expiry wins); mixing
 * NX with XX, two different expiry kinds, or an expiry with KEEPTTL/PERSIST is a syntax error,
 * as is an expiry option without its argument.
 */
export function parseStringSetOptions(
  argv: readonly Uint8Array[],
  options: { startIndex: number; command: 'set' | 'getex' },
): StringOptionsResult {
  const isSet = options.command === 'set';
  let condition: 'nx' | 'xx' | null = null;
  let get = false;
  let keepTtl = false;
  let persist = false;
  let expire: ExpireArgument | null = null;
  for (let index = options.startIndex; index < argv.length; index++) {
    const option = asciiUpper(argv[index]);
    const hasNext = index + 1 < argv.length;
    const expireKind = expire?.kind ?? null;
    if (option === 'NX' && isSet && condition !== 'xx') {
      condition = 'nx';
    } else if (option === 'XX' && isSet && condition !== 'nx') {
      condition = 'xx';
    } else if (option === 'GET' && isSet) {
      get = true;
    } else if (option === 'KEEPTTL' && isSet && !persist && expireKind === null) {
      keepTtl = true;
    } else if (option === 'PERSIST' && !isSet && expireKind === null && !keepTtl) {
      persist = true;
    } else if (isExpireKind(option) && hasNext && !keepTtl && !persist
      && (expireKind === null || expireKind === option.toLowerCase())) {
      expire = { kind: option.toLowerCase() as ExpireArgument['kind'], argument: argv[index + 1] };
      index++;
    } else {
      return { status: 'error', text: SYNTAX_ERROR };
    }
  }
  return { status: 'ok', options: { condition, get, keepTtl, persist, expire } };
}

function isExpireKind(option: string): boolean {
  return option === 'EX' || option === 'PX' || option === 'EXAT' || option === 'PXAT';
}

export type ExpireAtResult =
  | { readonly status: 'ok'; readonly expireAtMs: number }
  | { readonly status: 'error'; readonly text: string };

/**
 * Redis's getExpireMillisecondsOrReply: the argument must be an integer (else "value is not an
 * integer or out of range"), positive, and the absolute time in ms must stay within i64 (else
 * "invalid expire time in '<command>' command"). EX/PX are relative to `nowMs`.
 */
export function resolveStringExpire(
  expire: ExpireArgument,
  options: { nowMs: number; command: string },
): ExpireAtResult {
  const value = parseI64(expire.argument);
  if (value === null) return { status: 'error', text: NOT_INTEGER_ERROR };
  const isSeconds = expire.kind === 'ex' || expire.kind === 'exat';
  if (value <= 0n || (isSeconds && value > I64_MAX / 1000n)) {
    return { status: 'error', text: invalidExpireError(options.command) };
  }
  let expireAtMs = isSeconds ? value * 1000n : value;
  if (expire.kind === 'ex' || expire.kind === 'px') expireAtMs += BigInt(options.nowMs);
  if (expireAtMs > I64_MAX) return { status: 'error', text: invalidExpireError(options.command) };
  return { status: 'ok', expireAtMs: Number(expireAtMs) };
}

// ---- EXPIRE options -----------------------------------------------------------------------------

/**
 * EXPIRE's condition. 'xxlt' is XX together with LT (an expiry must exist and the new time be
 * earlier); XX with GT is just 'gt', because GT already fails on a key without an expiry.
 */
export type ExpireCondition = 'nx' | 'xx' | 'gt' | 'lt' | 'xxlt' | null;

export type ExpireConditionResult =
  | { readonly status: 'ok'; readonly condition: ExpireCondition }
  | { readonly status: 'error'; readonly text: string };

/**
 * Redis's parseExtendedExpireArgumentsOrReply over argv[startIndex..]: NX, XX, GT, LT (any
 * case, repeats allowed); anything else is "Unsupported option <opt>"; NX with any other, or GT
 * with LT, is refused with Redis's texts.
 */
export function parseExpireCondition(argv: readonly Uint8Array[], startIndex: number): ExpireConditionResult {
  let nx = false;
  let xx = false;
  let gt = false;
  let lt = false;
  for (let index = startIndex; index < argv.length; index++) {
    const option = asciiUpper(argv[index]);
    if (option === 'NX') nx = true;
    else if (option === 'XX') xx = true;
    else if (option === 'GT') gt = true;
    else if (option === 'LT') lt = true;
    else return { status: 'error', text: unsupportedOptionError(Buffer.from(argv[index]).toString()) };
  }
  if (nx && (xx || gt || lt)) return { status: 'error', text: NX_XX_GT_LT_ERROR };
  if (gt && lt) return { status: 'error', text: GT_LT_ERROR };
  const condition: ExpireCondition = nx ? 'nx' : gt ? 'gt' : xx && lt ? 'xxlt' : xx ? 'xx' : lt ? 'lt' : null;
  return { status: 'ok', condition };
}

/**
 * The absolute expiry of EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT with Redis's overflow checks:
 * seconds beyond i64/1000 or a sum beyond i64 is "invalid expire time in '<command>' command".
 * Negative and zero times are allowed (they delete the key).
 */
export function resolveKeyExpire(
  input: Uint8Array,
  options: { unit: 'seconds' | 'milliseconds'; baseTimeMs: number; command: string },
): ExpireAtResult {
  let when = parseI64(input);
  if (when === null) return { status: 'error', text: NOT_INTEGER_ERROR };
  if (options.unit === 'seconds') {
    if (when > I64_MAX / 1000n || when < I64_MIN / 1000n) {
      return { status: 'error', text: invalidExpireError(options.command) };
    }
    when *= 1000n;
  }
  const baseTimeMs = BigInt(options.baseTimeMs);
  if (when > I64_MAX - baseTimeMs) return { status: 'error', text: invalidExpireError(options.command) };
  return { status: 'ok', expireAtMs: Number(when + baseTimeMs) };
}

// ---- helpers ------------------------------------------------------------------------------------

/** Bytes as a latin1 string (one char per byte), without copying the bytes first. */
export function latin1(input: Uint8Array): string {
  return Buffer.from(input.buffer, input.byteOffset, input.length).toString('latin1');
}

/** An argument upper-cased as ASCII (option names are ASCII; other bytes never match). */
export function asciiUpper(input: Uint8Array): string {
  if (input.length > 16) return '';
  let text = '';
  for (let index = 0; index < input.length; index++) {
    const byte = input[index];
    text += String.fromCharCode(byte >= 0x61 && byte <= 0x7a ? byte - 0x20 : byte);
  }
  return text;
}
