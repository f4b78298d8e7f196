/**
 * Server commands: TIME, ROLE, WAIT (standalone: no replicas, answers 0), INFO, CONFIG (GET/SET/RESETSTAT/REWRITE/HELP), COMMAND
 * (no argument, COUNT, INFO, DOCS, LIST, GETKEYS, HELP), DEBUG (SLEEP, DIGEST, DIGEST-VALUE,
 * SET-ACTIVE-EXPIRE, RELOAD, HELP), LASTSAVE, SHUTDOWN.
 * Why together: they read or change server-wide state, not keys, and share the config table
 * (config.ts) and INFO renderer (info.ts).
 * Invariants: CONFIG SET is atomic (config.ts); DEBUG obeys enable-debug-command
 * (no / yes / local = loopback clients only); SHUTDOWN replies only if it fails (on success the
 * connection closes, as Redis does), and holds every client while before-shutdown hooks run.
 * Not here: the parameter table (config.ts), INFO fields (info.ts).
 */

import { performance } from 'node:perf_hooks';
import type { CommandContext, CommandSpec } from '../command-types.js';
import type { Client } from '../connection.js';
import { CONFIG_PARAMETERS, findConfigParameter } from '../config.js';
import type { ConfigParameter } from '../config.js';
import {
  CONFIG_WITHOUT_FILE_ERROR,
  DEBUG_NOT_ALLOWED_ERROR,
  NOT_FLOAT_ERROR,
  NOT_INTEGER_ERROR,
  TIMEOUT_NEGATIVE_ERROR,
  SHUTDOWN_FAILED_ERROR,
  SYNTAX_ERROR,
  configRewriteFailedError,
  subcommandSyntaxError,
  wrongArityError,
} from '../errors.js';
import { renderInfo } from '../info.js';
import { shortNameOf } from '../dispatch.js';
import type { ShutdownSaveMode } from '../server.js';
import { globMatch } from '../../store/glob.js';
import { firstDifferentPage, loadSnapshotHeap } from '../../snapshot/loader.js';
import { clientOf, parseIntArgument, writeHelp } from './common.js';
import { containerCommand, defineCommand } from './define.js';

/** DEBUG SLEEP longer than this is cut (a typo must not hang the server for hours). */
export const DEBUG_SLEEP_MS_MAX = 60_000;

// ---- TIME, LASTSAVE --------------------------------------------------------------------

function timeCommand(context: CommandContext): void {
  const nowUs = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const seconds = Math.floor(nowUs / 1_000_000);
  context.reply.arrayHeader(2);
  context.reply.bulk(String(seconds));
  context.reply.bulk(String(nowUs - seconds * 1_000_000));
}

function lastsaveCommand(context: CommandContext): void {
  context.reply.integer(Math.floor(clientOf(context).server.lastSaveTimeMs() / 1000));
}

// ---- ROLE, WAIT (a standalone master without replicas) -----------------------------------------

function roleCommand(context: CommandContext): void {
  context.reply.arrayHeader(3);
  context.reply.bulk('master');
  context.reply.integer(0);
  context.reply.arrayHeader(0);
}

function waitCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const replicaCount = parseIntArgument(argv[1]);
  const timeoutMs = parseIntArgument(argv[2]);
  if (replicaCount === null || timeoutMs === null) {
    context.reply.error(NOT_INTEGER_ERROR);
    return;
  }
  if (timeoutMs < 0) {
    context.reply.error(TIMEOUT_NEGATIVE_ERROR);
    return;
  }
  context.reply.integer(0);
}

// ---- INFO ---------------------------------------------------------------------------------------

function infoCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const names = argv.slice(1).map((argument) => argument.toString('latin1'));
  context.reply.verbatim(renderInfo(clientOf(context).server, names));
}

// ---- CONFIG -------------------------------------------------------------------------------------

function configGetCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const config = clientOf(context).server.config;
  const matched = new Set<ConfigParameter>();
  for (let index = 2; index < argv.length; index++) {
    const exact = findConfigParameter(argv[index].toString('latin1'));
    if (exact !== undefined) {
      matched.add(exact);
      continue;
    }
    for (const parameter of CONFIG_PARAMETERS) {
      if (globMatch(argv[index], Buffer.from(parameter.name), true)) matched.add(parameter);
    }
  }
  context.reply.mapHeader(matched.size);
  for (const parameter of CONFIG_PARAMETERS) {
    if (!matched.has(parameter)) continue;
    context.reply.bulk(parameter.name);
    context.reply.bulk(config.getText(parameter));
  }
}

function isProtectedConfigAllowed(client: Client): boolean {
  const mode = client.server.config.values.enableProtectedConfigs;
  return mode === 'yes' || (mode === 'local' && client.isLoopback);
}

function configSetCommand(context: CommandContext, argv: readonly Buffer[]): void {
  if (argv.length % 2 !== 0) {
    context.reply.error(wrongArityError('config|set'));
    return;
  }
  const client = clientOf(context);
  const pairs: [string, string][] = [];
  for (let index = 2; index < argv.length; index += 2) {
    pairs.push([argv[index].toString('utf8'), argv[index + 1].toString('utf8')]);
  }
  const outcome = client.server.config.set(pairs, isProtectedConfigAllowed(client));
  if (outcome.status === 'ok') context.reply.simple('OK');
  else context.reply.error(outcome.text);
}

function configResetstatCommand(context: CommandContext): void {
  const server = clientOf(context).server;
  server.resetStats();
  context.reply.simple('OK');
}

function configRewriteCommand(context: CommandContext): void {
  const server = clientOf(context).server;
  if (server.config.configFilePath === null) {
    context.reply.error(CONFIG_WITHOUT_FILE_ERROR);
    return;
  }
  const failure = server.config.rewrite();
  if (failure !== null) {
    server.logger.warning(`CONFIG REWRITE failed: ${failure}`);
    context.reply.error(configRewriteFailedError(failure));
    return;
  }
  server.logger.notice('CONFIG REWRITE executed with success.');
  context.reply.simple('OK');
}

const CONFIG_HELP_LINES = [
  'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
  'HELP',
  '    Print this help.',
];

// ---- COMMAND ------------------------------------------------------------------------------------

function aclCategories(spec: CommandSpec): string[] {
  const categories: string[] = [];
  const flags = spec.flags;
  if (flags.includes('write')) categories.push('@write');
  if (flags.includes('readonly')) categories.push('@read');
  if (['string', 'keyspace', 'list', 'hash', 'set', 'sortedset', 'pubsub', 'connection', 'transactions'].includes(spec.group)) {
    categories.push(`@${spec.group === 'transactions' ? 'transaction' : spec.group}`);
  }
  if (flags.includes('admin')) categories.push('@admin', '@dangerous');
  categories.push(flags.includes('fast') ? '@fast' : '@slow');
  return categories;
}

function writeCommandInfo(context: CommandContext, spec: CommandSpec, fullName: string): void {
  const reply = context.reply;
  reply.arrayHeader(10);
  reply.bulk(fullName.toLowerCase());
  reply.integer(spec.arity);
  reply.setHeader(spec.flags.length);
  for (const flag of spec.flags) reply.simple(flag);
  reply.integer(spec.firstKey);
  reply.integer(spec.lastKey);
  reply.integer(spec.keyStep);
  const categories = aclCategories(spec);
  reply.setHeader(categories.length);
  for (const category of categories) reply.simple(category);
  reply.setHeader(0); // tips
  reply.arrayHeader(0); // key specs
  const subcommands = spec.subcommands ?? [];
  reply.arrayHeader(subcommands.length);
  for (const subcommand of subcommands) writeCommandInfo(context, subcommand, `${fullName}|${shortNameOf(subcommand)}`);
}

function writeCommandDocs(context: CommandContext, spec: CommandSpec): void {
  const reply = context.reply;
  const subcommands = spec.subcommands ?? [];
  reply.mapHeader(subcommands.length > 0 ? 4 : 3);
  reply.bulk('summary');
  reply.bulk(spec.summary);
  reply.bulk('since');
  reply.bulk('1.0.0');
  reply.bulk('group');
  reply.bulk(spec.group);
  if (subcommands.length > 0) {
    reply.bulk('subcommands');
    reply.mapHeader(subcommands.length);
    for (const subcommand of subcommands) {
      reply.bulk(`${spec.name}|${shortNameOf(subcommand)}`.toLowerCase());
      writeCommandDocs(context, subcommand);
    }
  }
}

function commandCommand(context: CommandContext): void {
  const specs = clientOf(context).server.commands.specs;
  context.reply.arrayHeader(specs.length);
  for (const spec of specs) writeCommandInfo(context, spec, spec.name);
}

function commandCountCommand(context: CommandContext): void {
  context.reply.integer(clientOf(context).server.commands.specs.length);
}

/** Looks up `name` or `parent|sub` as COMMAND INFO/DOCS accept them. */
function findSpec(context: CommandContext, name: string): { spec: CommandSpec; fullName: string } | null {
  const commands = clientOf(context).server.commands;
  const [parentName, subName] = name.split('|');
  const parent = commands.lookup(parentName);
  if (parent === undefined) return null;
  if (subName === undefined) return { spec: parent, fullName: parent.name };
  const sub = commands.lookupSubcommand(parent, subName);
  return sub === undefined ? null : { spec: sub, fullName: commands.fullNameOf(sub) };
}

function commandInfoCommand(context: CommandContext, argv: readonly Buffer[]): void {
  if (argv.length === 2) {
    commandCommand(context);
    return;
  }
  context.reply.arrayHeader(argv.length - 2);
  for (let index = 2; index < argv.length; index++) {
    const found = findSpec(context, argv[index].toString('latin1'));
    if (found === null) context.reply.nullBulk(); // Redis's addReplyNull: $-1 in RESP2
    else writeCommandInfo(context, found.spec, found.fullName);
  }
}

function commandDocsCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const specs: { spec: CommandSpec; fullName: string }[] = [];
  if (argv.length === 2) {
    for (const spec of clientOf(context).server.commands.specs) specs.push({ spec, fullName: spec.name });
  } else {
    for (let index = 2; index < argv.length; index++) {
      const found = findSpec(context, argv[index].toString('latin1'));
      if (found !== null) specs.push(found);
    }
  }
  context.reply.mapHeader(specs.length);
  for (const { spec, fullName } of specs) {
    context.reply.bulk(fullName.toLowerCase());
    writeCommandDocs(context, spec);
  }
}

function commandListCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const specs = clientOf(context).server.commands.specs;
  let names: string[] = [];
  for (const spec of specs) {
    names.push(spec.name.toLowerCase());
    for (const sub of spec.subcommands ?? []) names.push(`${spec.name}|${shortNameOf(sub)}`.toLowerCase());
  }
  if (argv.length > 2) {
    if (argv.length !== 5 || argv[2].toString('latin1').toLowerCase() !== 'filterby') {
      context.reply.error(SYNTAX_ERROR);
      return;
    }
    const kind = argv[3].toString('latin1').toLowerCase();
    const value = argv[4];
    if (kind === 'pattern') names = names.filter((name) => globMatch(value, Buffer.from(name), true));
    else if (kind === 'module') names = [];
    else if (kind === 'aclcat') {
      const category = `@${value.toString('latin1').toLowerCase()}`;
      names = specs.filter((spec) => aclCategories(spec).includes(category)).map((spec) => spec.name.toLowerCase());
    } else {
      context.reply.error(SYNTAX_ERROR);
      return;
    }
  }
  context.reply.arrayHeader(names.length);
  for (const name of names) context.reply.bulk(name);
}

function commandGetkeysCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const found = findSpec(context, argv[2].toString('latin1'));
  const commandArgv = argv.slice(2);
  if (found === null) {
    context.reply.error('ERR Invalid command specified');
    return;
  }
  const { spec } = found;
  const isArityOk = spec.arity >= 0 ? commandArgv.length === spec.arity : commandArgv.length >= -spec.arity;
  if (!isArityOk) {
    context.reply.error('ERR Invalid number of arguments specified for command');
    return;
  }
  if (spec.firstKey === 0) {
    context.reply.error('ERR The command has no key arguments');
    return;
  }
  const last = spec.lastKey < 0 ? commandArgv.length + spec.lastKey : spec.lastKey;
  const keys: Buffer[] = [];
  for (let index = spec.firstKey; index <= last && index < commandArgv.length; index += Math.max(1, spec.keyStep)) keys.push(commandArgv[index]);
  context.reply.arrayHeader(keys.length);
  for (const key of keys) context.reply.bulk(key);
}

const COMMAND_HELP_LINES = [
  'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  '(no subcommand)',
  "    Return details about all Redis commands.",
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'HELP',
  '    Print this help.',
];

// ---- DEBUG --------------------------------------------------------------------------------------

const DEBUG_HELP_LINES = [
  'DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'RELOAD',
  '    Save the snapshot on disk and reload it back, checking it holds the dataset in memory.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not accessed.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'HELP',
  '    Print this help.',
];

/** Redis's replies to DEBUG RELOAD: a failed save is a bare ERR (shared.err), then the load. */
const DEBUG_RELOAD_SAVE_FAILED_ERROR = 'ERR';
const DEBUG_RELOAD_LOAD_FAILED_ERROR = 'ERR Error trying to load the RDB dump';
const DEBUG_RELOAD_OPTIONS_ERROR = 'ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.';
/** Redis's options that would load a file other than the dataset in memory: not implemented. */
const DEBUG_RELOAD_UNSUPPORTED_OPTIONS = new Set(['merge', 'noflush', 'nosave']);
const DEBUG_RELOAD_NO_SNAPSHOTS_ERROR = 'ERR snapshots are not available on this server';
const DEBUG_RELOAD_BGSAVE_IN_PROGRESS_ERROR = 'ERR Background save already in progress';

function isDebugAllowed(client: Client): boolean {
  const mode = client.server.config.values.enableDebugCommand;
  return mode === 'yes' || (mode === 'local' && client.isLoopback);
}

/** Blocks the event loop, as Redis's DEBUG SLEEP blocks the server. */
function sleepSynchronously(durationMs: number): void {
  if (durationMs <= 0) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, durationMs);
}

function debugCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const client = clientOf(context);
  if (!isDebugAllowed(client)) {
    context.reply.error(DEBUG_NOT_ALLOWED_ERROR);
    return;
  }
  const subcommand = argv[1].toString('latin1').toLowerCase();
  if (subcommand === 'help' && argv.length === 2) {
    writeHelp(context, DEBUG_HELP_LINES);
  } else if (subcommand === 'sleep' && argv.length === 3) {
    const seconds = Number(argv[2].toString('latin1'));
    if (!Number.isFinite(seconds) || argv[2].length === 0) {
      context.reply.error(NOT_FLOAT_ERROR);
      return;
    }
    sleepSynchronously(Math.min(DEBUG_SLEEP_MS_MAX, seconds * 1000));
    context.reply.simple('OK');
  } else if (subcommand === 'digest' && argv.length === 2) {
    context.reply.simple(context.store.digest());
  } else if (subcommand === 'digest-value' && argv.length >= 2) {
    context.reply.arrayHeader(argv.length - 2);
    for (let index = 2; index < argv.length; index++) context.reply.simple(context.store.digestValue(context.db, argv[index]));
  } else if (subcommand === 'reload') {
    debugReload(context, argv);
  } else if (subcommand === 'set-active-expire' && argv.length === 3) {
    client.server.isActiveExpireEnabled = argv[2].toString('latin1') !== '0';
    context.reply.simple('OK');
  } else {
    context.reply.error(subcommandSyntaxError('DEBUG', argv[1].toString('latin1')));
  }
}

/**
 * DEBUG RELOAD: SAVE, then load the file back through the start-up loader (every check of a
 * start-up load) and compare the loaded heap with the live one page for page. Equal pages are
 * the same dataset, so the server goes on serving the pages it has: swapping in the loaded heap
 * would change nothing a client can see, and the store is shared by every client and WATCH.
 * A failed save or load, or a difference, is an error reply; the dataset is never touched.
 * NOSAVE (reload a file that may differ from memory) would need that swap, so it is refused.
 */
function debugReload(context: CommandContext, argv: readonly Buffer[]): void {
  const server = clientOf(context).server;
  for (const option of argv.slice(2)) {
    const name = option.toString('latin1').toLowerCase();
    if (!DEBUG_RELOAD_UNSUPPORTED_OPTIONS.has(name)) {
      context.reply.error(DEBUG_RELOAD_OPTIONS_ERROR);
      return;
    }
    context.reply.error(`ERR DEBUG RELOAD ${name.toUpperCase()} is not supported by this server`);
    return;
  }
  const snapshots = server.snapshots;
  if (snapshots === null) {
    context.reply.error(DEBUG_RELOAD_NO_SNAPSHOTS_ERROR);
    return;
  }
  const saved = snapshots.save();
  switch (saved.status) {
    case 'ok':
      break;
    case 'alreadyInProgress':
      context.reply.error(DEBUG_RELOAD_BGSAVE_IN_PROGRESS_ERROR);
      return;
    case 'failed':
      server.logger.warning(`DEBUG RELOAD: save failed: ${saved.message}`);
      context.reply.error(DEBUG_RELOAD_SAVE_FAILED_ERROR);
      return;
  }
  const heap = context.store.heap;
  const loaded = loadSnapshotHeap(snapshots.snapshotPath(), { heapOptions: { maxMemoryBytes: 0 } });
  if (loaded.status !== 'ok') {
    server.logger.warning(`DEBUG RELOAD: ${loaded.status === 'invalid' ? loaded.message : 'the file just saved is missing'}`);
    context.reply.error(DEBUG_RELOAD_LOAD_FAILED_ERROR);
    return;
  }
  const differentPage = firstDifferentPage(heap, loaded.heap);
  if (differentPage !== null) {
    server.logger.warning(`DEBUG RELOAD: the file loaded back differs from memory at page ${differentPage}`);
    context.reply.error(DEBUG_RELOAD_LOAD_FAILED_ERROR);
    return;
  }
  server.logger.warning('DB reloaded by DEBUG RELOAD');
  context.reply.simple('OK');
}

// ---- SHUTDOWN -----------------------------------------------------------------------------------

function shutdownCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const client = clientOf(context);
  let saveMode: ShutdownSaveMode = 'default';
  for (let index = 1; index < argv.length; index++) {
    const option = argv[index].toString('latin1').toLowerCase();
    if (option === 'nosave') saveMode = 'nosave';
    else if (option === 'save') saveMode = 'save';
    else if (option === 'now' || option === 'force') continue;
    else if (option === 'abort') {
      context.reply.error('ERR No shutdown in progress.');
      return;
    } else {
      context.reply.error(SYNTAX_ERROR);
      return;
    }
  }
  const server = client.server;
  // Like Redis, nothing else runs while the server prepares to exit (the save hook).
  server.pause('all', Number.MAX_SAFE_INTEGER);
  server.shutdown({ saveMode, reason: 'command' }).then((failure) => {
    if (failure === null) return;
    server.unpause();
    client.reply.error(SHUTDOWN_FAILED_ERROR);
    client.flush();
  }, (error: unknown) => {
    server.logger.warning(`SHUTDOWN failed: ${(error as Error)?.stack ?? String(error)}`);
    server.unpause();
    client.reply.error(SHUTDOWN_FAILED_ERROR);
    client.flush();
  });
}

// ---- the table ----------------------------------------------------------------------------------

const CONFIG_SUBCOMMANDS: readonly CommandSpec[] = [
  defineCommand({ name: 'GET', arity: -3, flags: ['admin', 'noscript', 'loading', 'stale'], group: 'server', summary: 'Returns the effective values of configuration parameters.', run: configGetCommand }),
  defineCommand({ name: 'SET', arity: -4, flags: ['admin', 'noscript', 'loading', 'stale'], group: 'server', summary: 'Sets configuration parameters in-flight.', run: configSetCommand }),
  defineCommand({ name: 'RESETSTAT', arity: 2, flags: ['admin', 'noscript', 'loading', 'stale'], group: 'server', summary: 'Resets the server\'s statistics.', run: configResetstatCommand }),
  defineCommand({ name: 'REWRITE', arity: 2, flags: ['admin', 'noscript', 'loading', 'stale'], group: 'server', summary: 'Persists the effective configuration to file.', run: configRewriteCommand }),
  defineCommand({ name: 'HELP', arity: 2, flags: ['loading', 'stale'], group: 'server', summary: 'Returns helpful text about the different subcommands.', run: (context) => writeHelp(context, CONFIG_HELP_LINES) }),
];

const COMMAND_SUBCOMMANDS: readonly CommandSpec[] = [
  defineCommand({ name: 'COUNT', arity: 2, flags: ['loading', 'stale'], group: 'server', summary: 'Returns a count of commands.', run: commandCountCommand }),
  defineCommand({ name: 'INFO', arity: -2, flags: ['loading', 'stale'], group: 'server', summary: 'Returns information about one, multiple or all commands.', run: commandInfoCommand }),
  defineCommand({ name: 'DOCS', arity: -2, flags: ['loading', 'stale'], group: 'server', summary: 'Returns documentary information about one, multiple or all commands.', run: commandDocsCommand }),
  defineCommand({ name: 'LIST', arity: -2, flags: ['loading', 'stale'], group: 'server', summary: 'Returns a list of command names.', run: commandListCommand }),
  defineCommand({ name: 'GETKEYS', arity: -3, flags: ['loading', 'stale'], group: 'server', summary: 'Extracts the key names from an arbitrary command.', run: commandGetkeysCommand }),
  defineCommand({ name: 'HELP', arity: 2, flags: ['loading', 'stale'], group: 'server', summary: 'Returns helpful text about the different subcommands.', run: (context) => writeHelp(context, COMMAND_HELP_LINES) }),
];

const group = 'server';
export const SERVER_COMMANDS: readonly CommandSpec[] = [
  defineCommand({ name: 'TIME', arity: 1, flags: ['loading', 'stale', 'fast'], group, summary: 'Returns the server time.', run: timeCommand }),
  defineCommand({ name: 'LASTSAVE', arity: 1, flags: ['loading', 'stale', 'fast'], group, summary: 'Returns the Unix timestamp of the last successful save to disk.', run: lastsaveCommand }),
  defineCommand({ name: 'ROLE', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast'], group, summary: 'Returns the replication role.', run: roleCommand }),
  defineCommand({ name: 'WAIT', arity: 3, flags: ['noscript'], group: 'generic', summary: 'Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.', run: waitCommand }),
  defineCommand({ name: 'INFO', arity: -1, flags: ['loading', 'stale'], group, summary: 'Returns information and statistics about the server.', run: infoCommand }),
  defineCommand({ name: 'CONFIG', arity: -2, flags: [], group, summary: 'A container for server configuration commands.', run: containerCommand(), subcommands: CONFIG_SUBCOMMANDS }),
  defineCommand({ name: 'COMMAND', arity: -1, flags: ['loading', 'stale'], group, summary: 'Returns detailed information about all commands.', run: commandCommand, subcommands: COMMAND_SUBCOMMANDS }),
  defineCommand({ name: 'DEBUG', arity: -2, flags: ['admin', 'noscript', 'loading', 'stale'], group, summary: 'A container for debugging commands.', run: debugCommand }),
  defineCommand({ name: 'SHUTDOWN', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'], group, summary: 'Synchronously saves the database(s) to disk and shuts down the Redis server.', run: shutdownCommand }),
];
