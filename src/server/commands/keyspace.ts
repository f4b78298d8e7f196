/**
 * The keyspace commands: DEL/UNLINK/EXISTS/TYPE/TOUCH, RENAME/RENAMENX/MOVE/COPY/SWAPDB,
 * KEYS/SCAN/RANDOMKEY/DBSIZE, FLUSHDB/FLUSHALL, the EXPIRE and TTL families, PERSIST, and the
 * OBJECT and MEMORY containers, with Redis 7's arity, flags, key positions, summaries, replies
 * and error texts.
 * Why this shape: a table row plus a handler per command; handlers parse argv (args.ts), call
 * the store, and map its result to a reply with an exhaustive switch.
 * Invariants: every handler writes exactly one reply; argument errors are reported in Redis's
 * order (e.g. EXPIRE's options before its time, the time's overflow before the key lookup).
 * Container commands (OBJECT, MEMORY) dispatch their own subcommands, so they work whether or
 * not dispatch knows about subcommands; the subcommand rows carry Redis's full names
 * ('OBJECT|ENCODING') and full argv, and can also be run directly.
 * Not here: SELECT (connection.ts), lookup and arity checks of top-level commands (dispatch).
 */

import { fail } from 'node:assert/strict';

import type { CommandContext, CommandFlag, CommandHandler, CommandSpec } from '../command-types.js';
import {
  DB_INDEX_OUT_OF_RANGE_ERROR,
  INVALID_CURSOR_ERROR,
  INVALID_FIRST_DB_INDEX_ERROR,
  INVALID_SECOND_DB_INDEX_ERROR,
  LFU_NOT_SELECTED_ERROR,
  LFU_SELECTED_ERROR,
  NOT_INTEGER_ERROR,
  NO_SUCH_KEY_ERROR,
  OOM_ERROR,
  SAME_OBJECT_ERROR,
  SYNTAX_ERROR,
  unknownSubcommandError,
  wrongArityError,
} from '../errors.js';
import type { ExpireOptions, Store, TimeUnit, ValueType } from '../../store/store.js';
import {
  I32_MAX,
  I32_MIN,
  asciiUpper,
  parseExpireCondition,
  parseI64,
  parseI64Saturated,
  parseIntegerInRange,
  parseScanCursor,
  resolveKeyExpire,
  type RangeResult,
} from './args.js';

/**
 * One table row; `keys` is Redis's [firstKey, lastKey, keyStep]. The group is Redis's COMMAND
 * DOCS group: 'generic' for keyspace commands, 'server' for whole-database ones.
 */
function row(
  name: string,
  arity: number,
  flags: readonly CommandFlag[],
  keys: readonly [number, number, number],
  summary: string,
  run: CommandHandler,
): CommandSpec {
  return { name, arity, flags, firstKey: keys[0], lastKey: keys[1], keyStep: keys[2], group: 'generic', summary, run };
}

const NO_KEYS = [0, 0, 0] as const;
const ONE_KEY = [1, 1, 1] as const;
const ALL_KEYS = [1, -1, 1] as const;
const TWO_KEYS = [1, 2, 1] as const;
const SUBCOMMAND_KEY = [2, 2, 1] as const;

/** Redis's SCAN default COUNT. */
const SCAN_COUNT_DEFAULT = 10;
/** TYPE names SCAN's TYPE option can match. */
const VALUE_TYPES: readonly ValueType[] = ['string', 'list', 'hash', 'set', 'zset'];

const OBJECT_SUBCOMMANDS: readonly CommandSpec[] = [
  row('OBJECT|ENCODING', 3, ['readonly'], SUBCOMMAND_KEY,
    'Returns the internal encoding of a Redis object.', objectEncodingCommand),
  row('OBJECT|FREQ', 3, ['readonly'], SUBCOMMAND_KEY,
    'Returns the logarithmic access frequency counter of a Redis object.', objectFreqCommand),
  row('OBJECT|HELP', 2, ['loading', 'stale'], NO_KEYS,
    'Returns helpful text about the different subcommands.', objectHelpCommand),
  row('OBJECT|IDLETIME', 3, ['readonly'], SUBCOMMAND_KEY,
    'Returns the time since the last access to a Redis object.', objectIdletimeCommand),
  row('OBJECT|REFCOUNT', 3, ['readonly'], SUBCOMMAND_KEY,
    'Returns the reference count of a value of a key.', objectRefcountCommand),
];

const MEMORY_SUBCOMMANDS: readonly CommandSpec[] = [
  { ...row('MEMORY|USAGE', -3, ['readonly'], SUBCOMMAND_KEY,
    'Estimates the memory usage of a key.', memoryUsageCommand), group: 'server' },
  { ...row('MEMORY|HELP', 2, ['loading', 'stale'], NO_KEYS,
    'Returns helpful text about the different subcommands.', memoryHelpCommand), group: 'server' },
  { ...row('MEMORY|DOCTOR', 2, [], NO_KEYS, 'Outputs a memory problems report.', memoryDoctorCommand),
    group: 'server' },
];

export const KEYSPACE_COMMANDS: readonly CommandSpec[] = [
  row('DEL', -2, ['write'], ALL_KEYS, 'Deletes one or more keys.', delCommand),
  row('UNLINK', -2, ['write', 'fast'], ALL_KEYS, 'Asynchronously deletes one or more keys.', delCommand),
  row('EXISTS', -2, ['readonly', 'fast'], ALL_KEYS, 'Determines whether one or more keys exist.', existsCommand),
  row('TYPE', 2, ['readonly', 'fast'], ONE_KEY, 'Determines the type of value stored at a key.', typeCommand),
  row('TOUCH', -2, ['readonly', 'fast'], ALL_KEYS,
    'Returns the number of existing keys out of those specified after updating the time they were last accessed.',
    touchCommand),
  row('RENAME', 3, ['write'], TWO_KEYS, 'Renames a key and overwrites the destination.', renameCommand),
  row('RENAMENX', 3, ['write', 'fast'], TWO_KEYS,
    "Renames a key only when the target key name doesn't exist.", renamenxCommand),
  row('MOVE', 3, ['write', 'fast'], ONE_KEY, 'Moves a key to another database.', moveCommand),
  row('COPY', -3, ['write', 'denyoom'], TWO_KEYS, 'Copies the value of a key to a new key.', copyCommand),
  { ...row('SWAPDB', 3, ['write', 'fast'], NO_KEYS, 'Swaps two Redis databases.', swapdbCommand), group: 'server' },
  row('KEYS', 2, ['readonly'], NO_KEYS, 'Returns all key names that match a pattern.', keysCommand),
  row('SCAN', -2, ['readonly'], NO_KEYS, 'Iterates over the key names in the database.', scanCommand),
  row('RANDOMKEY', 1, ['readonly'], NO_KEYS, 'Returns a random key name from the database.', randomkeyCommand),
  { ...row('DBSIZE', 1, ['readonly', 'fast'], NO_KEYS, 'Returns the number of keys in the database.',
    dbsizeCommand), group: 'server' },
  { ...row('FLUSHDB', -1, ['write'], NO_KEYS, 'Removes all keys from the current database.', flushdbCommand),
    group: 'server' },
  { ...row('FLUSHALL', -1, ['write'], NO_KEYS, 'Removes all keys from all databases.', flushallCommand),
    group: 'server' },
  row('EXPIRE', -3, ['write', 'fast'], ONE_KEY, 'Sets the expiration time of a key in seconds.', expireCommand),
  row('PEXPIRE', -3, ['write', 'fast'], ONE_KEY,
    'Sets the expiration time of a key in milliseconds.', pexpireCommand),
  row('EXPIREAT', -3, ['write', 'fast'], ONE_KEY,
    'Sets the expiration time of a key to a Unix timestamp.', expireatCommand),
  row('PEXPIREAT', -3, ['write', 'fast'], ONE_KEY,
    'Sets the expiration time of a key to a Unix milliseconds timestamp.', pexpireatCommand),
  row('TTL', 2, ['readonly', 'fast'], ONE_KEY, 'Returns the expiration time in seconds of a key.', ttlCommand),
  row('PTTL', 2, ['readonly', 'fast'], ONE_KEY,
    'Returns the expiration time in milliseconds of a key.', pttlCommand),
  row('EXPIRETIME', 2, ['readonly', 'fast'], ONE_KEY,
    'Returns the expiration time of a key as a Unix timestamp.', expiretimeCommand),
  row('PEXPIRETIME', 2, ['readonly', 'fast'], ONE_KEY,
    'Returns the expiration time of a key as a Unix milliseconds timestamp.', pexpiretimeCommand),
  row('PERSIST', 2, ['write', 'fast'], ONE_KEY, 'Removes the expiration time of a key.', persistCommand),
  { ...row('OBJECT', -2, [], NO_KEYS, 'A container for object introspection commands.', objectCommand),
    subcommands: OBJECT_SUBCOMMANDS },
  { ...row('MEMORY', -2, [], NO_KEYS, 'A container for memory diagnostics commands.', memoryCommand),
    group: 'server', subcommands: MEMORY_SUBCOMMANDS },
];

/** Compile-time exhaustiveness: a store result status this switch does not handle fails tsc. */
function unreachable(value: never): never {
  return fail(`unexpected store result ${JSON.stringify(value)}`);
}

// ---- existence, type, deletion ------------------------------------------------------------------

/** DEL / UNLINK: how many of the keys existed (UNLINK frees synchronously: values are small). */
function delCommand(context: CommandContext, argv: readonly Buffer[]): void {
  let deletedCount = 0;
  for (let index = 1; index < argv.length; index++) {
    if (context.store.del(context.db, argv[index])) deletedCount++;
  }
  context.reply.integer(deletedCount);
}

/** EXISTS: a key named twice counts twice, as in Redis. */
function existsCommand(context: CommandContext, argv: readonly Buffer[]): void {
  let existingCount = 0;
  for (let index = 1; index < argv.length; index++) {
    if (context.store.exists(context.db, argv[index])) existingCount++;
  }
  context.reply.integer(existingCount);
}

function touchCommand(context: CommandContext, argv: readonly Buffer[]): void {
  let touchedCount = 0;
  for (let index = 1; index < argv.length; index++) {
    if (context.store.touch(context.db, argv[index])) touchedCount++;
  }
  context.reply.integer(touchedCount);
}

function typeCommand(context: CommandContext, argv: readonly Buffer[]): void {
  context.reply.simple(context.store.type(context.db, argv[1]));
}

// ---- RENAME / MOVE / COPY / SWAPDB --------------------------------------------------------------

function renameCommand(context: CommandContext, argv: readonly Buffer[]): void {
  renameGeneric(context, argv, false);
}

function renamenxCommand(context: CommandContext, argv: readonly Buffer[]): void {
  renameGeneric(context, argv, true);
}

function renameGeneric(context: CommandContext, argv: readonly Buffer[], nx: boolean): void {
  const { reply } = context;
  const result = context.store.rename(context.db, argv[1], argv[2], { nx });
  switch (result.status) {
    case 'ok':
      if (nx) reply.integer(1);
      else reply.simple('OK');
      return;
    case 'missing':
      reply.error(NO_SUCH_KEY_ERROR);
      return;
    case 'notSet':
      reply.integer(0);
      return;
    case 'outOfMemory':
      reply.error(OOM_ERROR);
      return;
    default:
      unreachable(result);
  }
}

/** A DB index argument by getIntFromObjectOrReply, then checked against the store's count. */
function parseDbIndex(store: Store, input: Buffer, invalidText?: string): RangeResult {
  const parsed = parseIntegerInRange(input, {
    min: I32_MIN,
    max: I32_MAX,
    notIntegerText: invalidText,
    outOfRangeText: invalidText,
  });
  if (parsed.status === 'error') return parsed;
  if (parsed.value < 0 || parsed.value >= store.databaseCount) {
    return { status: 'error', text: DB_INDEX_OUT_OF_RANGE_ERROR };
  }
  return parsed;
}

function moveCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const { reply } = context;
  const target = parseDbIndex(context.store, argv[2]);
  if (target.status === 'error') {
    reply.error(target.text);
    return;
  }
  if (target.value === context.db) {
    reply.error(SAME_OBJECT_ERROR);
    return;
  }
  const result = context.store.move(context.db, argv[1], target.value);
  switch (result.status) {
    case 'ok':
      reply.integer(1);
      return;
    case 'missing':
    case 'exists':
      reply.integer(0);
      return;
    case 'outOfMemory':
      reply.error(OOM_ERROR);
      return;
    default:
      unreachable(result);
  }
}

/** COPY source destination [DB destination-db] [REPLACE]. */
function copyCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const { reply } = context;
  let targetDb = context.db;
  let replace = false;
  for (let index = 3; index < argv.length; index++) {
    const option = asciiUpper(argv[index]);
    if (option === 'REPLACE') {
      replace = true;
    } else if (option === 'DB' && index + 1 < argv.length) {
      const parsed = parseDbIndex(context.store, argv[index + 1]);
      if (parsed.status === 'error') {
        reply.error(parsed.text);
        return;
      }
      targetDb = parsed.value;
      index++;
    } else {
      reply.error(SYNTAX_ERROR);
      return;
    }
  }
  if (targetDb === context.db && argv[1].equals(argv[2])) {
    reply.error(SAME_OBJECT_ERROR);
    return;
  }
  const result = context.store.copy(context.db, argv[1], argv[2], { targetDb, replace });
  switch (result.status) {
    case 'ok':
      reply.integer(1);
      return;
    case 'missing':
    case 'exists':
      reply.integer(0);
      return;
    case 'outOfMemory':
      reply.error(OOM_ERROR);
      return;
    default:
      unreachable(result);
  }
}

function swapdbCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const first = parseDbIndex(context.store, argv[1], INVALID_FIRST_DB_INDEX_ERROR);
  if (first.status === 'error') {
    context.reply.error(first.text);
    return;
  }
  const second = parseDbIndex(context.store, argv[2], INVALID_SECOND_DB_INDEX_ERROR);
  if (second.status === 'error') {
    context.reply.error(second.text);
    return;
  }
  if (first.value !== second.value) context.store.swapDb(first.value, second.value);
  context.reply.simple('OK');
}

// ---- KEYS / SCAN / RANDOMKEY / DBSIZE / FLUSH ---------------------------------------------------

function keysCommand(context: CommandContext, argv: readonly Buffer[]): void {
  replyKeys(context, context.store.keys(context.db, argv[1]));
}

function replyKeys(context: CommandContext, keys: readonly Buffer[]): void {
  context.reply.arrayHeader(keys.length);
  for (const key of keys) context.reply.bulk(key);
}

/**
 * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]: replies [cursor as bulk, keys].
 * An unknown TYPE name matches nothing but the cursor still advances (Redis 7.0-7.2).
 * Cursors are u64 as in Redis; the store masks them to its table, so the low 53 bits suffice.
 */
function scanCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const { reply } = context;
  const cursor = parseScanCursor(argv[1]);
  if (cursor === null) {
    reply.error(INVALID_CURSOR_ERROR);
    return;
  }
  let count = SCAN_COUNT_DEFAULT;
  let match: Buffer | undefined;
  let typeName: string | undefined;
  for (let index = 2; index < argv.length; index += 2) {
    const option = asciiUpper(argv[index]);
    const hasValue = index + 1 < argv.length;
    if (option === 'COUNT' && hasValue) {
      const parsed = parseI64Saturated(argv[index + 1]);
      if (parsed === null) {
        reply.error(NOT_INTEGER_ERROR);
        return;
      }
      if (parsed < 1) {
        reply.error(SYNTAX_ERROR);
        return;
      }
      count = parsed;
    } else if (option === 'MATCH' && hasValue) {
      const pattern = argv[index + 1];
      match = pattern.length === 1 && pattern[0] === 0x2a ? undefined : pattern;
    } else if (option === 'TYPE' && hasValue) {
      typeName = argv[index + 1].toString('latin1').toLowerCase();
    } else {
      reply.error(SYNTAX_ERROR);
      return;
    }
  }
  const type = VALUE_TYPES.find((valueType) => valueType === typeName);
  const isUnknownType = typeName !== undefined && type === undefined;
  const result = context.store.scan(context.db, Number(BigInt.asUintN(53, cursor)), { match, count, type });
  reply.arrayHeader(2);
  reply.bulk(String(result.cursor));
  replyKeys(context, isUnknownType ? [] : result.keys);
}

function randomkeyCommand(context: CommandContext): void {
  const key = context.store.randomKey(context.db);
  if (key === null) context.reply.nullBulk();
  else context.reply.bulk(key);
}

function dbsizeCommand(context: CommandContext): void {
  context.reply.integer(context.store.dbSize(context.db));
}

/** FLUSHDB / FLUSHALL [ASYNC|SYNC]: both free synchronously (the heap frees in O(pages)). */
function flushdbCommand(context: CommandContext, argv: readonly Buffer[]): void {
  if (!isFlushModeValid(argv)) {
    context.reply.error(SYNTAX_ERROR);
    return;
  }
  context.store.flushDb(context.db);
  context.reply.simple('OK');
}

function flushallCommand(context: CommandContext, argv: readonly Buffer[]): void {
  if (!isFlushModeValid(argv)) {
    context.reply.error(SYNTAX_ERROR);
    return;
  }
  context.store.flushAll();
  context.reply.simple('OK');
}

function isFlushModeValid(argv: readonly Buffer[]): boolean {
  if (argv.length === 1) return true;
  if (argv.length > 2) return false;
  const mode = asciiUpper(argv[1]);
  return mode === 'SYNC' || mode === 'ASYNC';
}

// ---- expiry -------------------------------------------------------------------------------------

function expireCommand(context: CommandContext, argv: readonly Buffer[]): void {
  expireGeneric(context, argv, { unit: 'seconds', isAbsolute: false, command: 'expire' });
}

function pexpireCommand(context: CommandContext, argv: readonly Buffer[]): void {
  expireGeneric(context, argv, { unit: 'milliseconds', isAbsolute: false, command: 'pexpire' });
}

function expireatCommand(context: CommandContext, argv: readonly Buffer[]): void {
  expireGeneric(context, argv, { unit: 'seconds', isAbsolute: true, command: 'expireat' });
}

function pexpireatCommand(context: CommandContext, argv: readonly Buffer[]): void {
  expireGeneric(context, argv, { unit: 'milliseconds', isAbsolute: true, command: 'pexpireat' });
}

/**
 * EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT key time [NX|XX|GT|LT]: options first, then the time and
 * its overflow check, then the key. XX with LT needs an existing expiry as well as an earlier
 * time, which the store's single condition cannot say, so the expiry is checked here first.
 */
function expireGeneric(
  context: CommandContext,
  argv: readonly Buffer[],
  options: { unit: TimeUnit; isAbsolute: boolean; command: string },
): void {
  const { reply, store } = context;
  const condition = parseExpireCondition(argv, 3);
  if (condition.status === 'error') {
    reply.error(condition.text);
    return;
  }
  const baseTimeMs = options.isAbsolute ? 0 : context.nowMs;
  const when = resolveKeyExpire(argv[2], { unit: options.unit, baseTimeMs, command: options.command });
  if (when.status === 'error') {
    reply.error(when.text);
    return;
  }
  const expireOptions: { condition?: ExpireOptions['condition'] } = {};
  if (condition.condition === 'xxlt') {
    if (store.expireTime(context.db, argv[1], 'milliseconds') < 0) {
      reply.integer(0);
      return;
    }
    expireOptions.condition = 'lt';
  } else if (condition.condition !== null) {
    expireOptions.condition = condition.condition;
  }
  const result = store.expire(context.db, argv[1], when.expireAtMs, expireOptions);
  switch (result.status) {
    case 'ok':
      reply.integer(1);
      return;
    case 'missing':
    case 'notSet':
      reply.integer(0);
      return;
    case 'outOfMemory':
      reply.error(OOM_ERROR);
      return;
    default:
      unreachable(result);
  }
}

function ttlCommand(context: CommandContext, argv: readonly Buffer[]): void {
  context.reply.integer(context.store.ttl(context.db, argv[1], 'seconds'));
}

function pttlCommand(context: CommandContext, argv: readonly Buffer[]): void {
  context.reply.integer(context.store.ttl(context.db, argv[1], 'milliseconds'));
}

function expiretimeCommand(context: CommandContext, argv: readonly Buffer[]): void {
  context.reply.integer(context.store.expireTime(context.db, argv[1], 'seconds'));
}

function pexpiretimeCommand(context: CommandContext, argv: readonly Buffer[]): void {
  context.reply.integer(context.store.expireTime(context.db, argv[1], 'milliseconds'));
}

function persistCommand(context: CommandContext, argv: readonly Buffer[]): void {
  context.reply.integer(context.store.persist(context.db, argv[1]) ? 1 : 0);
}

// ---- OBJECT / MEMORY ----------------------------------------------------------------------------

function objectCommand(context: CommandContext, argv: readonly Buffer[]): void {
  runSubcommand(context, argv, OBJECT_SUBCOMMANDS);
}

function memoryCommand(context: CommandContext, argv: readonly Buffer[]): void {
  runSubcommand(context, argv, MEMORY_SUBCOMMANDS);
}

/**
 * A container's subcommand: unknown → "unknown subcommand '<sub>'. Try <CMD> HELP.", wrong
 * count → "wrong number of arguments for '<cmd>|<sub>' command", as Redis 7 replies.
 */
function runSubcommand(context: CommandContext, argv: readonly Buffer[], subcommands: readonly CommandSpec[]): void {
  const parent = argv[0].toString();
  const subcommandName = argv[1].toString();
  const fullName = `${parent}|${subcommandName}`.toUpperCase();
  const spec = subcommands.find((candidate) => candidate.name === fullName);
  if (spec === undefined) {
    context.reply.error(unknownSubcommandError(parent, subcommandName));
    return;
  }
  const isArityOk = spec.arity >= 0 ? argv.length === spec.arity : argv.length >= -spec.arity;
  if (!isArityOk) {
    context.reply.error(wrongArityError(fullName));
    return;
  }
  spec.run(context, argv);
}

/** Redis's addReplyHelp: a title line, the lines given, then HELP's own two lines. */
function replyHelp(context: CommandContext, command: string, lines: readonly string[]): void {
  const { reply } = context;
  reply.arrayHeader(lines.length + 3);
  reply.simple(`${command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const line of lines) reply.simple(line);
  reply.simple('HELP');
  reply.simple('    Print this help.');
}

const OBJECT_HELP_LINES: readonly string[] = [
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
];

function objectHelpCommand(context: CommandContext): void {
  replyHelp(context, 'OBJECT', OBJECT_HELP_LINES);
}

function objectEncodingCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const info = context.store.objectInfo(context.db, argv[2]);
  if (info === null) context.reply.nullBulk();
  else context.reply.bulk(info.encoding);
}

function objectRefcountCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const info = context.store.objectInfo(context.db, argv[2]);
  if (info === null) context.reply.nullBulk();
  else context.reply.integer(info.refCount);
}

function objectIdletimeCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const info = context.store.objectInfo(context.db, argv[2]);
  if (info === null) context.reply.nullBulk();
  else if (isLfuPolicySelected(context)) context.reply.error(LFU_SELECTED_ERROR);
  else context.reply.integer(info.idleTimeSeconds);
}

function objectFreqCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const info = context.store.objectInfo(context.db, argv[2]);
  if (info === null) context.reply.nullBulk();
  else if (!isLfuPolicySelected(context)) context.reply.error(LFU_NOT_SELECTED_ERROR);
  else context.reply.integer(info.frequency);
}

/**
 * Whether an LFU maxmemory-policy is selected (Redis's MAXMEMORY_FLAG_LFU: allkeys-lfu,
 * volatile-lfu). The policy is server configuration, which CommandContext does not declare:
 * the server's context carries it as `server.config.values.maxmemoryPolicy`; failing that, the
 * store's access clock option; failing both, LRU (the default noeviction policy tracks LRU).
 * TODO(server-core): read the policy through a declared CommandContext member.
 */
function isLfuPolicySelected(context: CommandContext): boolean {
  const server = (context as unknown as { readonly server?: { readonly config?: { readonly values?: unknown } } })
    .server;
  const values = server?.config?.values as { readonly maxmemoryPolicy?: unknown } | undefined;
  if (typeof values?.maxmemoryPolicy === 'string') return values.maxmemoryPolicy.toLowerCase().endsWith('-lfu');
  const accessClock = (context.store as unknown as { readonly accessClock?: unknown }).accessClock;
  return accessClock === 'lfu';
}

const MEMORY_HELP_LINES: readonly string[] = [
  'DOCTOR',
  '    Return memory problems reports.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
];

function memoryHelpCommand(context: CommandContext): void {
  replyHelp(context, 'MEMORY', MEMORY_HELP_LINES);
}

/** MEMORY USAGE key [SAMPLES count]: options are checked before the key is looked up. */
function memoryUsageCommand(context: CommandContext, argv: readonly Buffer[]): void {
  for (let index = 3; index < argv.length; index++) {
    if (asciiUpper(argv[index]) === 'SAMPLES' && index + 1 < argv.length) {
      const parsed = parseI64(argv[index + 1]);
      if (parsed === null) {
        context.reply.error(NOT_INTEGER_ERROR);
        return;
      }
      if (parsed < 0n) {
        context.reply.error(SYNTAX_ERROR);
        return;
      }
      index++; // Strings are measured exactly; SAMPLES matters once collections exist.
    } else {
      context.reply.error(SYNTAX_ERROR);
      return;
    }
  }
  const usageBytes = context.store.memoryUsage(context.db, argv[2]);
  if (usageBytes === null) context.reply.nullBulk();
  else context.reply.integer(usageBytes);
}

/** MEMORY DOCTOR: Redis's verdict for a healthy instance (cowkv has no allocator to diagnose). */
function memoryDoctorCommand(context: CommandContext): void {
  context.reply.verbatim('Hi Sam, I can\'t find any memory issue in your instance. I can only account for what occurs on this base.');
}
