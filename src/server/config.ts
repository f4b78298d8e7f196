/**
 * The server's configuration: one table of parameters used by the CLI, the config file,
 * CONFIG GET/SET/REWRITE and INFO.
 * Why one table: a parameter's name, type, default, bounds, mutability and how it is printed
 * must agree everywhere; Redis keeps the same single table (config.c standardConfig).
 *
 * Names and texts are Redis 7's where a parameter exists in Redis; ours are `page-size` and
 * `snapshot-strategy` (cow, stw, copy). Memory values take redis.conf units (1k=1000, 1kb=1024, m/mb, g/gb,
 * case-insensitive) and are shown in bytes by CONFIG GET, as Redis does.
 *
 * Deliberate differences from Redis's defaults, each because the issue demands it:
 * - client-output-buffer-limit `normal` is `256mb 64mb 60` (Redis: `0 0 0`, unlimited): a
 *   client that never reads its replies must not grow the server's memory without bound.
 * - bind is 127.0.0.1 only; enable-debug-command is `local` (Redis: `no`), so tests and
 *   tools on the same host can use DEBUG.
 * maxmemory: the heap's hard cap is fixed at start-up (the heap cannot grow its limit later);
 * CONFIG SET maxmemory moves the threshold above which dispatch refuses denyoom commands with
 * OOM, so lowering it works at once, while raising it beyond the start-up value does not let
 * the heap hold more.
 * Accepted for compatibility with no behaviour behind them yet: maxmemory-policy values other
 * than noeviction (the store decides what it supports), appendonly (only "no"), rdbcompression,
 * lazyfree-*, activerehashing, maxmemory-samples.
 *
 * Invariants: `values` always holds a fully validated ServerConfig; set() is atomic (all
 * pairs validated first, then applied; if an apply hook refuses, earlier ones are undone).
 */

import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { splitInlineArguments } from './resp/request-parser.js';
import { configSetFailedError, configSetUnknownError } from './errors.js';

// ---- limits ---------------------------------------------------------------------------------

export const PORT_MAX = 65535;
export const PAGE_SIZE_BYTES_CONFIG_MIN = 1024;
export const PAGE_SIZE_BYTES_CONFIG_MAX = 1024 * 1024;
export const PAGE_SIZE_BYTES_DEFAULT = 4096;
export const DATABASES_MAX = 1024;
export const HZ_MIN = 1;
export const HZ_MAX = 500;
/** Most warm-up commands at start-up (warmup-commands); the warm-up also stops after 3 s. */
export const WARMUP_COMMANDS_MAX = 1_000_000;
const INT_MAX = 2_147_483_647;
const LONG_MAX = Number.MAX_SAFE_INTEGER;

// ---- the typed configuration ----------------------------------------------------------------

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning' | 'nothing';
export type { SnapshotStrategyName } from '../snapshot/strategy.js';
import type { SnapshotStrategyName } from '../snapshot/strategy.js';
export type ProtectedConfigMode = 'no' | 'yes' | 'local';

export interface SaveRule {
  readonly seconds: number;
  readonly changes: number;
}

export interface OutputBufferLimit {
  readonly hardBytes: number;
  readonly softBytes: number;
  readonly softSeconds: number;
}

export interface OutputBufferLimits {
  readonly normal: OutputBufferLimit;
  readonly replica: OutputBufferLimit;
  readonly pubsub: OutputBufferLimit;
}

export interface ServerConfig {
  port: number;
  bind: readonly string[];
  dir: string;
  dbfilename: string;
  maxmemoryBytes: number;
  maxmemoryPolicy: string;
  maxmemorySamples: number;
  databases: number;
  requirepass: string;
  save: readonly SaveRule[];
  appendonly: boolean;
  appendfsync: string;
  loglevel: LogLevel;
  logfile: string;
  timeoutSeconds: number;
  tcpKeepaliveSeconds: number;
  maxclients: number;
  protoMaxBulkLenBytes: number;
  clientQueryBufferLimitBytes: number;
  clientOutputBufferLimit: OutputBufferLimits;
  protectedMode: boolean;
  enableProtectedConfigs: ProtectedConfigMode;
  enableDebugCommand: ProtectedConfigMode;
  hz: number;
  stopWritesOnBgsaveError: boolean;
  rdbchecksum: boolean;
  rdbcompression: boolean;
  activerehashing: boolean;
  lazyfreeLazyEviction: boolean;
  lazyfreeLazyExpire: boolean;
  lazyfreeLazyServerDel: boolean;
  lazyfreeLazyUserDel: boolean;
  lazyfreeLazyUserFlush: boolean;
  daemonize: boolean;
  pidfile: string;
  pageSizeBytes: number;
  snapshotStrategy: SnapshotStrategyName;
  warmupCommands: number;
}

type ParseOutcome<T> = { readonly status: 'ok'; readonly value: T } | { readonly status: 'invalid'; readonly reason: string };

/** One row of the table. `parse` gets the parameter's arguments (one string for most). */
export interface ConfigParameter<K extends keyof ServerConfig = keyof ServerConfig> {
  readonly name: string;
  readonly key: K;
  readonly defaultText: string;
  readonly isMutable: boolean;
  /** Settable at run time only with enable-protected-configs (Redis: PROTECTED_CONFIG). */
  readonly isProtected: boolean;
  /** Takes several arguments in a config file line / after a CLI flag (save, bind, ...). */
  readonly isMultiArgument: boolean;
  /** Hidden from the help text and CONFIG GET * (none yet). */
  readonly help: string;
  parse(text: string): ParseOutcome<ServerConfig[K]>;
  format(value: ServerConfig[K]): string;
}

function ok<T>(value: T): ParseOutcome<T> {
  return { status: 'ok', value };
}
function invalid<T>(reason: string): ParseOutcome<T> {
  return { status: 'invalid', reason };
}

// ---- value parsers ---------------------------------------------------------------------------

const MEMORY_UNITS: Record<string, number> = {
  '': 1, b: 1, k: 1000, kb: 1024, m: 1000 * 1000, mb: 1024 * 1024, g: 1000 * 1000 * 1000, gb: 1024 * 1024 * 1024,
};

/** Redis's memtoull: `<digits>[unit]`; null when malformed. */
export function parseMemory(text: string): number | null {
  const match = /^(\d+)([a-z]*)$/i.exec(text.trim());
  if (match === null) return null;
  const multiplier = MEMORY_UNITS[match[2].toLowerCase()];
  if (multiplier === undefined) return null;
  const value = Number(match[1]) * multiplier;
  return Number.isSafeInteger(value) ? value : null;
}

/** Redis's string2ll-style integer (optional leading '-'). */
export function parseInteger(text: string): number | null {
  if (!/^-?\d+$/.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : null;
}

function integerParameter(min: number, max: number): (text: string) => ParseOutcome<number> {
  return (text) => {
    const value = parseInteger(text);
    if (value === null) return invalid("argument couldn't be parsed into an integer");
    if (value < min || value > max) return invalid(`argument must be between ${min} and ${max} inclusive`);
    return ok(value);
  };
}

function memoryParameter(min: number, max: number): (text: string) => ParseOutcome<number> {
  return (text) => {
    const value = parseMemory(text);
    if (value === null) return invalid('argument must be a memory value');
    if (value < min || value > max) return invalid(`argument must be between ${min} and ${max} inclusive`);
    return ok(value);
  };
}

function parseBoolean(text: string): ParseOutcome<boolean> {
  const lowered = text.toLowerCase();
  if (lowered === 'yes') return ok(true);
  if (lowered === 'no') return ok(false);
  return invalid("argument must be 'yes' or 'no'");
}

function enumParameter<T extends string>(values: readonly T[]): (text: string) => ParseOutcome<T> {
  return (text) => {
    const lowered = text.toLowerCase() as T;
    if (values.includes(lowered)) return ok(lowered);
    return invalid(`argument(s) must be one of the following: ${values.join(', ')}`);
  };
}

function formatBoolean(value: boolean): string {
  return value ? 'yes' : 'no';
}

function splitWords(text: string): string[] {
  return text.split(/\s+/).filter((word) => word.length > 0);
}

export function parseSaveRules(text: string): ParseOutcome<readonly SaveRule[]> {
  const words = splitWords(text);
  if (words.length % 2 !== 0) return invalid('Invalid save parameters');
  const rules: SaveRule[] = [];
  for (let index = 0; index < words.length; index += 2) {
    const seconds = parseInteger(words[index]);
    const changes = parseInteger(words[index + 1]);
    if (seconds === null || changes === null || seconds < 1 || changes < 0) return invalid('Invalid save parameters');
    rules.push({ seconds, changes });
  }
  return ok(rules);
}

const OUTPUT_BUFFER_CLASSES: Record<string, keyof OutputBufferLimits> = {
  normal: 'normal', replica: 'replica', slave: 'replica', pubsub: 'pubsub',
};

export const OUTPUT_BUFFER_LIMIT_DEFAULT_TEXT = 'normal 256mb 64mb 60 replica 256mb 64mb 60 pubsub 32mb 8mb 60';

/** Parses `class hard soft seconds ...` onto `base` (classes not named keep their limits). */
export function parseOutputBufferLimits(text: string, base: OutputBufferLimits): ParseOutcome<OutputBufferLimits> {
  const words = splitWords(text);
  if (words.length === 0 || words.length % 4 !== 0) {
    return invalid('Wrong number of arguments in buffer limit configuration.');
  }
  const limits = { ...base };
  for (let index = 0; index < words.length; index += 4) {
    const className = OUTPUT_BUFFER_CLASSES[words[index].toLowerCase()];
    if (className === undefined) return invalid('Invalid client class specified in buffer limit configuration.');
    const hardBytes = parseMemory(words[index + 1]);
    const softBytes = parseMemory(words[index + 2]);
    const softSeconds = parseInteger(words[index + 3]);
    if (hardBytes === null || softBytes === null || softSeconds === null || softSeconds < 0) {
      return invalid('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
    }
    limits[className] = { hardBytes, softBytes, softSeconds };
  }
  return ok(limits);
}

function formatOutputBufferLimits(limits: OutputBufferLimits): string {
  const format = (name: string, limit: OutputBufferLimit): string =>
    `${name} ${limit.hardBytes} ${limit.softBytes} ${limit.softSeconds}`;
  return [format('normal', limits.normal), format('slave', limits.replica), format('pubsub', limits.pubsub)].join(' ');
}

const ZERO_OUTPUT_LIMIT: OutputBufferLimit = { hardBytes: 0, softBytes: 0, softSeconds: 0 };
const ZERO_OUTPUT_LIMITS: OutputBufferLimits = { normal: ZERO_OUTPUT_LIMIT, replica: ZERO_OUTPUT_LIMIT, pubsub: ZERO_OUTPUT_LIMIT };

function parseDirectory(text: string): ParseOutcome<string> {
  const absolute = path.resolve(text);
  try {
    if (!statSync(absolute).isDirectory()) return invalid('No such file or directory');
  } catch {
    return invalid('No such file or directory');
  }
  return ok(absolute);
}

function parseFileName(text: string): ParseOutcome<string> {
  if (text.length === 0 || text.includes('/') || text.includes('\\')) return invalid('dbfilename can\'t be a path, just a filename');
  return ok(text);
}

function parsePageSize(text: string): ParseOutcome<number> {
  const value = parseMemory(text);
  if (value === null) return invalid('argument must be a memory value');
  if (value < PAGE_SIZE_BYTES_CONFIG_MIN || value > PAGE_SIZE_BYTES_CONFIG_MAX || (value & (value - 1)) !== 0) {
    return invalid(`argument must be a power of two between ${PAGE_SIZE_BYTES_CONFIG_MIN} and ${PAGE_SIZE_BYTES_CONFIG_MAX}`);
  }
  return ok(value);
}

// ---- the table ------------------------------------------------------------------------------

interface RowOptions<K extends keyof ServerConfig> {
  readonly name: string;
  readonly key: K;
  readonly defaultText: string;
  readonly isMutable?: boolean;
  readonly isProtected?: boolean;
  readonly isMultiArgument?: boolean;
  readonly help: string;
  readonly parse: (text: string) => ParseOutcome<ServerConfig[K]>;
  readonly format?: (value: ServerConfig[K]) => string;
}

function row<K extends keyof ServerConfig>(options: RowOptions<K>): ConfigParameter<K> {
  return {
    name: options.name,
    key: options.key,
    defaultText: options.defaultText,
    isMutable: options.isMutable ?? true,
    isProtected: options.isProtected ?? false,
    isMultiArgument: options.isMultiArgument ?? false,
    help: options.help,
    parse: options.parse,
    format: options.format ?? ((value) => String(value)),
  };
}

function booleanRow<K extends keyof ServerConfig>(
  name: string, key: K, defaultText: string, help: string, isMutable = true,
): ConfigParameter<K> {
  return row({
    name, key, defaultText, help, isMutable,
    parse: parseBoolean as (text: string) => ParseOutcome<ServerConfig[K]>,
    format: formatBoolean as (value: ServerConfig[K]) => string,
  });
}

const MAXMEMORY_POLICIES = [
  'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl',
  'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction',
] as const;

export const CONFIG_PARAMETERS: readonly ConfigParameter[] = [
  row({ name: 'port', key: 'port', defaultText: '6379', isMutable: false, help: 'TCP port (0 = pick a free one)', parse: integerParameter(0, PORT_MAX) }),
  row({
    name: 'bind', key: 'bind', defaultText: '127.0.0.1', isMutable: false, isMultiArgument: true,
    help: 'addresses to listen on, space separated',
    parse: (text) => {
      const addresses = splitWords(text);
      return addresses.length === 0 ? invalid('Too many bind addresses specified.') : ok(addresses);
    },
    format: (value) => value.join(' '),
  }),
  row({ name: 'dir', key: 'dir', defaultText: '.', isProtected: true, help: 'working directory for snapshots', parse: parseDirectory }),
  row({ name: 'dbfilename', key: 'dbfilename', defaultText: 'dump.snap', isProtected: true, help: 'snapshot file name inside dir', parse: parseFileName }),
  row({ name: 'maxmemory', key: 'maxmemoryBytes', defaultText: '0', help: 'memory limit for data (0 = no limit)', parse: memoryParameter(0, LONG_MAX) }),
  row({
    name: 'maxmemory-policy', key: 'maxmemoryPolicy', defaultText: 'noeviction',
    help: 'what to do at maxmemory (accepted: Redis policies; noeviction enforced)',
    parse: enumParameter(MAXMEMORY_POLICIES),
  }),
  row({ name: 'maxmemory-samples', key: 'maxmemorySamples', defaultText: '5', help: 'keys sampled per eviction', parse: integerParameter(1, 64) }),
  row({ name: 'databases', key: 'databases', defaultText: '16', isMutable: false, help: 'number of databases', parse: integerParameter(1, DATABASES_MAX) }),
  row({ name: 'requirepass', key: 'requirepass', defaultText: '', help: 'password clients must AUTH with', parse: ok }),
  row({
    name: 'save', key: 'save', defaultText: '3600 1 300 100 60 10000', isMultiArgument: true,
    help: 'snapshot rules: "<seconds> <changes> ..." ("" = none)',
    parse: parseSaveRules, format: (rules) => rules.map((rule) => `${rule.seconds} ${rule.changes}`).join(' '),
  }),
  row({
    name: 'appendonly', key: 'appendonly', defaultText: 'no', help: 'append-only file (not supported: only "no")',
    parse: (text) => {
      const parsed = parseBoolean(text);
      if (parsed.status === 'ok' && parsed.value) return invalid('appendonly yes is not supported');
      return parsed;
    },
    format: formatBoolean,
  }),
  row({ name: 'appendfsync', key: 'appendfsync', defaultText: 'everysec', help: 'accepted, no effect', parse: enumParameter(['always', 'everysec', 'no']) }),
  row({ name: 'loglevel', key: 'loglevel', defaultText: 'notice', help: 'debug, verbose, notice, warning, nothing', parse: enumParameter<LogLevel>(['debug', 'verbose', 'notice', 'warning', 'nothing']) }),
  row({ name: 'logfile', key: 'logfile', defaultText: '', isMutable: false, help: 'log file ("" = standard output)', parse: ok }),
  row({ name: 'timeout', key: 'timeoutSeconds', defaultText: '0', help: 'close clients idle this many seconds (0 = never)', parse: integerParameter(0, INT_MAX) }),
  row({ name: 'tcp-keepalive', key: 'tcpKeepaliveSeconds', defaultText: '300', help: 'TCP keepalive seconds (0 = off)', parse: integerParameter(0, INT_MAX) }),
  row({ name: 'maxclients', key: 'maxclients', defaultText: '10000', help: 'most simultaneous clients', parse: integerParameter(1, INT_MAX) }),
  row({ name: 'proto-max-bulk-len', key: 'protoMaxBulkLenBytes', defaultText: '512mb', help: 'longest bulk string a client may send', parse: memoryParameter(1024 * 1024, LONG_MAX) }),
  row({ name: 'client-query-buffer-limit', key: 'clientQueryBufferLimitBytes', defaultText: '1gb', help: 'unparsed input per client before it is closed', parse: memoryParameter(1024 * 1024, LONG_MAX) }),
  row({
    name: 'client-output-buffer-limit', key: 'clientOutputBufferLimit', defaultText: OUTPUT_BUFFER_LIMIT_DEFAULT_TEXT,
    isMultiArgument: true, help: 'per class: <class> <hard> <soft> <soft-seconds> (normal 256mb 64mb 60 by default)',
    parse: (text) => parseOutputBufferLimits(text, ZERO_OUTPUT_LIMITS), format: formatOutputBufferLimits,
  }),
  booleanRow('protected-mode', 'protectedMode', 'yes', 'without requirepass, refuse non-loopback clients'),
  row({ name: 'enable-protected-configs', key: 'enableProtectedConfigs', defaultText: 'no', isMutable: false, help: 'allow CONFIG SET of dir/dbfilename: no, yes, local', parse: enumParameter<ProtectedConfigMode>(['no', 'yes', 'local']) }),
  row({ name: 'enable-debug-command', key: 'enableDebugCommand', defaultText: 'local', isMutable: false, help: 'allow DEBUG: no, yes, local', parse: enumParameter<ProtectedConfigMode>(['no', 'yes', 'local']) }),
  row({ name: 'hz', key: 'hz', defaultText: '10', help: 'background task frequency (expiry cycle)', parse: integerParameter(HZ_MIN, HZ_MAX) }),
  booleanRow('stop-writes-on-bgsave-error', 'stopWritesOnBgsaveError', 'yes', 'refuse writes after a failed background save'),
  booleanRow('rdbchecksum', 'rdbchecksum', 'yes', 'checksum snapshots', false),
  booleanRow('rdbcompression', 'rdbcompression', 'yes', 'accepted, no effect'),
  booleanRow('activerehashing', 'activerehashing', 'yes', 'incremental rehash in idle time'),
  booleanRow('lazyfree-lazy-eviction', 'lazyfreeLazyEviction', 'no', 'accepted, no effect'),
  booleanRow('lazyfree-lazy-expire', 'lazyfreeLazyExpire', 'no', 'accepted, no effect'),
  booleanRow('lazyfree-lazy-server-del', 'lazyfreeLazyServerDel', 'no', 'accepted, no effect'),
  booleanRow('lazyfree-lazy-user-del', 'lazyfreeLazyUserDel', 'no', 'accepted, no effect'),
  booleanRow('lazyfree-lazy-user-flush', 'lazyfreeLazyUserFlush', 'no', 'accepted, no effect'),
  row({
    name: 'daemonize', key: 'daemonize', defaultText: 'no', isMutable: false, help: 'not supported: only "no"',
    parse: (text) => {
      const parsed = parseBoolean(text);
      if (parsed.status === 'ok' && parsed.value) return invalid('daemonize yes is not supported');
      return parsed;
    },
    format: formatBoolean,
  }),
  row({ name: 'pidfile', key: 'pidfile', defaultText: '', isMutable: false, help: 'write the process id here', parse: ok }),
  row({ name: 'page-size', key: 'pageSizeBytes', defaultText: '4kb', isMutable: false, help: 'heap page size, power of two 1kb..1mb', parse: parsePageSize }),
  row({ name: 'warmup-commands', key: 'warmupCommands', defaultText: '0', isMutable: false, help: 'commands run through a throwaway server at start-up so the first clients meet compiled code (0 = off)', parse: integerParameter(0, WARMUP_COMMANDS_MAX) }),
  row({ name: 'snapshot-strategy', key: 'snapshotStrategy', defaultText: 'cow', help: 'BGSAVE strategy: cow (worker + copy-on-write), stw (stop the world), copy (full copy, then worker)', parse: enumParameter<SnapshotStrategyName>(['cow', 'stw', 'copy']) }),
] as readonly ConfigParameter[];

const PARAMETERS_BY_NAME = new Map(CONFIG_PARAMETERS.map((parameter) => [parameter.name, parameter]));

/** The parameter called `name` (case-insensitive), if any. */
export function findConfigParameter(name: string): ConfigParameter | undefined {
  return PARAMETERS_BY_NAME.get(name.toLowerCase());
}

/** A ServerConfig with every default. */
export function defaultServerConfig(): ServerConfig {
  const values = {} as Record<string, unknown>;
  for (const parameter of CONFIG_PARAMETERS) {
    const parsed = parameter.parse(parameter.defaultText);
    if (parsed.status !== 'ok') throw new Error(`Default of ${parameter.name} is invalid: ${parsed.reason}`);
    values[parameter.key] = parsed.value;
  }
  return values as unknown as ServerConfig;
}

// ---- building a config from directives ------------------------------------------------------

/** A `name args...` directive from a config file line or a CLI `--name args...`. */
export interface ConfigDirective {
  readonly name: string;
  readonly args: readonly string[];
  /** Where it came from, for messages: 'line 3 of redis.conf' or 'command line'. */
  readonly origin: string;
}

export type BuildOutcome =
  | { readonly status: 'ok'; readonly config: ServerConfig }
  | { readonly status: 'invalid'; readonly message: string };

/**
 * Applies directives in order onto the defaults, the way redis-server loads its config file
 * and then its command-line options: `save` and `client-output-buffer-limit` lines accumulate
 * (an empty `save ""` clears), other parameters are replaced by the last occurrence.
 */
export function buildServerConfig(directives: readonly ConfigDirective[]): BuildOutcome {
  const config = defaultServerConfig() as unknown as Record<string, unknown>;
  const seenAccumulating = new Set<string>();
  for (const directive of directives) {
    const parameter = findConfigParameter(directive.name);
    if (parameter === undefined) {
      return { status: 'invalid', message: `Bad directive or wrong number of arguments at ${directive.origin}: unknown option '${directive.name}'` };
    }
    if (!parameter.isMultiArgument && directive.args.length !== 1) {
      return { status: 'invalid', message: `Wrong number of arguments for '${parameter.name}' at ${directive.origin}: expected one value, got ${directive.args.length}` };
    }
    const text = directive.args.join(' ');
    let parsed: ParseOutcome<unknown>;
    if (parameter.name === 'client-output-buffer-limit') {
      const base = seenAccumulating.has(parameter.name) ? config[parameter.key] : defaultServerConfig().clientOutputBufferLimit;
      parsed = parseOutputBufferLimits(text, base as OutputBufferLimits);
      seenAccumulating.add(parameter.name);
    } else if (parameter.name === 'save' && seenAccumulating.has('save') && text.trim() !== '') {
      const more = parseSaveRules(text);
      parsed = more.status === 'ok' ? ok([...(config.save as SaveRule[]), ...more.value]) : more;
    } else {
      parsed = parameter.parse(text);
      if (parameter.name === 'save') seenAccumulating.add('save');
    }
    if (parsed.status !== 'ok') {
      return { status: 'invalid', message: `Invalid value for '${parameter.name}' at ${directive.origin}: ${parsed.reason}` };
    }
    config[parameter.key] = parsed.value;
  }
  return { status: 'ok', config: config as unknown as ServerConfig };
}

/** Splits redis.conf text into directives (sdssplitargs per line, `#` comments, blank lines). */
export function parseConfigText(text: string, fileName: string): { directives: ConfigDirective[] } | { error: string } {
  const directives: ConfigDirective[] = [];
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].trim();
    if (line.length === 0 || line.startsWith('#')) continue;
    const bytes = Buffer.from(line, 'utf8');
    const words = splitInlineArguments(bytes, 0, bytes.length);
    const origin = `line ${index + 1} of ${fileName}`;
    if (words === null) return { error: `Unbalanced quotes in configuration at ${origin}` };
    if (words.length === 0) continue;
    directives.push({ name: words[0].toString('utf8').toLowerCase(), args: words.slice(1).map((word) => word.toString('utf8')), origin });
  }
  return { directives };
}

// ---- the live configuration -----------------------------------------------------------------

/** Called after a parameter changed; returns an error reason to refuse (the change is undone). */
export type ConfigApplyHook = (config: ServerConfig) => string | null;

export type ConfigSetOutcome = { readonly status: 'ok' } | { readonly status: 'error'; readonly text: string };

/** The running server's configuration: CONFIG GET/SET/REWRITE work on this. */
export class LiveConfig {
  readonly values: ServerConfig;
  /** The config file the server was started with (absolute), or null. */
  readonly configFilePath: string | null;
  #hooks = new Map<string, ConfigApplyHook[]>();

  constructor(values: ServerConfig, configFilePath: string | null) {
    this.values = values;
    this.configFilePath = configFilePath;
  }

  /** Runs `hook` after `name` changes through CONFIG SET. */
  onChange(name: string, hook: ConfigApplyHook): void {
    const hooks = this.#hooks.get(name) ?? [];
    hooks.push(hook);
    this.#hooks.set(name, hooks);
  }

  /** The value of a parameter as CONFIG GET prints it. */
  getText(parameter: ConfigParameter): string {
    return parameter.format(this.values[parameter.key] as never);
  }

  /**
   * CONFIG SET with several pairs, atomically. `isProtectedAllowed`: the caller may change
   * protected parameters (enable-protected-configs yes, or local and the client is local).
   */
  set(pairs: readonly (readonly [string, string])[], isProtectedAllowed: boolean): ConfigSetOutcome {
    const record = this.values as unknown as Record<string, unknown>;
    const parsedValues: [ConfigParameter, unknown][] = [];
    const seen = new Set<string>();
    for (const [name, text] of pairs) {
      const parameter = findConfigParameter(name);
      if (parameter === undefined) {
        return { status: 'error', text: configSetUnknownError(name) };
      }
      if (seen.has(parameter.name)) return { status: 'error', text: configSetFailedError(name, 'duplicate parameter') };
      seen.add(parameter.name);
      if (!parameter.isMutable) return { status: 'error', text: configSetFailedError(name, "can't set immutable config") };
      if (parameter.isProtected && !isProtectedAllowed) {
        return { status: 'error', text: configSetFailedError(name, "can't set protected config") };
      }
      const parsed = parameter.name === 'client-output-buffer-limit'
        ? parseOutputBufferLimits(text, this.values.clientOutputBufferLimit)
        : parameter.parse(text);
      if (parsed.status !== 'ok') return { status: 'error', text: configSetFailedError(name, parsed.reason) };
      parsedValues.push([parameter, parsed.value]);
    }
    const previous = parsedValues.map(([parameter]) => [parameter, record[parameter.key]] as const);
    for (const [parameter, value] of parsedValues) record[parameter.key] = value;
    for (const [parameter] of parsedValues) {
      for (const hook of this.#hooks.get(parameter.name) ?? []) {
        const reason = hook(this.values);
        if (reason !== null) {
          for (const [earlier, value] of previous) record[earlier.key] = value;
          for (const [earlier] of parsedValues) for (const undo of this.#hooks.get(earlier.name) ?? []) undo(this.values);
          return { status: 'error', text: configSetFailedError(parameter.name, reason) };
        }
      }
    }
    return { status: 'ok' };
  }

  /**
   * CONFIG REWRITE: rewrites the config file with every parameter that differs from its
   * default, keeping comments and unknown lines; written to a temp file and renamed over.
   * Returns an error reason, or null.
   */
  rewrite(): string | null {
    assert(this.configFilePath !== null, 'rewrite() needs a config file (the command checks first)');
    let lines: string[] = [];
    try {
      lines = readFileSync(this.configFilePath, 'utf8').split(/\r?\n/);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return `Rewriting config file: ${(error as Error).message}`;
    }
    const defaults = defaultServerConfig();
    const kept: string[] = [];
    for (const line of lines) {
      const words = line.trim().split(/\s+/);
      const isOurs = words[0] !== undefined && !line.trim().startsWith('#') && findConfigParameter(words[0]) !== undefined;
      if (!isOurs) kept.push(line);
    }
    while (kept.length > 0 && kept[kept.length - 1].trim() === '') kept.pop();
    const rewritten: string[] = [];
    for (const parameter of CONFIG_PARAMETERS) {
      const text = this.getText(parameter);
      const defaultText = parameter.format(defaults[parameter.key] as never);
      if (text === defaultText && parameter.name !== 'save') continue;
      if (parameter.name === 'save' && text === defaultText) continue;
      rewritten.push(`${parameter.name} ${quoteConfigArgument(parameter, text)}`);
    }
    const output = [...kept, ...(kept.length > 0 ? [''] : []), ...rewritten, ''].join('\n');
    const temporaryPath = `${this.configFilePath}.tmp-${process.pid}`;
    try {
      writeFileSync(temporaryPath, output, { mode: 0o644 });
      renameSync(temporaryPath, this.configFilePath);
    } catch (error) {
      return `Rewriting config file: ${(error as Error).message}`;
    }
    return null;
  }
}

function quoteConfigArgument(parameter: ConfigParameter, text: string): string {
  if (parameter.isMultiArgument && text.length > 0) return text;
  if (text.length > 0 && /^[^\s"'\\]+$/.test(text)) return text;
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
