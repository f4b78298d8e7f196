/**
 * In-process command runner for command tests: a store on a small real heap, the string and
 * keyspace command tables, a minimal dispatch (lookup + arity) and a recording ReplyWriter that
 * turns replies into plain JS values, so a test reads `expect(run(['SET', 'k', 'v'])).toBe('OK')`.
 * Why here and not the real server: command semantics are tested without sockets or the RESP
 * encoder (the server core owns and tests those); a failing command test points at the command.
 * Invariants (checked on every run): a handler writes exactly one complete top-level reply;
 * bulkFill writes exactly `length` bytes at the offset it was given.
 * Decoded values: simple and bulk strings → string (UTF-8) or Buffer with `runBuffers`; integers →
 * number (bigint beyond 2^53); nulls → null; arrays/sets/maps → arrays; errors → { error: text };
 * doubles → number; booleans → boolean. `runTagged` keeps the reply kinds for precise checks.
 */

import { createHeap } from '../../src/cow/paged-heap.js';
import type { CommandContext, CommandSpec, ReplyWriter } from '../../src/server/command-types.js';
import { KEYSPACE_COMMANDS } from '../../src/server/commands/keyspace.js';
import { STRING_COMMANDS } from '../../src/server/commands/strings.js';
import { unknownCommandError, wrongArityError } from '../../src/server/errors.js';
import { Store, type StoreOptions } from '../../src/store/store.js';

/** A recorded reply with its RESP kind. */
export type TaggedReply =
  | { readonly kind: 'simple'; readonly value: string }
  | { readonly kind: 'error'; readonly value: string }
  | { readonly kind: 'integer'; readonly value: number | bigint }
  | { readonly kind: 'bulk'; readonly value: Buffer }
  | { readonly kind: 'nullBulk' }
  | { readonly kind: 'nullArray' }
  | { readonly kind: 'array' | 'map' | 'set' | 'push'; readonly items: TaggedReply[] }
  | { readonly kind: 'double'; readonly value: number }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'verbatim'; readonly value: string };

/** An error reply as `run` returns it. */
export interface ErrorReply {
  readonly error: string;
}

export type PlainReply = string | Buffer | number | bigint | boolean | null | ErrorReply | PlainReply[];

export interface CommandRunnerOptions extends StoreOptions {
  /** Heap page size (default 4096); tests of page edges use small pages. */
  readonly pageSizeBytes?: number;
  /** Heap limit in bytes, 0 = none (default). */
  readonly maxMemoryBytes?: number;
  /** Pages per heap segment (default 256, so a runner costs little memory). */
  readonly segmentPageCount?: number;
  /** RESP protocol the recorder claims (default 2). */
  readonly protocol?: 2 | 3;
  /**
   * Redis's maxmemory-policy as the server's context carries it (server.config.values); an LFU
   * policy also makes the store keep LFU counters. Default: no server member at all.
   */
  readonly maxmemoryPolicy?: string;
  /** Extra command tables (default: STRING_COMMANDS and KEYSPACE_COMMANDS). */
  readonly commands?: readonly CommandSpec[];
}

/** A manual clock: starts at START_TIME_MS unless a clock was given in the options. */
export interface ManualClock {
  nowMs: number;
  advance(ms: number): void;
}

export interface CommandRunner {
  /** Runs one command; replies decoded with strings for bulk values. */
  run(argv: readonly (string | Uint8Array)[]): PlainReply;
  /** Runs one command; bulk values stay Buffers (binary-safe checks). */
  runBuffers(argv: readonly (string | Uint8Array)[]): PlainReply;
  /** Runs one command; the reply with its RESP kinds. */
  runTagged(argv: readonly (string | Uint8Array)[]): TaggedReply;
  readonly store: Store;
  readonly clock: ManualClock;
  /** The selected database (SELECT is not in these tables; tests set it here). */
  db: number;
  protocol: 2 | 3;
}

/** Fixed start time of the manual clock: 2023-11-14T22:13:20Z. */
export const START_TIME_MS = 1_700_000_000_000;
const RUNNER_SEGMENT_PAGE_COUNT = 256;
const BULK_FILL_GUARD_BYTES = 3;
const GUARD_BYTE = 0xa5;

export function createCommandRunner(options: CommandRunnerOptions = {}): CommandRunner {
  const clock: ManualClock = {
    nowMs: START_TIME_MS,
    advance(ms: number) {
      this.nowMs += ms;
    },
  };
  const readClock = options.clock ?? (() => clock.nowMs);
  const heap = createHeap({
    pageSizeBytes: options.pageSizeBytes ?? 4096,
    maxMemoryBytes: options.maxMemoryBytes ?? 0,
    segmentPageCount: options.segmentPageCount ?? RUNNER_SEGMENT_PAGE_COUNT,
  });
  const isLfu = options.maxmemoryPolicy?.endsWith('-lfu') ?? false;
  const store = Store.create(heap, { ...options, clock: readClock, accessClock: isLfu ? 'lfu' : options.accessClock });
  const serverStub = options.maxmemoryPolicy === undefined
    ? {}
    : { server: { config: { values: { maxmemoryPolicy: options.maxmemoryPolicy } } } };
  const table = new Map<string, CommandSpec>();
  for (const spec of options.commands ?? [...STRING_COMMANDS, ...KEYSPACE_COMMANDS]) {
    table.set(spec.name.toUpperCase(), spec);
  }
  const runner: CommandRunner = {
    store,
    clock,
    db: 0,
    protocol: options.protocol ?? 2,
    run: (argv) => plain(runTagged(argv), false),
    runBuffers: (argv) => plain(runTagged(argv), true),
    runTagged,
  };
  function runTagged(argvInput: readonly (string | Uint8Array)[]): TaggedReply {
    const argv = argvInput.map((arg) => (typeof arg === 'string' ? Buffer.from(arg) : Buffer.from(arg)));
    const recorder = new RecordingReplyWriter(runner.protocol);
    const context: CommandContext = { reply: recorder, store, db: runner.db, nowMs: readClock(), ...serverStub };
    dispatch(table, context, argv);
    runner.db = context.db;
    return recorder.takeReply();
  }
  return runner;
}

/** The part of dispatch the command tests need: lookup and arity. */
function dispatch(table: Map<string, CommandSpec>, context: CommandContext, argv: Buffer[]): void {
  const name = argv[0].toString();
  const spec = table.get(name.toUpperCase());
  if (spec === undefined) {
    context.reply.error(unknownCommandError(name, argv.slice(1).map((arg) => arg.toString())));
    return;
  }
  const isArityOk = spec.arity >= 0 ? argv.length === spec.arity : argv.length >= -spec.arity;
  if (!isArityOk) {
    context.reply.error(wrongArityError(name));
    return;
  }
  spec.run(context, argv);
}

function plain(reply: TaggedReply, keepBuffers: boolean): PlainReply {
  switch (reply.kind) {
    case 'simple':
    case 'verbatim':
      return reply.value;
    case 'error':
      return { error: reply.value };
    case 'integer':
      return typeof reply.value === 'bigint' && reply.value >= BigInt(Number.MIN_SAFE_INTEGER)
        && reply.value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(reply.value)
        : reply.value;
    case 'bulk':
      return keepBuffers ? reply.value : reply.value.toString();
    case 'nullBulk':
    case 'nullArray':
      return null;
    case 'array':
    case 'map':
    case 'set':
    case 'push':
      return reply.items.map((item) => plain(item, keepBuffers));
    case 'double':
    case 'boolean':
      return reply.value;
  }
}

interface OpenAggregate {
  readonly kind: 'array' | 'map' | 'set' | 'push';
  readonly items: TaggedReply[];
  remaining: number;
}

/** A ReplyWriter that records one reply tree and checks the one-reply-per-command invariant. */
export class RecordingReplyWriter implements ReplyWriter {
  readonly protocol: 2 | 3;
  #stack: OpenAggregate[] = [];
  #replies: TaggedReply[] = [];

  constructor(protocol: 2 | 3) {
    this.protocol = protocol;
  }

  simple(text: string): void {
    if (/[\r\n]/.test(text)) throw new Error(`simple string with CR/LF: ${JSON.stringify(text)}`);
    this.#push({ kind: 'simple', value: text });
  }
  error(text: string): void {
    if (/[\r\n]/.test(text)) throw new Error(`error with CR/LF: ${JSON.stringify(text)}`);
    this.#push({ kind: 'error', value: text });
  }
  integer(value: number | bigint): void {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      throw new Error(`integer reply is not an integer: ${value}`);
    }
    this.#push({ kind: 'integer', value });
  }
  bulk(value: Uint8Array | string): void {
    this.#push({ kind: 'bulk', value: Buffer.from(value) });
  }
  bulkFill(length: number, fill: (target: Buffer, offset: number) => void): void {
    const target = Buffer.alloc(length + 2 * BULK_FILL_GUARD_BYTES, GUARD_BYTE);
    fill(target, BULK_FILL_GUARD_BYTES);
    for (let index = 0; index < BULK_FILL_GUARD_BYTES; index++) {
      if (target[index] !== GUARD_BYTE || target[target.length - 1 - index] !== GUARD_BYTE) {
        throw new Error('bulkFill wrote outside its range');
      }
    }
    const value = Buffer.from(target.subarray(BULK_FILL_GUARD_BYTES, BULK_FILL_GUARD_BYTES + length));
    this.#push({ kind: 'bulk', value });
  }
  nullBulk(): void {
    this.#push({ kind: 'nullBulk' });
  }
  nullArray(): void {
    this.#push({ kind: 'nullArray' });
  }
  arrayHeader(count: number): void {
    this.#open('array', count);
  }
  mapHeader(pairCount: number): void {
    this.#open('map', 2 * pairCount);
  }
  setHeader(count: number): void {
    this.#open('set', count);
  }
  pushHeader(count: number): void {
    this.#open('push', count);
  }
  double(value: number): void {
    this.#push({ kind: 'double', value });
  }
  boolean(value: boolean): void {
    this.#push({ kind: 'boolean', value });
  }
  verbatim(text: string): void {
    this.#push({ kind: 'verbatim', value: text });
  }

  /** The one complete reply written; throws if there were none, several, or one unfinished. */
  takeReply(): TaggedReply {
    if (this.#stack.length !== 0) throw new Error('an aggregate reply is unfinished');
    if (this.#replies.length !== 1) throw new Error(`handler wrote ${this.#replies.length} replies`);
    return this.#replies[0];
  }

  #open(kind: OpenAggregate['kind'], count: number): void {
    if (!Number.isInteger(count) || count < 0) throw new Error(`bad aggregate count ${count}`);
    const aggregate: OpenAggregate = { kind, items: [], remaining: count };
    if (count === 0) {
      this.#push({ kind, items: aggregate.items });
      return;
    }
    this.#stack.push(aggregate);
  }

  #push(reply: TaggedReply): void {
    let current = reply;
    for (;;) {
      const top = this.#stack.at(-1);
      if (top === undefined) {
        this.#replies.push(current);
        return;
      }
      top.items.push(current);
      top.remaining--;
      if (top.remaining > 0) return;
      this.#stack.pop();
      current = { kind: top.kind, items: top.items };
    }
  }
}
