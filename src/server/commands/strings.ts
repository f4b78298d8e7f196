/**
 * The string commands: GET, SET and its relatives, MGET/MSET, GETEX/GETDEL/GETSET, APPEND,
 * STRLEN, GETRANGE/SUBSTR, SETRANGE, the INCR family and LCS, with Redis 7's arity, flags, key
 * positions, summaries, replies and error texts.
 * Why this shape: each command is a table row plus a handler that parses argv (args.ts), makes
 * one store call and maps the store's result to a reply with an exhaustive switch, so the
 * semantics live in the store and the protocol details live here. Each switch handles its
 * command's own statuses and hands the shared error statuses to replyStoreFailure (common.ts).
 * Invariants: every handler writes exactly one reply; when several arguments are bad, the error
 * that wins is the one Redis reports first (e.g. SET's syntax before its expire time, GETEX's
 * missing key before its expire time); GET copies the value from the heap straight into the
 * output buffer through ReplyWriter.bulkFill, which calls its callback before returning.
 * GET, SET, INCR and MSET also have in-place forms (strings-in-place.ts) that dispatch prefers.
 * Not here: lookup and arity checks (dispatch), the RESP encoding (resp/reply-writer.ts).
 */

import type { CommandContext, CommandSpec } from '../command-types.js';
import {
  DECREMENT_OVERFLOW_ERROR,
  LCS_ALLOCATION_FAILED_ERROR,
  LCS_LEN_AND_IDX_ERROR,
  LCS_TABLE_TOO_LARGE_ERROR,
  LCS_WRONG_TYPE_ERROR,
  NOT_INTEGER_ERROR,
  OFFSET_OUT_OF_RANGE_ERROR,
  SYNTAX_ERROR,
  WRONG_TYPE_ERROR,
  wrongArityError,
} from '../errors.js';
import type { GetExResult, LengthResult, SetOptions, StrlenResult } from '../../store/store.js';
import {
  I64_MIN,
  asciiUpper,
  parseI64,
  parseIncrement,
  parseStringSetOptions,
  resolveStringExpire,
  type ExpireArgument,
} from './args.js';
import { ALL_KEYS, ONE_KEY, TWO_KEYS, replyStoreFailure } from './common.js';
import { getInPlace, incrInPlace, msetInPlace, replyIncrResult, replyMsetResult, setInPlace } from './strings-in-place.js';

// MSET/MSETNX's key positions: every other argument (the common ones are in common.ts).
const PAIR_KEYS = { firstKey: 1, lastKey: -1, keyStep: 2 } as const;

export const STRING_COMMANDS: readonly CommandSpec[] = [
  { name: 'GET', arity: 2, flags: ['readonly', 'fast'], ...ONE_KEY, group: 'string',
    summary: 'Get the value of a key', run: getCommand, runInPlace: getInPlace },
  { name: 'SET', arity: -3, flags: ['write', 'denyoom'], ...ONE_KEY, group: 'string',
    summary: 'Set the string value of a key', run: setCommand, runInPlace: setInPlace },
  { name: 'SETNX', arity: 3, flags: ['write', 'denyoom', 'fast'], ...ONE_KEY, group: 'string',
    summary: 'Set the value of a key, only if the key does not exist', run: setnxCommand },
  { name: 'SETEX', arity: 4, flags: ['write', 'denyoom'], ...ONE_KEY, group: 'string',
    summary: 'Set the value and expiration of a key', run: setexCommand },
  { name: 'PSETEX', arity: 4, flags: ['write', 'denyoom'], ...ONE_KEY, group: 'string',
    summary: 'Set the value and expiration in milliseconds of a key', run: psetexCommand },
  { name: 'MGET', arity: -2, flags: ['readonly', 'fast'], ...ALL_KEYS, group: 'string',
    summary: 'Get the values of all the given keys', run: mgetCommand },
  { name: 'MSET', arity: -3, flags: ['write', 'denyoom'], ...PAIR_KEYS, group: 'string',
    summary: 'Set multiple keys to multiple values', run: msetCommand, runInPlace: msetInPlace },
  { name: 'MSETNX', arity: -3, flags: ['write', 'denyoom'], ...PAIR_KEYS, group: 'string',
    summary: 'Set multiple keys to multiple values, only if none of the keys exist', run: msetnxCommand },
  { name: 'GETSET', arity: 3, flags: ['write', 'denyoom', 'fast'], ...ONE_KEY, group: 'string',
    summary: 'Set the string value of a key and return its old value', run: getsetCommand },
  { name: 'GETDEL', arity: 2, flags: ['write', 'fast'], ...ONE_KEY, group: 'string',
    summary: 'Get the value of a key and delete the key', run: getdelCommand },
  { name: 'GETEX', arity: -2, flags: ['write', 'fast'], ...ONE_KEY, group: 'string',
    summary: 'Get the value of a key and optionally set its expiration', run: getexCommand },
  { name: 'APPEND', arity: 3, flags: ['write', 'denyoom', 'fast'], ...ONE_KEY, group: 'string',
    summary: 'Append a value to a key', run: appendCommand },
  { name: 'STRLEN', arity: 2, flags: ['readonly', 'fast'], ...ONE_KEY, group: 'string',
    summary: 'Get the length of the value stored in a key', run: strlenCommand },
  { name: 'GETRANGE', arity: 4, flags: ['readonly'], ...ONE_KEY, group: 'string',
    summary: 'Get a substring of the string stored at a key', run: getrangeCommand },
  { name: 'SUBSTR', arity: 4, flags: ['readonly'], ...ONE_KEY, group: 'string',
    summary: 'Get a substring of the string stored at a key', run: getrangeCommand },
  { name: 'SETRANGE', arity: 4, flags: ['write', 'denyoom'], ...ONE_KEY, group: 'string',
    summary: 'Overwrite part of a string at key starting at the specified offset', run: setrangeCommand },
  { name: 'INCR', arity: 2, flags: ['write', 'denyoom', 'fast'], ...ONE_KEY, group: 'string',
    summary: 'Increment the integer value of a key by one', run: incrCommand, runInPlace: incrInPlace },
  { name: 'INCRBY', arity: 3, flags: ['write', 'denyoom', 'fast'], ...ONE_KEY, group: 'string',
    summary: 'Increment the integer value of a key by the given amount', run: incrbyCommand },
  { name: 'DECR', arity: 2, flags: ['write', 'denyoom', 'fast'], ...ONE_KEY, group: 'string',
    summary: 'Decrement the integer value of a key by one', run: decrCommand },
  { name: 'DECRBY', arity: 3, flags: ['write', 'denyoom', 'fast'], ...ONE_KEY, group: 'string',
    summary: 'Decrement the integer value of a key by the given number', run: decrbyCommand },
  { name: 'INCRBYFLOAT', arity: 3, flags: ['write', 'denyoom', 'fast'], ...ONE_KEY, group: 'string',
    summary: 'Increment the float value of a key by the given amount', run: incrbyfloatCommand },
  { name: 'LCS', arity: -3, flags: ['readonly'], ...TWO_KEYS, group: 'string',
    summary: 'Find longest common substring', run: lcsCommand },
];

// ---- GET / SET family ---------------------------------------------------------------------------

function getCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const { store, reply } = context;
  const result = store.lookupString(context.db, argv[1]);
  switch (result.status) {
    case 'ok': {
      // The ref is valid until the next store call; bulkFill runs the callback before returning.
      const ref = result.ref;
      reply.bulkFill(result.length, (target, offset) => store.copyStringValue(ref, target, offset));
      return;
    }
    case 'missing':
      reply.nullBulk();
      return;
    default:
      replyStoreFailure(context, result.status);
  }
}

function setCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const parsed = parseStringSetOptions(argv, { startIndex: 3, command: 'set' });
  if (parsed.status === 'error') {
    context.reply.error(parsed.text);
    return;
  }
  const { condition, get, keepTtl, expire } = parsed.options;
  const setOptions: { -readonly [K in keyof SetOptions]: SetOptions[K] } = { get, keepTtl };
  if (condition !== null) setOptions.condition = condition;
  if (expire !== null) {
    const resolved = resolveStringExpire(expire, { nowMs: context.nowMs, command: 'set' });
    if (resolved.status === 'error') {
      context.reply.error(resolved.text);
      return;
    }
    setOptions.expireAtMs = resolved.expireAtMs;
  }
  setGeneric(context, argv, { set: setOptions, replies: SET_REPLIES });
}

function setnxCommand(context: CommandContext, argv: readonly Buffer[]): void {
  setGeneric(context, argv, { set: { condition: 'nx' }, replies: SETNX_REPLIES });
}

function setexCommand(context: CommandContext, argv: readonly Buffer[]): void {
  setWithExpireGeneric(context, argv, { kind: 'ex', command: 'setex' });
}

function psetexCommand(context: CommandContext, argv: readonly Buffer[]): void {
  setWithExpireGeneric(context, argv, { kind: 'px', command: 'psetex' });
}

/** SETEX / PSETEX: `key time value`. */
function setWithExpireGeneric(
  context: CommandContext,
  argv: readonly Buffer[],
  options: { readonly kind: ExpireArgument['kind']; readonly command: string },
): void {
  const expire: ExpireArgument = { kind: options.kind, argument: argv[2] };
  const resolved = resolveStringExpire(expire, { nowMs: context.nowMs, command: options.command });
  if (resolved.status === 'error') {
    context.reply.error(resolved.text);
    return;
  }
  const valueIndex = 3;
  setGeneric(context, [argv[0], argv[1], argv[valueIndex]], {
    set: { expireAtMs: resolved.expireAtMs },
    replies: SET_REPLIES,
  });
}

function getsetCommand(context: CommandContext, argv: readonly Buffer[]): void {
  setGeneric(context, argv, { set: { get: true }, replies: SET_REPLIES });
}

/** What SET answers when it sets or not (without GET), and what SETNX answers. */
interface SetReplies {
  readonly ok: 'OK' | 1;
  readonly notSet: 'null' | 0;
}
const SET_REPLIES: SetReplies = { ok: 'OK', notSet: 'null' };
const SETNX_REPLIES: SetReplies = { ok: 1, notSet: 0 };

/**
 * The store call shared by SET, SETNX, SETEX, PSETEX and GETSET (argv[1] key, argv[2] value).
 * With `get`, the reply is the previous value whether or not the value was set; otherwise
 * `replies` says what 'ok' and 'notSet' answer.
 */
function setGeneric(
  context: CommandContext,
  argv: readonly Buffer[],
  { set: options, replies }: { readonly set: SetOptions; readonly replies: SetReplies },
): void {
  const { reply } = context;
  const result = context.store.set(context.db, argv[1], argv[2], options);
  switch (result.status) {
    case 'ok':
      if (options.get === true) bulkOrNull(context, result.previous);
      else if (replies.ok === 'OK') reply.simple('OK');
      else reply.integer(replies.ok);
      return;
    case 'notSet':
      if (options.get === true) bulkOrNull(context, result.previous);
      else if (replies.notSet === 'null') reply.nullBulk();
      else reply.integer(replies.notSet);
      return;
    default:
      replyStoreFailure(context, result.status);
  }
}

function bulkOrNull(context: CommandContext, value: Buffer | null): void {
  if (value === null) context.reply.nullBulk();
  else context.reply.bulk(value);
}

function mgetCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const values = context.store.mget(context.db, argv.slice(1));
  context.reply.arrayHeader(values.length);
  for (const value of values) bulkOrNull(context, value);
}

function msetCommand(context: CommandContext, argv: readonly Buffer[]): void {
  msetGeneric(context, argv, { nx: false });
}

function msetnxCommand(context: CommandContext, argv: readonly Buffer[]): void {
  msetGeneric(context, argv, { nx: true });
}

/** MSET / MSETNX: an even number of key/value arguments, else Redis's arity error. */
function msetGeneric(context: CommandContext, argv: readonly Buffer[], { nx }: { readonly nx: boolean }): void {
  const { reply } = context;
  if (argv.length % 2 === 0) {
    reply.error(wrongArityError(argv[0].toString()));
    return;
  }
  replyMsetResult(context, context.store.mset(context.db, argv.slice(1), { nx }), nx);
}

function getdelCommand(context: CommandContext, argv: readonly Buffer[]): void {
  replyGetResult(context, context.store.getDel(context.db, argv[1]));
}

/**
 * GETEX key [EX s | PX ms | EXAT s | PXAT ms | PERSIST]. As in Redis, a missing key answers
 * nil and a wrong type WRONGTYPE before the expire time is validated.
 */
function getexCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const parsed = parseStringSetOptions(argv, { startIndex: 2, command: 'getex' });
  if (parsed.status === 'error') {
    context.reply.error(parsed.text);
    return;
  }
  const { persist, expire } = parsed.options;
  if (expire === null) {
    replyGetResult(context, context.store.getEx(context.db, argv[1], persist ? { persist } : {}));
    return;
  }
  const resolved = resolveStringExpire(expire, { nowMs: context.nowMs, command: 'getex' });
  if (resolved.status === 'error') {
    const type = context.store.type(context.db, argv[1]);
    if (type === 'none') context.reply.nullBulk();
    else if (type !== 'string') context.reply.error(WRONG_TYPE_ERROR);
    else context.reply.error(resolved.text);
    return;
  }
  replyGetResult(context, context.store.getEx(context.db, argv[1], { expireAtMs: resolved.expireAtMs }));
}

function replyGetResult(context: CommandContext, result: GetExResult): void {
  switch (result.status) {
    case 'ok':
      context.reply.bulk(result.value);
      return;
    case 'missing':
      context.reply.nullBulk();
      return;
    default:
      replyStoreFailure(context, result.status);
  }
}

// ---- APPEND / STRLEN / ranges -------------------------------------------------------------------

function appendCommand(context: CommandContext, argv: readonly Buffer[]): void {
  replyLengthResult(context, context.store.append(context.db, argv[1], argv[2]));
}

function strlenCommand(context: CommandContext, argv: readonly Buffer[]): void {
  replyLengthResult(context, context.store.strlen(context.db, argv[1]));
}

/**
 * GETRANGE / SUBSTR key start end. Both indexes are parsed before the key is looked up; two
 * negative indexes with start > end are empty before any clamping (Redis 7), which we decide on
 * the exact i64 values because clamping them to numbers could make them equal.
 */
function getrangeCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const start = parseI64(argv[2]);
  const end = parseI64(argv[3]);
  if (start === null || end === null) {
    context.reply.error(NOT_INTEGER_ERROR);
    return;
  }
  const isEmptyRange = start < 0n && end < 0n && start > end;
  const result = context.store.getRange(context.db, argv[1], clampToSafe(start), clampToSafe(end));
  switch (result.status) {
    case 'ok':
      context.reply.bulk(isEmptyRange ? EMPTY_BUFFER : result.value);
      return;
    default:
      replyStoreFailure(context, result.status);
  }
}

const EMPTY_BUFFER = Buffer.alloc(0);

function clampToSafe(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  if (value < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
  return Number(value);
}

/** SETRANGE key offset value: a negative offset is "offset is out of range". */
function setrangeCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const offset = parseI64(argv[2]);
  if (offset === null) {
    context.reply.error(NOT_INTEGER_ERROR);
    return;
  }
  if (offset < 0n) {
    context.reply.error(OFFSET_OUT_OF_RANGE_ERROR);
    return;
  }
  replyLengthResult(context, context.store.setRange(context.db, argv[1], clampToSafe(offset), argv[3]));
}

/** APPEND, SETRANGE and STRLEN: the string's length after the call. */
function replyLengthResult(context: CommandContext, result: LengthResult | StrlenResult): void {
  switch (result.status) {
    case 'ok':
      context.reply.integer(result.length);
      return;
    default:
      replyStoreFailure(context, result.status);
  }
}

// ---- INCR family --------------------------------------------------------------------------------

function incrCommand(context: CommandContext, argv: readonly Buffer[]): void {
  incrGeneric(context, { key: argv[1], increment: 1 });
}

function decrCommand(context: CommandContext, argv: readonly Buffer[]): void {
  incrGeneric(context, { key: argv[1], increment: -1 });
}

function incrbyCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const increment = parseIncrement(argv[2]);
  if (increment === null) {
    context.reply.error(NOT_INTEGER_ERROR);
    return;
  }
  incrGeneric(context, { key: argv[1], increment });
}

/** DECRBY: the decrement is negated, so i64's minimum is refused as Redis does. */
function decrbyCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const decrement = parseIncrement(argv[2]);
  if (decrement === null) {
    context.reply.error(NOT_INTEGER_ERROR);
    return;
  }
  if (decrement === I64_MIN) {
    context.reply.error(DECREMENT_OVERFLOW_ERROR);
    return;
  }
  incrGeneric(context, { key: argv[1], increment: negate(decrement) });
}

/** Unary minus over the store's increment type (TypeScript needs the operand narrowed). */
function negate(value: number | bigint): number | bigint {
  return typeof value === 'bigint' ? -value : -value;
}

function incrGeneric(
  context: CommandContext,
  { key, increment }: { readonly key: Buffer; readonly increment: number | bigint },
): void {
  replyIncrResult(context, context.store.incrBy(context.db, key, increment));
}

/**
 * INCRBYFLOAT key increment: replies the new value as a bulk string (RESP2 and RESP3, as Redis).
 * The increment goes to the store as its text: the store parses it like strtold into an 80-bit
 * long double and checks in Redis's order (type, stored value, increment, NaN/Infinity), so
 * the reply text matches Redis's long double output.
 */
function incrbyfloatCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const result = context.store.incrByFloat(context.db, argv[1], argv[2]);
  switch (result.status) {
    case 'ok':
      context.reply.bulk(result.text);
      return;
    default:
      replyStoreFailure(context, result.status);
  }
}

// ---- LCS ----------------------------------------------------------------------------------------

/** Redis refuses an LCS table larger than proto-max-bulk-len (512 MiB by default). */
const LCS_TABLE_BYTES_MAX = 512 * 1024 * 1024;

interface LcsOptions {
  readonly getLength: boolean;
  readonly getIndexes: boolean;
  readonly withMatchLength: boolean;
  readonly minMatchLength: number;
}

/** One matched range: [aStart, aEnd] in the first string, [bStart, bEnd] in the second. */
interface LcsRange {
  readonly aStart: number;
  readonly aEnd: number;
  readonly bStart: number;
  readonly bEnd: number;
}

/**
 * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN], a port of Redis 7's lcsCommand:
 * both keys are read first (a missing key is ""), then the options, then the classic O(n*m)
 * dynamic-programming table, walked back from the end to build the string and the ranges.
 */
function lcsCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const { reply } = context;
  const first = context.store.get(context.db, argv[1]);
  const second = context.store.get(context.db, argv[2]);
  if (first.status === 'wrongType' || second.status === 'wrongType') {
    reply.error(LCS_WRONG_TYPE_ERROR);
    return;
  }
  const options = parseLcsOptions(argv);
  if (typeof options === 'string') {
    reply.error(options);
    return;
  }
  const a = first.status === 'ok' ? first.value : EMPTY_BUFFER;
  const b = second.status === 'ok' ? second.value : EMPTY_BUFFER;
  const table = buildLcsTable(a, b);
  if (typeof table === 'string') {
    reply.error(table);
    return;
  }
  const { text, ranges } = walkLcsTable(table, { a, b, minMatchLength: options.minMatchLength });
  const length = table[table.length - 1];
  if (options.getIndexes) {
    reply.mapHeader(2);
    reply.bulk('matches');
    reply.arrayHeader(ranges.length);
    for (const range of ranges) replyLcsRange(context, range, { withMatchLength: options.withMatchLength });
    reply.bulk('len');
    reply.integer(length);
  } else if (options.getLength) {
    reply.integer(length);
  } else {
    reply.bulk(text);
  }
}

function parseLcsOptions(argv: readonly Buffer[]): LcsOptions | string {
  let getLength = false;
  let getIndexes = false;
  let withMatchLength = false;
  let minMatchLength = 0;
  for (let index = 3; index < argv.length; index++) {
    const option = asciiUpper(argv[index]);
    if (option === 'IDX') getIndexes = true;
    else if (option === 'LEN') getLength = true;
    else if (option === 'WITHMATCHLEN') withMatchLength = true;
    else if (option === 'MINMATCHLEN' && index + 1 < argv.length) {
      const parsed = parseI64(argv[index + 1]);
      if (parsed === null) return NOT_INTEGER_ERROR;
      minMatchLength = parsed < 0n ? 0 : clampToSafe(parsed);
      index++;
    } else {
      return SYNTAX_ERROR;
    }
  }
  if (getIndexes && getLength) return LCS_LEN_AND_IDX_ERROR;
  return { getLength, getIndexes, withMatchLength, minMatchLength };
}

/** The table of LCS lengths of every prefix pair, row-major with (b.length + 1) columns. */
function buildLcsTable(a: Buffer, b: Buffer): Uint32Array | string {
  const columnCount = b.length + 1;
  const cellCount = (a.length + 1) * columnCount;
  if (cellCount * Uint32Array.BYTES_PER_ELEMENT > LCS_TABLE_BYTES_MAX) return LCS_TABLE_TOO_LARGE_ERROR;
  let table: Uint32Array;
  try {
    table = new Uint32Array(cellCount);
  } catch (error) {
    if (error instanceof RangeError) return LCS_ALLOCATION_FAILED_ERROR;
    throw error;
  }
  for (let i = 1; i <= a.length; i++) {
    const row = i * columnCount;
    const previousRow = row - columnCount;
    for (let j = 1; j <= b.length; j++) {
      table[row + j] = a[i - 1] === b[j - 1]
        ? table[previousRow + j - 1] + 1
        : Math.max(table[previousRow + j], table[row + j - 1]);
    }
  }
  return table;
}

/**
 * Walks the table back from (a.length, b.length) as Redis does, building the LCS string and the
 * contiguous matched ranges (last range first), keeping ranges of at least `minMatchLength`.
 */
function walkLcsTable(
  table: Uint32Array,
  { a, b, minMatchLength }: { readonly a: Buffer; readonly b: Buffer; readonly minMatchLength: number },
): { text: Buffer; ranges: LcsRange[] } {
  const columnCount = b.length + 1;
  let remaining = table[table.length - 1];
  const text = Buffer.alloc(remaining);
  const ranges: LcsRange[] = [];
  let range: { aStart: number; aEnd: number; bStart: number; bEnd: number } | null = null;
  let i = a.length;
  let j = b.length;
  while (i > 0 && j > 0) {
    let shouldEmit = false;
    if (a[i - 1] === b[j - 1]) {
      text[remaining - 1] = a[i - 1];
      if (range === null) {
        range = { aStart: i - 1, aEnd: i - 1, bStart: j - 1, bEnd: j - 1 };
      } else if (range.aStart === i && range.bStart === j) {
        range.aStart--;
        range.bStart--;
      } else {
        shouldEmit = true;
      }
      if (range.aStart === 0 || range.bStart === 0) shouldEmit = true;
      remaining--;
      i--;
      j--;
    } else {
      if (table[(i - 1) * columnCount + j] > table[i * columnCount + j - 1]) i--;
      else j--;
      if (range !== null) shouldEmit = true;
    }
    if (shouldEmit && range !== null) {
      if (minMatchLength === 0 || range.aEnd - range.aStart + 1 >= minMatchLength) ranges.push(range);
      range = null;
    }
  }
  return { text, ranges };
}

function replyLcsRange(
  context: CommandContext,
  range: LcsRange,
  { withMatchLength }: { readonly withMatchLength: boolean },
): void {
  const { reply } = context;
  reply.arrayHeader(withMatchLength ? 3 : 2);
  reply.arrayHeader(2);
  reply.integer(range.aStart);
  reply.integer(range.aEnd);
  reply.arrayHeader(2);
  reply.integer(range.bStart);
  reply.integer(range.bEnd);
  if (withMatchLength) reply.integer(range.aEnd - range.aStart + 1);
}
