/**
 * The keyspace commands: DEL/UNLINK/EXISTS/TYPE/TOUCH, RENAME/RENAMENX/MOVE/COPY/SWAPDB,
 * KEYS/SCAN/RANDOMKEY/DBSIZE, FLUSHDB/FLUSHALL, the EXPIRE and TTL families, PERSIST, and the
 * OBJECT and MEMORY containers, with Redis 7's arity, flags, key positions, summaries, replies
 * and error texts.
 * Why this shape: a table row plus a handler per command; handlers parse argv (args.ts), call
 * the store, and map its result to a reply with an exhaustive switch; the shared error statuses
 * go to replyStoreFailure (common.ts), and MOVE/COPY/EXPIRE share one 1-or-0 reply.
 * Invariants: every handler writes exactly one reply; argument errors are reported in Redis's
 * order (e.g. EXPIRE's options before its time, the time's overflow before the key lookup).
 * Container commands (OBJECT, MEMORY) dispatch their own subcommands, so they work whether or
 * not dispatch knows about subcommands; the subcommand rows carry Redis's full names
 * ('OBJECT|ENCODING') and full argv, and can also be run directly.
 * Not here: SELECT (connection.ts), lookup and arity checks of top-level commands (dispatch).
 */

import type { CommandContext, CommandSpec } from '../command-types.js';
import { Client } from '../connection.js';
import {
  DB_INDEX_OUT_OF_RANGE_ERROR,
  INVALID_CURSOR_ERROR,
  INVALID_FIRST_DB_INDEX_ERROR,
  INVALID_SECOND_DB_INDEX_ERROR,
  LFU_NOT_SELECTED_ERROR,
  LFU_SELECTED_ERROR,
  NOT_INTEGER_ERROR,
  NO_SUCH_KEY_ERROR,
  SAME_OBJECT_ERROR,
  SYNTAX_ERROR,
  unknownSubcommandError,
  wrongArityError,
} from '../errors.js';
import type {
  CopyResult,
  ExpireOptions,
  ExpireResult,
  MoveResult,
  Store,
  TimeUnit,
  ValueType,
} from '../../store/store.js';
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
import { ALL_KEYS, NO_KEYS, ONE_KEY, TWO_KEYS, replyStoreFailure, writeHelp } from './common.js';

// Key positions (firstKey, lastKey, keyStep) of the subcommand rows (the common ones are in
// common.ts). Groups are Redis's COMMAND DOCS groups: 'generic' for keyspace commands, 'server'
// for whole databases.
const SUBCOMMAND_KEY = { firstKey: 2, lastKey: 2, keyStep: 1 } as const;

/** Redis's SCAN default COUNT. */
const SCAN_COUNT_DEFAULT = 10;
/** TYPE names SCAN's TYPE option can match. */
const VALUE_TYPES: readonly ValueType[] = ['string', 'list', 'hash', 'set', 'zset'];

const OBJECT_SUBCOMMANDS: readonly CommandSpec[] = [
  { name: 'OBJECT|ENCODING', arity: 3, flags: ['readonly'], ...SUBCOMMAND_KEY, group: 'generic',
    summary: 'Inspect the internal encoding of a Redis object', run: objectEncodingCommand },
  { name: 'OBJECT|FREQ', arity: 3, flags: ['readonly'], ...SUBCOMMAND_KEY, group: 'generic',
    summary: 'Get the logarithmic access frequency counter of a Redis object', run: objectFreqCommand },
  { name: 'OBJECT|HELP', arity: 2, flags: ['loading', 'stale'], ...NO_KEYS, group: 'generic',
    summary: 'Show helpful text about the different subcommands', run: objectHelpCommand },
  { name: 'OBJECT|IDLETIME', arity: 3, flags: ['readonly'], ...SUBCOMMAND_KEY, group: 'generic',
    summary: 'Get the time since a Redis object was last accessed', run: objectIdletimeCommand },
  { name: 'OBJECT|REFCOUNT', arity: 3, flags: ['readonly'], ...SUBCOMMAND_KEY, group: 'generic',
    summary: 'Get the number of references to the value of the key', run: objectRefcountCommand },
];

const MEMORY_SUBCOMMANDS: readonly CommandSpec[] = [
  { name: 'MEMORY|USAGE', arity: -3, flags: ['readonly'], ...SUBCOMMAND_KEY, group: 'server',
    summary: 'Estimate the memory usage of a key', run: memoryUsageCommand },
  { name: 'MEMORY|HELP', arity: 2, flags: ['loading', 'stale'], ...NO_KEYS, group: 'server',
    summary: 'Show helpful text about the different subcommands', run: memoryHelpCommand },
  { name: 'MEMORY|DOCTOR', arity: 2, flags: [], ...NO_KEYS, group: 'server',
    summary: 'Outputs memory problems report', run: memoryDoctorCommand },
  { name: 'MEMORY|STATS', arity: 2, flags: [], ...NO_KEYS, group: 'server',
    summary: 'Show memory usage details', run: memoryStatsCommand },
  { name: 'MEMORY|PURGE', arity: 2, flags: [], ...NO_KEYS, group: 'server',
    summary: 'Ask the allocator to release memory', run: memoryPurgeCommand },
  { name: 'MEMORY|MALLOC-STATS', arity: 2, flags: [], ...NO_KEYS, group: 'server',
    summary: 'Show allocator internal stats', run: memoryMallocStatsCommand },
];

export const KEYSPACE_COMMANDS: readonly CommandSpec[] = [
  { name: 'DEL', arity: -2, flags: ['write'], ...ALL_KEYS, group: 'generic', summary: 'Delete a key', run: delCommand },
  { name: 'UNLINK', arity: -2, flags: ['write', 'fast'], ...ALL_KEYS, group: 'generic',
    summary: 'Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.',
    run: delCommand },
  { name: 'EXISTS', arity: -2, flags: ['readonly', 'fast'], ...ALL_KEYS, group: 'generic',
    summary: 'Determine if a key exists', run: existsCommand },
  { name: 'TYPE', arity: 2, flags: ['readonly', 'fast'], ...ONE_KEY, group: 'generic',
    summary: 'Determine the type stored at key', run: typeCommand },
  { name: 'TOUCH', arity: -2, flags: ['readonly', 'fast'], ...ALL_KEYS, group: 'generic',
    summary: 'Alters the last access time of a key(s). Returns the number of existing keys specified.',
    run: touchCommand },
  { name: 'RENAME', arity: 3, flags: ['write'], ...TWO_KEYS, group: 'generic',
    summary: 'Rename a key', run: renameCommand },
  { name: 'RENAMENX', arity: 3, flags: ['write', 'fast'], ...TWO_KEYS, group: 'generic',
    summary: 'Rename a key, only if the new key does not exist', run: renamenxCommand },
  { name: 'MOVE', arity: 3, flags: ['write', 'fast'], ...ONE_KEY, group: 'generic',
    summary: 'Move a key to another database', run: moveCommand },
  { name: 'COPY', arity: -3, flags: ['write', 'denyoom'], ...TWO_KEYS, group: 'generic',
    summary: 'Copy a key', run: copyCommand },
  { name: 'SWAPDB', arity: 3, flags: ['write', 'fast'], ...NO_KEYS, group: 'server',
    summary: 'Swaps two Redis databases', run: swapdbCommand },
  { name: 'KEYS', arity: 2, flags: ['readonly'], ...NO_KEYS, group: 'generic',
    summary: 'Find all keys matching the given pattern', run: keysCommand },
  { name: 'SCAN', arity: -2, flags: ['readonly'], ...NO_KEYS, group: 'generic',
    summary: 'Incrementally iterate the keys space', run: scanCommand },
  { name: 'RANDOMKEY', arity: 1, flags: ['readonly'], ...NO_KEYS, group: 'generic',
    summary: 'Return a random key from the keyspace', run: randomkeyCommand },
  { name: 'DBSIZE', arity: 1, flags: ['readonly', 'fast'], ...NO_KEYS, group: 'server',
    summary: 'Return the number of keys in the selected database', run: dbsizeCommand },
  { name: 'FLUSHDB', arity: -1, flags: ['write'], ...NO_KEYS, group: 'server',
    summary: 'Remove all keys from the current database', run: flushdbCommand },
  { name: 'FLUSHALL', arity: -1, flags: ['write'], ...NO_KEYS, group: 'server',
    summary: 'Remove all keys from all databases', run: flushallCommand },
  { name: 'EXPIRE', arity: -3, flags: ['write', 'fast'], ...ONE_KEY, group: 'generic',
    summary: "Set a key's time to live in seconds", run: expireCommand },
  { name: 'PEXPIRE', arity: -3, flags: ['write', 'fast'], ...ONE_KEY, group: 'generic',
    summary: "Set a key's time to live in milliseconds", run: pexpireCommand },
  { name: 'EXPIREAT', arity: -3, flags: ['write', 'fast'], ...ONE_KEY, group: 'generic',
    summary: 'Set the expiration for a key as a UNIX timestamp', run: expireatCommand },
  { name: 'PEXPIREAT', arity: -3, flags: ['write', 'fast'], ...ONE_KEY, group: 'generic',
    summary: 'Set the expiration for a key as a UNIX timestamp specified in milliseconds', run: pexpireatCommand },
  { name: 'TTL', arity: 2, flags: ['readonly', 'fast'], ...ONE_KEY, group: 'generic',
    summary: 'Get the time to live for a key in seconds', run: ttlCommand },
  { name: 'PTTL', arity: 2, flags: ['readonly', 'fast'], ...ONE_KEY, group: 'generic',
    summary: 'Get the time to live for a key in milliseconds', run: pttlCommand },
  { name: 'EXPIRETIME', arity: 2, flags: ['readonly', 'fast'], ...ONE_KEY, group: 'generic',
    summary: 'Get the expiration Unix timestamp for a key', run: expiretimeCommand },
  { name: 'PEXPIRETIME', arity: 2, flags: ['readonly', 'fast'], ...ONE_KEY, group: 'generic',
    summary: 'Get the expiration Unix timestamp for a key in milliseconds', run: pexpiretimeCommand },
  { name: 'PERSIST', arity: 2, flags: ['write', 'fast'], ...ONE_KEY, group: 'generic',
    summary: 'Remove the expiration from a key', run: persistCommand },
  { name: 'OBJECT', arity: -2, flags: [], ...NO_KEYS, group: 'generic',
    summary: 'A container for object introspection commands', run: objectCommand, subcommands: OBJECT_SUBCOMMANDS },
  { name: 'MEMORY', arity: -2, flags: [], ...NO_KEYS, group: 'server',
    summary: 'A container for memory diagnostics commands', run: memoryCommand, subcommands: MEMORY_SUBCOMMANDS },
];

// ---- existence, type, deletion ------------------------------------------------------------------

/**
 * DEL / UNLINK: how many of the keys existed. UNLINK frees synchronously too: a value is one
 * heap allocation, freed in one call whatever its size.
 */
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
  renameGeneric(context, argv, { nx: false });
}

function renamenxCommand(context: CommandContext, argv: readonly Buffer[]): void {
  renameGeneric(context, argv, { nx: true });
}

function renameGeneric(context: CommandContext, argv: readonly Buffer[], { nx }: { readonly nx: boolean }): void {
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
    default:
      replyStoreFailure(context, result.status);
  }
}

/**
 * MOVE, COPY and the EXPIRE family: 1 when the store did it, 0 when it did nothing (the key is
 * missing, the target exists, or the condition did not hold).
 */
function replyAppliedResult(context: CommandContext, result: MoveResult | CopyResult | ExpireResult): void {
  switch (result.status) {
    case 'ok':
      context.reply.integer(1);
      return;
    case 'missing':
    case 'exists':
    case 'notSet':
      context.reply.integer(0);
      return;
    default:
      replyStoreFailure(context, result.status);
  }
}

/** A DB index argument by getIntFromObjectOrReply, then checked against the store's count. */
function parseDbIndex(
  input: Buffer,
  { store, invalidText }: { readonly store: Store; readonly invalidText?: string },
): RangeResult {
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
  const target = parseDbIndex(argv[2], { store: context.store });
  if (target.status === 'error') {
    reply.error(target.text);
    return;
  }
  if (target.value === context.db) {
    reply.error(SAME_OBJECT_ERROR);
    return;
  }
  replyAppliedResult(context, context.store.move(context.db, argv[1], target.value));
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
      const parsed = parseDbIndex(argv[index + 1], { store: context.store });
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
  replyAppliedResult(context, context.store.copy(context.db, argv[1], argv[2], { targetDb, replace }));
}

function swapdbCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const first = parseDbIndex(argv[1], { store: context.store, invalidText: INVALID_FIRST_DB_INDEX_ERROR });
  if (first.status === 'error') {
    context.reply.error(first.text);
    return;
  }
  const second = parseDbIndex(argv[2], { store: context.store, invalidText: INVALID_SECOND_DB_INDEX_ERROR });
  if (second.status === 'error') {
    context.reply.error(second.text);
    return;
  }
  // Even a db swapped with itself counts as one change, as in Redis (it touches no WATCH).
  context.store.swapDb(first.value, second.value);
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
  // As Redis: stop a running BGSAVE (it holds the flushed data) and save if save rules exist.
  // In-process command tests run without a server, hence the instanceof check.
  if (context instanceof Client) context.server.snapshots?.afterFlushAll();
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
  replyAppliedResult(context, store.expire(context.db, argv[1], when.expireAtMs, expireOptions));
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
  runSubcommand(context, argv, { subcommands: OBJECT_SUBCOMMANDS });
}

function memoryCommand(context: CommandContext, argv: readonly Buffer[]): void {
  runSubcommand(context, argv, { subcommands: MEMORY_SUBCOMMANDS });
}

/**
 * A container's subcommand: unknown → "unknown subcommand '<sub>'. Try <CMD> HELP.", wrong
 * count → "wrong number of arguments for '<cmd>|<sub>' command", as Redis 7 replies.
 */
function runSubcommand(
  context: CommandContext,
  argv: readonly Buffer[],
  { subcommands }: { readonly subcommands: readonly CommandSpec[] },
): void {
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
function replyHelp(
  context: CommandContext,
  { command, lines }: { readonly command: string; readonly lines: readonly string[] },
): void {
  writeHelp(context, [
    `${command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`,
    ...lines,
    'HELP',
    '    Prints this help.',
  ]);
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
  replyHelp(context, { command: 'OBJECT', lines: OBJECT_HELP_LINES });
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
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
];

function memoryHelpCommand(context: CommandContext): void {
  replyHelp(context, { command: 'MEMORY', lines: MEMORY_HELP_LINES });
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

/** Below this many bytes of data Redis's MEMORY DOCTOR declines to diagnose (5 MiB). */
const DOCTOR_DATA_BYTES_MIN = 5 * 1024 * 1024;
const DOCTOR_EMPTY_TEXT =
  "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.";
const DOCTOR_HEALTHY_TEXT =
  "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.";

/**
 * MEMORY DOCTOR: Redis's two verdicts that need no allocator (cowkv's heap has no RSS or
 * allocator fragmentation of its own to diagnose): too little data to judge, or healthy.
 */
function memoryDoctorCommand(context: CommandContext): void {
  const { bytesAllocated } = context.store.heap.stats();
  context.reply.verbatim(bytesAllocated < DOCTOR_DATA_BYTES_MIN ? DOCTOR_EMPTY_TEXT : DOCTOR_HEALTHY_TEXT);
}

/**
 * MEMORY STATS: Redis's field names where the heap has the same quantity, then the heap's own:
 * total.allocated = bytes of pages in use, dataset.bytes = live allocations (keys, values,
 * tables), overhead.total = heap metadata (header, page descriptors), fragmentation = pages in
 * use / live bytes. Fields about clients, AOF, scripts or the allocator's RSS are left out:
 * they are not the heap's to report.
 */
function memoryStatsCommand(context: CommandContext): void {
  const { reply, store } = context;
  const heap = store.heap.stats();
  const keyCount = store.stats().databases.reduce((sum, database) => sum + database.keys, 0);
  const totalAllocatedBytes = heap.pagesInUse * heap.pageSizeBytes;
  const integers: readonly [string, number][] = [
    ['peak.allocated', heap.heapBytes],
    ['total.allocated', totalAllocatedBytes],
    ['overhead.total', heap.metadataBytes],
    ['keys.count', keyCount],
    ['keys.bytes-per-key', keyCount === 0 ? 0 : Math.floor(heap.bytesAllocated / keyCount)],
    ['dataset.bytes', heap.bytesAllocated],
  ];
  const heapIntegers: readonly [string, number][] = [
    ['fragmentation.bytes', Math.max(0, totalAllocatedBytes - heap.bytesAllocated)],
    ['heap.page-size', heap.pageSizeBytes],
    ['heap.pages', heap.pageCount],
    ['heap.pages-in-use', heap.pagesInUse],
    ['heap.segments', heap.segmentCount],
    ['heap.bytes', heap.heapBytes],
    ['heap.allocations', heap.allocationCount],
    ['shadow.pages', heap.shadowPoolPageCount],
    ['shadow.pages-in-use', heap.shadowPagesInUse],
    ['shadow.pages-peak', heap.shadowPagesPeak],
    ['snapshot.pages-copied', heap.pagesCopied],
  ];
  const datasetPercentage = totalAllocatedBytes === 0 ? 0 : (heap.bytesAllocated / totalAllocatedBytes) * 100;
  reply.mapHeader(integers.length + 2 + heapIntegers.length);
  for (const [name, value] of integers) {
    reply.bulk(name);
    reply.integer(value);
  }
  reply.bulk('dataset.percentage');
  reply.double(datasetPercentage);
  reply.bulk('fragmentation');
  reply.double(heap.fragmentationRatio);
  for (const [name, value] of heapIntegers) {
    reply.bulk(name);
    reply.integer(value);
  }
}

/** MEMORY PURGE: nothing to purge (freed pages return to the heap's own free lists); OK as Redis. */
function memoryPurgeCommand(context: CommandContext): void {
  context.reply.simple('OK');
}

/** MEMORY MALLOC-STATS: Redis's reply when not built with jemalloc. */
function memoryMallocStatsCommand(context: CommandContext): void {
  context.reply.bulk('Stats not supported for the current allocator');
}
