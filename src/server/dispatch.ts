/**
 * Command dispatch: from an argv to a handler call, with every check Redis's processCommand
 * makes, in Redis's order, and Redis's texts:
 *   lookup (case-insensitive; subcommands of container commands) → arity → NOAUTH →
 *   no_multi inside MULTI → OOM for denyoom commands (any queued command while in MULTI) →
 *   MISCONF (writes after a failed background save) → RESP2 pub/sub context → MULTI queueing →
 *   CLIENT PAUSE (postpone) → call.
 * A refused command inside MULTI flags the transaction so EXEC answers EXECABORT.
 *
 * Hot path (measured with bench/server-throughput.ts and --cpu-prof under redis-benchmark -P 16):
 * - The command name is looked up from its bytes, without converting them to a string: a Map
 *   keyed by an ASCII-case-folded FNV-1a hash of the name, confirmed by a byte compare. (The
 *   latin1 string + toLowerCase it replaces was ~2% of server CPU for GET/SET.)
 * - Everything dispatch asks about a command (flags, parent name, full name, its lower-case form
 *   for CLIENT LIST, its counters) is computed once per command in a CommandInfo when the
 *   command is added, so a dispatch makes no Array.includes scans, no Set lookups and no string
 *   allocation.
 * - Arguments arrive as CommandArgs (offsets into the read buffer); argv arrays are built only
 *   when something needs them (a handler without `runInPlace`, MULTI queueing, CLIENT PAUSE,
 *   MONITOR, an error that echoes arguments).
 * Invariants: exactly one reply per dispatched command (or none when postponed / queued
 * replies +QUEUED); a handler that throws gets `-ERR internal error` (its partial output is
 * dropped) and a log line; an AssertionError is a bug: reported to the server, which exits.
 * Not here: parsing (resp/), the handlers (commands/), per-client state (connection.ts).
 */

import { AssertionError } from 'node:assert';
import { performance } from 'node:perf_hooks';
import { ArgvArgs, copyArgv } from './command-types.js';
import type { CommandArgs, CommandSpec } from './command-types.js';
import type { Client } from './connection.js';
import type { Server } from './server.js';
import {
  INTERNAL_ERROR,
  MISCONF_ERROR,
  NOAUTH_ERROR,
  OOM_ERROR,
  pubsubContextError,
  unknownCommandError,
  unknownSubcommandError,
  wrongArityError,
  NOT_ALLOWED_IN_MULTI_ERROR,
} from './errors.js';

/** Redis truncates names and echoed arguments in "unknown command" replies to 128 bytes. */
export const UNKNOWN_COMMAND_ECHO_BYTES_MAX = 128;

export type DispatchOutcome = 'done' | 'postponed';

/** Per-command counters (INFO commandstats). */
export interface CommandStats {
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
}

/** Commands MULTI does not queue (Redis: EXEC, DISCARD, MULTI, WATCH, QUIT, RESET). */
const NOT_QUEUED = new Set(['EXEC', 'DISCARD', 'MULTI', 'WATCH', 'QUIT', 'RESET']);
/** Commands allowed in a RESP2 subscriber context. */
const PUBSUB_CONTEXT_ALLOWED = new Set([
  'PING', 'SUBSCRIBE', 'SSUBSCRIBE', 'UNSUBSCRIBE', 'SUNSUBSCRIBE', 'PSUBSCRIBE', 'PUNSUBSCRIBE', 'QUIT', 'RESET',
]);
/** Commands never refused for OOM even inside MULTI. */
const NEVER_OOM_IN_MULTI = new Set(['EXEC', 'DISCARD', 'QUIT', 'RESET']);

/** What dispatch needs to know about one command, computed once when it is added. */
export interface CommandInfo {
  readonly spec: CommandSpec;
  /** The top-level name (CONFIG for CONFIG GET): the name Redis's checks go by. */
  readonly name: string;
  /** Redis's fullname: 'CONFIG|GET' for a subcommand, else the name. */
  readonly fullName: string;
  /** fullName in lower case (CLIENT LIST `cmd=`). */
  readonly fullNameLower: string;
  readonly isNoAuth: boolean;
  readonly isNoMulti: boolean;
  readonly isDenyOom: boolean;
  /** A write command, or PING (Redis refuses both under MISCONF). */
  readonly isRefusedOnMisconf: boolean;
  readonly isNeverOomInMulti: boolean;
  readonly isAllowedInPubsubContext: boolean;
  readonly isQueuedInMulti: boolean;
  readonly stats: CommandStats;
}

/** 32-bit FNV-1a of bytes [start, end) with ASCII letters folded to lower case. */
function foldedNameHash(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let hash = 0x811c9dc5;
  for (let index = start; index < end; index++) {
    let byte = bytes[index];
    if (byte >= 0x41 && byte <= 0x5a) byte |= 0x20;
    hash = Math.imul(hash ^ byte, 0x01000193);
  }
  return hash >>> 0;
}

/** Whether bytes [start, start + lower.length) spell `lower` (lower-case ASCII) ignoring case. */
function equalsFolded(bytes: Uint8Array, start: number, lower: Uint8Array): boolean {
  for (let index = 0; index < lower.length; index++) {
    let byte = bytes[start + index];
    if (byte >= 0x41 && byte <= 0x5a) byte |= 0x20;
    if (byte !== lower[index]) return false;
  }
  return true;
}

/** A top-level command as the byte lookup sees it. */
interface NameEntry {
  readonly nameLower: Buffer;
  readonly info: CommandInfo;
}

/** The command table: lookup by name bytes, counters per command. */
export class CommandTable {
  readonly #byName = new Map<string, CommandSpec>();
  /** foldedNameHash(name) → the commands with that hash (almost always one). */
  readonly #byNameHash = new Map<number, NameEntry[]>();
  readonly #infos = new Map<CommandSpec, CommandInfo>();
  #nameBytesMax = 0;
  /** The entry lookupInfoAt found last (cleared when a command is added or replaced). */
  #lastFound: NameEntry | null = null;
  readonly #subcommands = new Map<CommandSpec, Map<string, CommandSpec>>();
  readonly #stats = new Map<CommandSpec, CommandStats>();
  readonly #parents = new Map<CommandSpec, CommandSpec>();
  readonly #specs: CommandSpec[] = [];

  constructor(specs: readonly CommandSpec[]) {
    for (const spec of specs) this.add(spec);
  }

  /** Adds a command (e.g. a family registered at start-up by another layer). */
  add(spec: CommandSpec): void {
    const lower = spec.name.toLowerCase();
    const previous = this.#byName.get(lower);
    if (previous !== undefined) this.#specs.splice(this.#specs.indexOf(previous), 1);
    this.#specs.push(spec);
    this.#byName.set(lower, spec);
    this.#byName.set(spec.name.toUpperCase(), spec);
    this.#stats.set(spec, { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0 });
    if (spec.subcommands !== undefined) {
      const subcommands = new Map<string, CommandSpec>();
      for (const subcommand of spec.subcommands) {
        subcommands.set(shortNameOf(subcommand).toLowerCase(), subcommand);
        this.#parents.set(subcommand, spec);
        this.#stats.set(subcommand, { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0 });
        this.#infos.set(subcommand, this.#buildInfo(subcommand, spec));
      }
      this.#subcommands.set(spec, subcommands);
    }
    const info = this.#buildInfo(spec, undefined);
    this.#infos.set(spec, info);
    this.#addNameEntry(Buffer.from(lower, 'latin1'), info);
  }

  #addNameEntry(nameLower: Buffer, info: CommandInfo): void {
    this.#lastFound = null;
    const hash = foldedNameHash(nameLower);
    const entries = (this.#byNameHash.get(hash) ?? []).filter((entry) => !entry.nameLower.equals(nameLower));
    entries.push({ nameLower, info });
    this.#byNameHash.set(hash, entries);
    this.#nameBytesMax = Math.max(this.#nameBytesMax, nameLower.length);
  }

  #buildInfo(spec: CommandSpec, parent: CommandSpec | undefined): CommandInfo {
    const name = parent === undefined ? spec.name : parent.name;
    const fullName = parent === undefined ? spec.name : `${parent.name}|${shortNameOf(spec)}`;
    const flags = spec.flags;
    return {
      spec,
      name,
      fullName,
      fullNameLower: fullName.toLowerCase(),
      isNoAuth: flags.includes('no_auth'),
      isNoMulti: flags.includes('no_multi'),
      isDenyOom: flags.includes('denyoom'),
      isRefusedOnMisconf: flags.includes('write') || name === 'PING',
      isNeverOomInMulti: NEVER_OOM_IN_MULTI.has(name),
      isAllowedInPubsubContext: PUBSUB_CONTEXT_ALLOWED.has(name),
      isQueuedInMulti: !NOT_QUEUED.has(name),
      stats: this.#stats.get(spec)!,
    };
  }

  /** What dispatch needs about `spec` (built on first use for a spec not in the table). */
  infoOf(spec: CommandSpec): CommandInfo {
    let info = this.#infos.get(spec);
    if (info === undefined) {
      this.statsOf(spec);
      info = this.#buildInfo(spec, this.#parents.get(spec));
      this.#infos.set(spec, info);
    }
    return info;
  }

  /** The top-level command named by `name` (any ASCII case), without allocating. */
  lookupInfo(name: Uint8Array): CommandInfo | undefined {
    return this.lookupInfoAt(name, 0, name.length);
  }

  /** lookupInfo for the name in bytes [offset, offset + length). */
  lookupInfoAt(bytes: Uint8Array, offset: number, length: number): CommandInfo | undefined {
    // A pipeline mostly repeats one command: the last name found is tried first.
    const last = this.#lastFound;
    if (last !== null && last.nameLower.length === length && equalsFolded(bytes, offset, last.nameLower)) return last.info;
    if (length > this.#nameBytesMax) return undefined;
    const entries = this.#byNameHash.get(foldedNameHash(bytes, offset, offset + length));
    if (entries === undefined) return undefined;
    for (let index = 0; index < entries.length; index++) {
      const entry = entries[index];
      if (entry.nameLower.length === length && equalsFolded(bytes, offset, entry.nameLower)) {
        this.#lastFound = entry;
        return entry.info;
      }
    }
    return undefined;
  }

  /** Every top-level command, in registration order. */
  get specs(): readonly CommandSpec[] {
    return this.#specs;
  }

  lookup(name: Buffer | string): CommandSpec | undefined {
    if (typeof name !== 'string') return this.lookupInfo(name)?.spec;
    return this.#byName.get(name) ?? this.#byName.get(name.toLowerCase());
  }

  lookupSubcommand(parent: CommandSpec, name: Buffer | string): CommandSpec | undefined {
    const text = typeof name === 'string' ? name : name.toString('latin1');
    return this.#subcommands.get(parent)?.get(text.toLowerCase());
  }

  /** Redis's fullname: 'CONFIG|GET' for a subcommand, the name for a command. */
  fullNameOf(spec: CommandSpec): string {
    const parent = this.#parents.get(spec);
    return parent === undefined ? spec.name : `${parent.name}|${shortNameOf(spec)}`;
  }

  /** The container command of a subcommand (CONFIG for CONFIG GET), else undefined. */
  parentOf(spec: CommandSpec): CommandSpec | undefined {
    return this.#parents.get(spec);
  }

  statsOf(spec: CommandSpec): CommandStats {
    let stats = this.#stats.get(spec);
    if (stats === undefined) {
      stats = { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0 };
      this.#stats.set(spec, stats);
    }
    return stats;
  }

  /** [full name ('config|get'), stats] of every command that was called or rejected. */
  usedStats(): [string, CommandStats][] {
    const used: [string, CommandStats][] = [];
    for (const spec of this.#specs) {
      const stats = this.statsOf(spec);
      if (stats.calls + stats.rejectedCalls + stats.failedCalls > 0) used.push([spec.name.toLowerCase(), stats]);
      for (const subcommand of spec.subcommands ?? []) {
        const subStats = this.statsOf(subcommand);
        if (subStats.calls + subStats.rejectedCalls + subStats.failedCalls > 0) {
          used.push([this.fullNameOf(subcommand).toLowerCase(), subStats]);
        }
      }
    }
    return used;
  }

  resetStats(): void {
    for (const stats of this.#stats.values()) {
      stats.calls = 0;
      stats.usec = 0;
      stats.rejectedCalls = 0;
      stats.failedCalls = 0;
    }
  }
}

/** A subcommand's own name: row names may be 'GET' or Redis's full 'CONFIG|GET'. */
export function shortNameOf(spec: CommandSpec): string {
  const bar = spec.name.lastIndexOf('|');
  return bar === -1 ? spec.name : spec.name.slice(bar + 1);
}

/** `'a' 'b' ` budgeted to 128 bytes, as Redis echoes the arguments of an unknown command. */
function echoedArguments(argv: readonly Buffer[]): string[] {
  const echoed: string[] = [];
  let usedBytes = 0;
  for (let index = 1; index < argv.length && usedBytes < UNKNOWN_COMMAND_ECHO_BYTES_MAX; index++) {
    const text = argv[index].subarray(0, UNKNOWN_COMMAND_ECHO_BYTES_MAX - usedBytes).toString('latin1');
    echoed.push(text);
    usedBytes += text.length + 3;
  }
  return echoed;
}

/** Resolves the arguments to the command to run, or writes the refusal and returns null. */
function resolveCommand(server: Server, client: Client, args: CommandArgs): CommandInfo | null {
  const info = server.commands.lookupInfoAt(args.bytesOf(0), args.offsetOf(0), args.lengthOf(0));
  const argc = args.count;
  if (info === undefined) {
    const argv = args.argv();
    const name = argv[0].subarray(0, UNKNOWN_COMMAND_ECHO_BYTES_MAX).toString('latin1');
    rejectCommand(client, unknownCommandError(name, echoedArguments(argv)));
    return null;
  }
  // Redis's lookupCommand: a container called without a subcommand runs its own handler
  // (COMMAND) or fails its own arity check (CONFIG).
  const spec = info.spec;
  if (spec.subcommands === undefined || spec.subcommands.length === 0 || argc === 1) {
    if (!hasValidArity(spec.arity, argc)) {
      rejectCommand(client, wrongArityError(spec.name), server, spec);
      return null;
    }
    return info;
  }
  const argv = args.argv();
  const subcommand = server.commands.lookupSubcommand(spec, argv[1]);
  if (subcommand === undefined) {
    const name = argv[1].subarray(0, UNKNOWN_COMMAND_ECHO_BYTES_MAX).toString('latin1');
    rejectCommand(client, unknownSubcommandError(spec.name, name), server, spec);
    return null;
  }
  if (!hasValidArity(subcommand.arity, argc)) {
    rejectCommand(client, wrongArityError(server.commands.fullNameOf(subcommand)), server, subcommand);
    return null;
  }
  return server.commands.infoOf(subcommand);
}

function hasValidArity(arity: number, argc: number): boolean {
  return arity >= 0 ? argc === arity : argc >= -arity;
}

/** Redis's rejectCommand: error reply, transaction flagged, rejected call counted. */
function rejectCommand(client: Client, text: string, server?: Server, spec?: CommandSpec): void {
  if (client.isInMulti) client.isExecAborted = true;
  if (server !== undefined && spec !== undefined) server.commands.statsOf(spec).rejectedCalls++;
  client.server.stats.rejectedCalls++;
  client.reply.error(text);
}

/**
 * Runs one command for `client`: every check, then the handler (or MULTI queueing). On
 * 'postponed' the caller keeps a copy of the arguments (copyArgv) to run later.
 */
export function dispatchCommand(server: Server, client: Client, args: CommandArgs): DispatchOutcome {
  const nowMs = Date.now();
  client.nowMs = nowMs;
  client.lastInteractionMs = nowMs;
  const info = resolveCommand(server, client, args);
  if (info === null) return 'done';
  const spec = info.spec;

  if (!client.isAuthenticated && !info.isNoAuth) {
    rejectCommand(client, NOAUTH_ERROR, server, spec);
    return 'done';
  }
  if (client.isInMulti && info.isNoMulti) {
    rejectCommand(client, NOT_ALLOWED_IN_MULTI_ERROR, server, spec);
    return 'done';
  }
  const isDenyOom = info.isDenyOom || (client.isInMulti && !info.isNeverOomInMulti);
  if (isDenyOom && server.isOverMaxmemory()) {
    rejectCommand(client, OOM_ERROR, server, spec);
    return 'done';
  }
  if (info.isRefusedOnMisconf && server.isWriteRefusedForPersistence()) {
    rejectCommand(client, MISCONF_ERROR, server, spec);
    return 'done';
  }
  if (client.reply.protocol === 2 && client.subscriptionCount > 0 && !info.isAllowedInPubsubContext) {
    rejectCommand(client, pubsubContextError(info.fullName), server, spec);
    return 'done';
  }
  if (server.isPausedFor(client, spec)) return 'postponed';
  if (client.isInMulti && info.isQueuedInMulti) {
    client.multiQueue!.push(copyArgv(args));
    client.reply.simple('QUEUED');
    return 'done';
  }
  client.lastCommandName = info.fullNameLower;
  callCommandWith(server, client, info, args);
  return 'done';
}

/**
 * Calls a handler with Redis's call() bookkeeping: timing and counters, reply suppression
 * (CLIENT REPLY OFF/SKIP), and the last line of defence against a throwing handler.
 * Used by dispatch and by EXEC for queued commands.
 */
export function callCommand(server: Server, client: Client, spec: CommandSpec, argv: Buffer[]): void {
  callCommandWith(server, client, server.commands.infoOf(spec), new ArgvArgs(argv));
}

/** callCommand over CommandArgs: the in-place handler when the spec has one and takes the call. */
function callCommandWith(server: Server, client: Client, info: CommandInfo, args: CommandArgs): void {
  const spec = info.spec;
  const reply = client.reply;
  const mark = reply.length;
  const isSkipped = client.isReplySkipNext;
  client.isReplySkipNext = false;
  const startMs = performance.now();
  try {
    const runInPlace = spec.runInPlace;
    if (runInPlace === undefined || !runInPlace(client, args)) spec.run(client, args.argv());
  } catch (error) {
    reply.truncate(mark);
    if (error instanceof AssertionError) {
      server.onBug(error, spec.name);
      reply.error(INTERNAL_ERROR);
      return;
    }
    server.commands.statsOf(spec).failedCalls++;
    server.logger.warning(`Internal error running '${spec.name}' for client ${client.describe()}: ${(error as Error)?.stack ?? String(error)}`);
    reply.error(INTERNAL_ERROR);
    return;
  }
  const stats = info.stats;
  stats.calls++;
  stats.usec += Math.round((performance.now() - startMs) * 1000);
  server.stats.commandsProcessed++;
  if (isSkipped || client.replyMode === 'off') reply.truncate(mark);
  if (server.monitors.size > 0 && !spec.flags.includes('admin') && !spec.flags.includes('skip_monitor')) {
    server.feedMonitors(client, args.argv());
  }
}
