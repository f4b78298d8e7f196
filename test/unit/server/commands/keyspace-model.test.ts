/**
 * Model-based property test of the string and keyspace commands: random command sequences run
 * through the in-process runner (real store, real heap with small pages so values span pages)
 * and against a plain Map model with expiry times and a clock; every reply must equal the
 * model's. A failure prints fast-check's seed and path, which replay it.
 */

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

import {
  createCommandRunner,
  START_TIME_MS,
  type CommandRunner,
  type PlainReply,
} from '../../../helpers/command-runner.js';

interface ModelEntry {
  value: Buffer;
  /** Absolute ms, or null for none. */
  expireAtMs: number | null;
}

interface Model {
  nowMs: number;
  /** The selected database's entries (`databases[db]`). */
  entries: Map<string, ModelEntry>;
  db: number;
  readonly databases: Map<string, ModelEntry>[];
}

/** Databases the model uses (the store has 16; two are enough for MOVE/COPY DB/SWAPDB). */
const MODEL_DATABASE_COUNT = 2;

const I64_MAX = 9223372036854775807n;
const I64_MIN = -9223372036854775808n;
const NOT_INTEGER = { error: 'ERR value is not an integer or out of range' };
const OVERFLOW = { error: 'ERR increment or decrement would overflow' };

/** The live entry of `key`, deleting it first if it has expired (Redis: expired when now > time). */
function live(model: Model, key: string, entries: Map<string, ModelEntry> = model.entries): ModelEntry | undefined {
  const entry = entries.get(key);
  if (entry === undefined) return undefined;
  if (entry.expireAtMs !== null && model.nowMs > entry.expireAtMs) {
    entries.delete(key);
    return undefined;
  }
  return entry;
}

/** Redis's EXPIRE conditions: an entry without expiry counts as an infinite TTL. */
function expireConditionHolds(condition: string, currentMs: number | null, whenMs: number): boolean {
  switch (condition) {
    case 'NX': return currentMs === null;
    case 'XX': return currentMs !== null;
    case 'GT': return currentMs !== null && whenMs > currentMs;
    case 'LT': return currentMs === null || whenMs < currentMs;
    default: return true;
  }
}

/** string2ll's canonical integers. */
function asI64(value: Buffer): bigint | null {
  const text = value.toString('latin1');
  if (!/^(0|-?[1-9][0-9]*)$/.test(text) || text.length > 20) return null;
  const parsed = BigInt(text);
  return parsed > I64_MAX || parsed < I64_MIN ? null : parsed;
}

function integerReply(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** One command: `apply` updates the model and returns the reply the server must give. */
class ReplyCommand implements fc.Command<Model, CommandRunner> {
  constructor(
    readonly argv: readonly (string | Buffer)[],
    readonly apply: (model: Model) => PlainReply,
  ) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: CommandRunner): void {
    const expected = this.apply(model);
    expect(real.runBuffers(this.argv)).toEqual(expected);
  }
  toString(): string {
    return this.argv.map((arg) => (typeof arg === 'string' ? arg : `<${arg.length} bytes>`)).join(' ');
  }
}

class AdvanceClock implements fc.Command<Model, CommandRunner> {
  constructor(readonly ms: number) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: CommandRunner): void {
    model.nowMs += this.ms;
    real.clock.advance(this.ms);
  }
  toString(): string {
    return `advance ${this.ms}ms`;
  }
}

class SelectDb implements fc.Command<Model, CommandRunner> {
  constructor(readonly db: number) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: CommandRunner): void {
    model.db = this.db;
    model.entries = model.databases[this.db];
    real.db = this.db;
  }
  toString(): string {
    return `SELECT ${this.db}`;
  }
}

class ScanAll implements fc.Command<Model, CommandRunner> {
  constructor(readonly count: number) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: CommandRunner): void {
    const expected = [...model.entries.keys()].filter((key) => live(model, key) !== undefined).sort();
    const seen = new Set<string>();
    let cursor = '0';
    let callCount = 0;
    do {
      const [next, keys] = real.run(['SCAN', cursor, 'COUNT', String(this.count)]) as [string, string[]];
      for (const key of keys) seen.add(key);
      cursor = next;
      callCount++;
    } while (cursor !== '0' && callCount < 10_000);
    expect([...seen].sort()).toEqual(expected);
  }
  toString(): string {
    return `SCAN * COUNT ${this.count}`;
  }
}

const key = fc.constantFrom('a', 'b', 'c', 'd');
const bytes = fc.uint8Array({ maxLength: 700 }).map((array) => Buffer.from(array));
const integerText = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.constantFrom('9223372036854775807', '-9223372036854775808', '9223372036854775000', '01', '1.5', ''),
).map((text) => Buffer.from(text));
const value = fc.oneof(bytes, integerText);

function setCommand(k: string, v: Buffer, option: string[]): ReplyCommand {
  return new ReplyCommand(['SET', k, v, ...option], (model) => {
    const old = live(model, k);
    if (option[0] === 'NX' && old !== undefined) return null;
    if (option[0] === 'XX' && old === undefined) return null;
    let expireAtMs: number | null = null;
    if (option[0] === 'PX') expireAtMs = model.nowMs + Number(option[1]);
    if (option[0] === 'KEEPTTL') expireAtMs = old?.expireAtMs ?? null;
    model.entries.set(k, { value: v, expireAtMs });
    return 'OK';
  });
}

function getRange(valueBytes: Buffer, startInput: number, endInput: number): Buffer {
  const length = valueBytes.length;
  if (startInput < 0 && endInput < 0 && startInput > endInput) return Buffer.alloc(0);
  let start = startInput < 0 ? length + startInput : startInput;
  let end = endInput < 0 ? length + endInput : endInput;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= length) end = length - 1;
  if (start > end || length === 0) return Buffer.alloc(0);
  return valueBytes.subarray(start, end + 1);
}

const commands = fc.commands([
  fc.tuple(key, value, fc.constantFrom<string[]>([], ['NX'], ['XX'], ['KEEPTTL'], ['PX', '50'], ['PX', '3000']))
    .map(([k, v, option]) => setCommand(k, v, option)),
  key.map((k) => new ReplyCommand(['GET', k], (model) => live(model, k)?.value ?? null)),
  key.map((k) => new ReplyCommand(['DEL', k], (model) => (live(model, k) !== undefined && model.entries.delete(k) ? 1 : 0))),
  fc.tuple(key, bytes).map(([k, v]) => new ReplyCommand(['APPEND', k, v], (model) => {
    const entry = live(model, k);
    const next = Buffer.concat([entry?.value ?? Buffer.alloc(0), v]);
    model.entries.set(k, { value: next, expireAtMs: entry?.expireAtMs ?? null });
    return next.length;
  })),
  key.map((k) => new ReplyCommand(['STRLEN', k], (model) => live(model, k)?.value.length ?? 0)),
  fc.tuple(key, fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 })).map(([k, start, end]) =>
    new ReplyCommand(['GETRANGE', k, String(start), String(end)], (model) =>
      getRange(live(model, k)?.value ?? Buffer.alloc(0), start, end))),
  fc.tuple(key, fc.integer({ min: 0, max: 800 }), fc.uint8Array({ maxLength: 300 })).map(([k, offset, array]) => {
    const v = Buffer.from(array);
    return new ReplyCommand(['SETRANGE', k, String(offset), v], (model) => {
      const entry = live(model, k);
      if (v.length === 0) return entry?.value.length ?? 0;
      const old = entry?.value ?? Buffer.alloc(0);
      const next = Buffer.alloc(Math.max(old.length, offset + v.length));
      old.copy(next);
      v.copy(next, offset);
      model.entries.set(k, { value: next, expireAtMs: entry?.expireAtMs ?? null });
      return next.length;
    });
  }),
  fc.tuple(key, fc.oneof(fc.integer({ min: -100, max: 100 }).map(BigInt), fc.constantFrom(I64_MAX, I64_MIN)))
    .map(([k, increment]) => new ReplyCommand(['INCRBY', k, increment.toString()], (model) => {
      const entry = live(model, k);
      const current = entry === undefined ? 0n : asI64(entry.value);
      if (current === null) return NOT_INTEGER;
      const sum = current + increment;
      if (sum > I64_MAX || sum < I64_MIN) return OVERFLOW;
      model.entries.set(k, { value: Buffer.from(sum.toString()), expireAtMs: entry?.expireAtMs ?? null });
      return integerReply(sum);
    })),
  fc.tuple(key, fc.integer({ min: -10, max: 5000 })).map(([k, ms]) =>
    new ReplyCommand(['PEXPIRE', k, String(ms)], (model) => {
      const entry = live(model, k);
      if (entry === undefined) return 0;
      if (ms <= 0) model.entries.delete(k);
      else entry.expireAtMs = model.nowMs + ms;
      return 1;
    })),
  key.map((k) => new ReplyCommand(['PERSIST', k], (model) => {
    const entry = live(model, k);
    if (entry === undefined || entry.expireAtMs === null) return 0;
    entry.expireAtMs = null;
    return 1;
  })),
  key.map((k) => new ReplyCommand(['PTTL', k], (model) => {
    const entry = live(model, k);
    if (entry === undefined) return -2;
    return entry.expireAtMs === null ? -1 : entry.expireAtMs - model.nowMs;
  })),
  fc.tuple(key, key).map(([source, target]) => new ReplyCommand(['RENAME', source, target], (model) => {
    const entry = live(model, source);
    if (entry === undefined) return { error: 'ERR no such key' };
    model.entries.delete(source);
    model.entries.set(target, entry);
    return 'OK';
  })),
  fc.tuple(key, key).map(([source, target]) => new ReplyCommand(['COPY', source, target], (model) => {
    if (source === target) return { error: 'ERR source and destination objects are the same' };
    const entry = live(model, source);
    if (entry === undefined || live(model, target) !== undefined) return 0;
    model.entries.set(target, { ...entry, value: Buffer.from(entry.value) });
    return 1;
  })),
  fc.tuple(key, key).map(([first, second]) => new ReplyCommand(['MGET', first, second], (model) =>
    [live(model, first)?.value ?? null, live(model, second)?.value ?? null])),
  fc.tuple(key, value, key, value).map(([k1, v1, k2, v2]) => new ReplyCommand(['MSET', k1, v1, k2, v2], (model) => {
    model.entries.set(k1, { value: v1, expireAtMs: null });
    model.entries.set(k2, { value: v2, expireAtMs: null });
    return 'OK';
  })),
  fc.constant(new ReplyCommand(['FLUSHDB'], (model) => {
    model.entries.clear();
    return 'OK';
  })),
  fc.constant(new ReplyCommand(['FLUSHALL'], (model) => {
    for (const entries of model.databases) entries.clear();
    return 'OK';
  })),
  fc.tuple(key, value).map(([k, v]) => new ReplyCommand(['SETNX', k, v], (model) => {
    if (live(model, k) !== undefined) return 0;
    model.entries.set(k, { value: v, expireAtMs: null });
    return 1;
  })),
  key.map((k) => new ReplyCommand(['GETDEL', k], (model) => {
    const entry = live(model, k);
    model.entries.delete(k);
    return entry?.value ?? null;
  })),
  fc.tuple(key, fc.constantFrom<string[]>([], ['PERSIST'], ['PX', '40'], ['PX', '4000'], ['EXAT', '1']))
    .map(([k, option]) => new ReplyCommand(['GETEX', k, ...option], (model) => {
      const entry = live(model, k);
      if (entry === undefined) return null;
      if (option[0] === 'PERSIST') entry.expireAtMs = null;
      if (option[0] === 'PX') entry.expireAtMs = model.nowMs + Number(option[1]);
      if (option[0] === 'EXAT') model.entries.delete(k);
      return entry.value;
    })),
  fc.tuple(key, fc.integer({ min: -10, max: 5000 }), fc.constantFrom('NX', 'XX', 'GT', 'LT'))
    .map(([k, ms, condition]) => new ReplyCommand(['PEXPIRE', k, String(ms), condition], (model) => {
      const entry = live(model, k);
      if (entry === undefined) return 0;
      const whenMs = model.nowMs + ms;
      if (!expireConditionHolds(condition, entry.expireAtMs, whenMs)) return 0;
      if (whenMs <= model.nowMs) model.entries.delete(k);
      else entry.expireAtMs = whenMs;
      return 1;
    })),
  key.map((k) => new ReplyCommand(['TTL', k], (model) => {
    const entry = live(model, k);
    if (entry === undefined) return -2;
    return entry.expireAtMs === null ? -1 : Math.floor((entry.expireAtMs - model.nowMs + 500) / 1000);
  })),
  fc.tuple(key, key).map(([first, second]) => new ReplyCommand(['EXISTS', first, second], (model) =>
    (live(model, first) !== undefined ? 1 : 0) + (live(model, second) !== undefined ? 1 : 0))),
  fc.tuple(key, key).map(([source, target]) => new ReplyCommand(['RENAMENX', source, target], (model) => {
    const entry = live(model, source);
    if (entry === undefined) return { error: 'ERR no such key' };
    if (source === target || live(model, target) !== undefined) return 0;
    model.entries.delete(source);
    model.entries.set(target, entry);
    return 1;
  })),
  key.map((k) => new ReplyCommand(['MOVE', k, '1'], (model) => {
    if (model.db === 1) return { error: 'ERR source and destination objects are the same' };
    const entry = live(model, k);
    if (entry === undefined || live(model, k, model.databases[1]) !== undefined) return 0;
    model.entries.delete(k);
    model.databases[1].set(k, entry);
    return 1;
  })),
  fc.tuple(key, key, fc.boolean()).map(([source, target, replace]) =>
    new ReplyCommand(['COPY', source, target, 'DB', '1', ...(replace ? ['REPLACE'] : [])], (model) => {
      if (model.db === 1 && source === target) return { error: 'ERR source and destination objects are the same' };
      const entry = live(model, source);
      if (entry === undefined) return 0;
      if (live(model, target, model.databases[1]) !== undefined && !replace) return 0;
      model.databases[1].set(target, { ...entry, value: Buffer.from(entry.value) });
      return 1;
    })),
  fc.constant(new ReplyCommand(['SWAPDB', '0', '1'], (model) => {
    const [first, second] = model.databases;
    model.databases[0] = second;
    model.databases[1] = first;
    model.entries = model.databases[model.db];
    return 'OK';
  })),
  fc.integer({ min: 0, max: MODEL_DATABASE_COUNT - 1 }).map((db) => new SelectDb(db)),
  fc.integer({ min: 0, max: 2000 }).map((ms) => new AdvanceClock(ms)),
  fc.integer({ min: 1, max: 5 }).map((count) => new ScanAll(count)),
], { maxCommands: 100 });

describe('string and keyspace commands', () => {
  test('behave like a Map per database with expiry times', () => {
    fc.assert(fc.property(commands, (sequence) => {
      const databases = Array.from({ length: MODEL_DATABASE_COUNT }, () => new Map<string, ModelEntry>());
      fc.modelRun(() => ({
        model: { nowMs: START_TIME_MS, entries: databases[0], db: 0, databases },
        real: createCommandRunner({ pageSizeBytes: 256, segmentPageCount: 64 }),
      }), sequence);
    }), { numRuns: 120 });
  });
});
