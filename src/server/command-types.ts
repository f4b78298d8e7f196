/**
 * The command contract: what a command handler is, what it gets, and how it answers.
 * Every command is a row in a family table (src/server/commands/<family>.ts) plus a function;
 * registry.ts concatenates the family tables. Handlers write their reply straight into the
 * connection's ReplyWriter (no Reply objects on the hot path) and never throw for an expected
 * outcome: bad input gets an error reply (texts from errors.ts).
 * Invariants: a handler writes exactly one top-level reply per call (EXEC's array counts as one);
 * handlers run on the event loop one at a time, so each command is atomic.
 * Not here: parsing (resp/request-parser.ts), encoding (resp/reply-writer.ts), lookup and arity
 * checks (dispatch.ts).
*/

import type { Store } from '../store/store.js';
import type { RespReplyWriter } from './resp/reply-writer.js';

/** How a reply is written. RESP3-only types degrade to their RESP2 forms as Redis does. */
export interface ReplyWriter {
  /** 2 or 3, set by HELLO. */
  readonly protocol: 2 | 3;
  /** `+text`; text must not contain CR or LF. */
  simple(text: string): void;
  /** `-text`; text is the whole message with its prefix, e.g. 'ERR syntax error'. */
  error(text: string): void;
  /** `:n`. */
  integer(value: number | bigint): void;
  /** `$len` + bytes (strings are encoded as UTF-8). */
  bulk(value: Uint8Array | string): void;
  /**
   * A bulk string of `length` bytes whose body is produced by `fill(target, offset)` writing
   * exactly `length` bytes into the output buffer: lets GET copy a value from the heap straight
   * into the socket's buffer.
   */
  bulkFill(length: number, fill: (target: Buffer, offset: number) => void): void;
  /** RESP2 `$-1`, RESP3 `_`. */
  nullBulk(): void;
  /** RESP2 `*-1`, RESP3 `_`. */
  nullArray(): void;
  /** `*count`, followed by `count` replies. */
  arrayHeader(count: number): void;
  /** RESP3 `%count` (count pairs follow); RESP2 `*2count`. */
  mapHeader(pairCount: number): void;
  /** RESP3 `~count`; RESP2 `*count`. */
  setHeader(count: number): void;
  /** RESP3 `>count`; RESP2 `*count` (pub/sub messages). */
  pushHeader(count: number): void;
  /** RESP3 `,value`; RESP2 a bulk string of the same text. */
  double(value: number): void;
  /** RESP3 `#t`/`#f`; RESP2 `:1`/`:0`. */
  boolean(value: boolean): void;
  /** RESP3 `=len\r\ntxt:text`; RESP2 a bulk string (INFO, CLIENT LIST...). */
  verbatim(text: string): void;
}

/** Command flags, Redis's names (COMMAND INFO shows them). */
export type CommandFlag =
  | 'write' | 'readonly' | 'denyoom' | 'admin' | 'pubsub' | 'noscript' | 'loading' | 'stale'
  | 'skip_monitor' | 'fast' | 'no_auth' | 'allow_busy' | 'no_multi' | 'movablekeys';

/**
 * One command. `arity` is Redis's: positive = exactly that many argv entries (name included),
 * negative = at least -arity. Key positions are Redis's first/last/step (1-based into argv,
 * last -1 = through the end; 0/0/0 = no keys).
 * `subcommands` (CLIENT, CONFIG, ...) are dispatched by the parent's handler or by dispatch.
 */
export interface CommandSpec {
  readonly name: string; // upper case
  readonly arity: number;
  readonly flags: readonly CommandFlag[];
  readonly firstKey: number;
  readonly lastKey: number;
  readonly keyStep: number;
  readonly group: string; // Redis's COMMAND DOCS group: 'string', 'keyspace', 'connection', 'server', 'pubsub', 'transactions', ...
  readonly summary: string;
  readonly subcommands?: readonly CommandSpec[];
  readonly run: CommandHandler;
  /**
   * Optional allocation-free form of `run` for the hottest commands (GET, SET, INCR, MSET):
   * reads its arguments in place from the request bytes. Returns false, having written
   * nothing, when this call needs `run` (e.g. SET with options); dispatch then calls `run`.
   * Same store calls and byte-identical replies as `run` (test/unit/server/in-place.test.ts).
   */
  readonly runInPlace?: InPlaceHandler;
}

export type CommandHandler = (context: CommandContext, argv: readonly Buffer[]) => void;

/** The context of an in-place handler: always a real connection, so its RESP writer. */
export interface InPlaceContext extends CommandContext {
  readonly reply: RespReplyWriter;
}

export type InPlaceHandler = (context: InPlaceContext, args: CommandArgs) => boolean;

/**
 * The arguments of one command (name first), readable without allocating: argument i is
 * bytesOf(i)[offsetOf(i) ..+ lengthOf(i)]. Valid only during the dispatch of that command.
 */
export interface CommandArgs {
  readonly count: number;
  bytesOf(index: number): Uint8Array;
  offsetOf(index: number): number;
  lengthOf(index: number): number;
  /** Argument i as a view (no copy; allocates the view object only). */
  view(index: number): Uint8Array;
  /** Every argument as a Buffer (built once per command), for `run` handlers and MULTI. */
  argv(): Buffer[];
}

/** CommandArgs over an argv array (EXEC's queued commands, postponed commands). */
export class ArgvArgs implements CommandArgs {
  readonly #argv: Buffer[];

  constructor(argv: Buffer[]) {
    this.#argv = argv;
  }

  get count(): number {
    return this.#argv.length;
  }

  bytesOf(index: number): Uint8Array {
    return this.#argv[index];
  }

  offsetOf(): number {
    return 0;
  }

  lengthOf(index: number): number {
    return this.#argv[index].length;
  }

  view(index: number): Uint8Array {
    return this.#argv[index];
  }

  argv(): Buffer[] {
    return this.#argv;
  }
}

/**
 * The arguments as Buffers that share no memory with the request: one allocation holding every
 * argument's bytes. For what outlives the read it came in (a command queued by MULTI, one held
 * by CLIENT PAUSE), so the connection's read buffer is neither kept alive nor overwritten
 * under it (connection.ts ClientInput).
 */
export function copyArgv(args: CommandArgs): Buffer[] {
  const count = args.count;
  let totalBytes = 0;
  for (let index = 0; index < count; index++) totalBytes += args.lengthOf(index);
  const bytes = Buffer.allocUnsafe(totalBytes);
  const argv = new Array<Buffer>(count);
  let offset = 0;
  for (let index = 0; index < count; index++) {
    const start = args.offsetOf(index);
    const length = args.lengthOf(index);
    bytes.set(args.bytesOf(index).subarray(start, start + length), offset);
    argv[index] = bytes.subarray(offset, offset + length);
    offset += length;
  }
  return argv;
}

/**
 * What a handler sees. The concrete object is built by the server (connection + server state);
 * families extend their needs through the members below, not through globals.
 * The server protocol work adds `client` (per-connection state: id, name, auth, MULTI queue,
 * subscriptions) and `server` (config, stats, client registry, pub/sub hub, snapshots).
 */
export interface CommandContext {
  readonly reply: ReplyWriter;
  /** The keyspace (src/store). */
  readonly store: Store;
  /** Selected database index of this client. */
  db: number;
  /** Milliseconds since the epoch, the time this command started (Redis's cached mstime). */
  readonly nowMs: number;
}
