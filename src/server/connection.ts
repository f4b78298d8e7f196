/**
 * One client connection: its socket, its parser and reply buffer, and Redis's per-client state
 * (id, name, lib, db, protocol, auth, MULTI queue, watched keys, subscriptions, reply mode).
 * A Client is also the CommandContext its commands run with, so a handler reaches the reply
 * writer, the store, its own state and the server through one object and nothing is allocated
 * per command.
 *
 * Read path: a read lands in ClientInput's buffer (read-into-buffer.ts) → parser.feed → every
 * complete command is dispatched (pipelining) → all replies of that read leave in one
 * socket.write. Commands are dispatched with the parser itself as their CommandArgs (arguments
 * read in place; nothing allocated per command). A protocol error is answered, then the
 * connection is closed after the reply, as Redis does.
 *
 * Limits (Redis's names): client-query-buffer-limit (unparsed input; the client is closed),
 * client-output-buffer-limit (queued output per class: over the hard limit, or over the soft
 * limit for soft-seconds, the client is closed and a line is logged).
 * Invariants: every socket has an `error` listener; nothing a client sends can throw out of
 * this file; a closed client runs no more commands and is removed from every registry once.
 * Not here: command lookup and checks (dispatch.ts), the server-wide registries (server.ts).
 */

import type { Socket } from 'node:net';
import { ArgvArgs, copyArgv } from './command-types.js';
import type { CommandArgs, CommandContext } from './command-types.js';
import type { Store } from '../store/store.js';
import { ParseStatus, RequestParser } from './resp/request-parser.js';
import { RespReplyWriter } from './resp/reply-writer.js';
import type { OutputBufferLimit } from './config.js';
import type { Server } from './server.js';
import type { ReadSink } from './read-into-buffer.js';

/** A command alone in its read is prefetched when it has more arguments than this (MSET a 1 b 2). */
const PREFETCH_ARGUMENTS_MIN = 3;

/** Bytes a connection reads at a time (Redis's PROTO_IOBUF_LEN); longer requests span reads. */
export const READ_BUFFER_BYTES = 16 * 1024;

/**
 * Where a connection's socket reads land (read-into-buffer.ts): one buffer per connection,
 * reused for the next read whenever the parser holds nothing of the last one (the usual case:
 * whole requests, run by in-place handlers), and replaced by a fresh one otherwise, so bytes
 * the parser or an argv still points at are never overwritten.
 * A read is handed to the parser in place when the parser holds no part-way request or the
 * read filled at least half the buffer; a smaller read that continues a part-way request is
 * copied to its exact size, as Node's own reads are. So a client trickling a request in tiny
 * packets pins at most one read buffer, and what a part-way request keeps alive stays within
 * twice its bytes (client-query-buffer-limit counts those bytes).
 */
export class ClientInput implements ReadSink {
  /** Set by the Client it feeds; bytes that arrive before (a refused connection) are dropped. */
  client: Client | null = null;
  #buffer = Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
  /** The last read went to the parser in place, so the parser may still hold #buffer. */
  #isLastReadInPlace = false;

  nextBuffer(): Buffer {
    const client = this.client;
    if (client === null) return this.#buffer;
    // Always asked, so the parser's record starts afresh with every read.
    const isReleased = client.parser.releaseInput();
    if (this.#isLastReadInPlace && !isReleased) this.#buffer = Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
    return this.#buffer;
  }

  onBytes(buffer: Buffer, byteCount: number): void {
    const client = this.client;
    if (client === null) return;
    const bytes = byteCount === buffer.length ? buffer : buffer.subarray(0, byteCount);
    this.#isLastReadInPlace = client.parser.bufferedBytes === 0 || byteCount * 2 >= buffer.length;
    client.onBytes(this.#isLastReadInPlace ? bytes : Buffer.from(bytes));
  }
}

export type ReplyMode = 'on' | 'off' | 'skip';

/** Why a connection ended, for the log and CLIENT KILL accounting. */
export type CloseReason =
  | 'quit' | 'protocolError' | 'queryBufferLimit' | 'outputBufferLimit' | 'killed' | 'idle'
  | 'peerClosed' | 'socketError' | 'maxclients' | 'protectedMode' | 'shutdown' | 'reset';

export class Client implements CommandContext {
  readonly id: number;
  readonly reply: RespReplyWriter;
  readonly store: Store;
  readonly server: Server;
  readonly socket: Socket;
  readonly parser: RequestParser;

  // ---- CommandContext ----
  db = 0;
  nowMs = 0;

  // ---- identity ----
  name = '';
  libName = '';
  libVersion = '';
  readonly remoteAddress: string;
  readonly localAddress: string;
  readonly isLoopback: boolean;
  readonly createdMs: number;
  lastInteractionMs: number;
  /** Name of the last command run (CLIENT LIST `cmd=`). */
  lastCommandName = 'NULL';

  // ---- auth and modes ----
  isAuthenticated: boolean;
  user = 'default';
  replyMode: ReplyMode = 'on';
  /** CLIENT REPLY SKIP was the previous command: drop this command's reply. */
  isReplySkipNext = false;
  isNoEvict = false;
  isNoTouch = false;

  // ---- transactions ----
  /** Non-null while in MULTI: queued argv. */
  multiQueue: Buffer[][] | null = null;
  /** A queued command was refused (unknown, arity...): EXEC answers EXECABORT. */
  isExecAborted = false;
  /** A watched key changed since WATCH: EXEC answers a null array. */
  isWatchDirty = false;
  /** Watched keys (key as a latin1 string of its bytes) and whether each existed at WATCH. */
  readonly watchedKeys: { db: number; key: string; existedAtWatch: boolean }[] = [];

  // ---- pub/sub ----
  /** Channel and pattern subscriptions, as latin1 strings of their bytes. */
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();

  // ---- lifecycle ----
  isClosed = false;
  #isCloseAfterReply = false;
  #closeAfterReplyReason: CloseReason = 'quit';
  /** A command held back by CLIENT PAUSE; run when the pause ends. */
  #postponedArgv: Buffer[] | null = null;
  #isProcessing = false;
  /** When the output first went over the soft limit (0 = not over). */
  #softLimitSinceMs = 0;

  constructor(options: { id: number; socket: Socket; input: ClientInput; server: Server; store: Store; nowMs: number }) {
    this.id = options.id;
    this.socket = options.socket;
    this.server = options.server;
    this.store = options.store;
    this.reply = new RespReplyWriter(undefined, (text) => options.server.countErrorReply(text));
    const config = options.server.config.values;
    this.parser = new RequestParser({ bulkBytesMax: config.protoMaxBulkLenBytes });
    this.isAuthenticated = config.requirepass === '';
    this.parser.isAuthRequired = !this.isAuthenticated;
    this.createdMs = options.nowMs;
    this.lastInteractionMs = options.nowMs;
    this.remoteAddress = formatAddress(options.socket.remoteAddress, options.socket.remotePort);
    this.localAddress = formatAddress(options.socket.localAddress, options.socket.localPort);
    this.isLoopback = isLoopbackAddress(options.socket.remoteAddress);
    options.input.client = this;
  }

  /** This client itself (CommandContext extension for handlers). */
  get client(): Client {
    return this;
  }

  get isInMulti(): boolean {
    return this.multiQueue !== null;
  }

  get subscriptionCount(): number {
    return this.channels.size + this.patterns.size;
  }

  /** Bytes of replies not yet accepted by the kernel (Redis's omem). */
  get pendingOutputBytes(): number {
    return this.socket.writableLength + this.reply.length;
  }

  /** Wires socket events. Called once by the server after accepting (bytes come via ClientInput). */
  attach(): void {
    this.socket.on('error', (error: Error) => {
      this.server.logger.verbose(`Client id=${this.id} addr=${this.remoteAddress} socket error: ${error.message}`);
      this.close('socketError');
    });
    this.socket.on('close', () => this.close('peerClosed'));
    this.socket.on('drain', () => this.checkOutputLimits(Date.now()));
  }

  setAuthenticated(isAuthenticated: boolean): void {
    this.isAuthenticated = isAuthenticated;
    this.parser.isAuthRequired = !isAuthenticated;
  }

  /** Closes the connection once the replies written so far are sent (QUIT, protocol errors). */
  closeAfterReply(reason: CloseReason = 'quit'): void {
    this.#isCloseAfterReply = true;
    this.#closeAfterReplyReason = reason;
  }

  /** Bytes read from the socket (ClientInput): parse, run every complete command, reply once. */
  onBytes(chunk: Buffer): void {
    if (this.isClosed) return;
    this.lastInteractionMs = Date.now();
    this.server.stats.netInputBytes += chunk.length;
    this.parser.feed(chunk);
    if (this.parser.bufferedBytes > this.server.config.values.clientQueryBufferLimitBytes) {
      this.server.logger.warning(`Closing client that reached max query buffer length: ${this.describe()} (qbuf initial bytes: ${this.parser.bufferedBytes})`);
      this.close('queryBufferLimit');
      return;
    }
    this.processInput();
    this.flush();
  }

  /** Runs every complete command in the query buffer (stops when paused, closing or closed). */
  processInput(): void {
    if (this.#isProcessing) return;
    this.#isProcessing = true;
    try {
      if (this.#postponedArgv !== null) {
        const argv = this.#postponedArgv;
        this.#postponedArgv = null;
        if (!this.#runCommand(new ArgvArgs(argv))) return;
      }
      const parser = this.parser;
      // Key prefetch (key-prefetch.ts): when more commands follow in the read, or this one
      // names several keys (MSET, MGET, DEL ...), the keys of this command and of the next
      // ones are touched together; a new batch starts past the end of the last one.
      let prefetchedBuffer: Buffer | null = null;
      let prefetchedEnd = -1;
      while (!this.isClosed && !this.#isCloseAfterReply) {
        const status = parser.nextCommand();
        if (status === ParseStatus.Incomplete) break;
        if (status === ParseStatus.ProtocolError) {
          const text = parser.errorText;
          this.server.logger.verbose(`Protocol error (${text}) from client: ${this.describe()}`);
          this.server.stats.protocolErrors++;
          this.reply.error(text);
          this.closeAfterReply('protocolError');
          break;
        }
        const unparsed = parser.unparsedBuffer;
        if (unparsed !== null) {
          const offset = parser.unparsedOffset;
          const isPastBatch = offset > prefetchedEnd || unparsed !== prefetchedBuffer;
          if (isPastBatch && (offset < unparsed.length || parser.count > PREFETCH_ARGUMENTS_MIN)) {
            prefetchedBuffer = unparsed;
            prefetchedEnd = this.server.prefetchKeys(this.db, parser, unparsed, offset);
          }
        }
        if (!this.#runCommand(parser)) break;
      }
    } finally {
      this.#isProcessing = false;
    }
  }

  /** Dispatches one command; false if it was postponed by CLIENT PAUSE (stop reading). */
  #runCommand(args: CommandArgs): boolean {
    const outcome = this.server.dispatch(this, args);
    if (outcome === 'postponed') {
      this.#postponedArgv = copyArgv(args);
      this.socket.pause();
      this.server.postponedClients.add(this);
      return false;
    }
    if (!this.isClosed) this.checkOutputLimits(this.nowMs);
    return true;
  }

  /** Resumes a client held by CLIENT PAUSE. */
  resume(): void {
    if (this.isClosed) return;
    this.socket.resume();
    this.processInput();
    this.flush();
  }

  /** Sends every encoded reply in one socket.write (and closes if asked to after the reply). */
  flush(): void {
    if (this.isClosed) return;
    if (this.reply.length > 0) {
      const bytes = this.reply.take();
      this.server.stats.netOutputBytes += bytes.length;
      this.socket.write(bytes);
      this.reply.release(this.socket.writableLength > 0);
    }
    if (this.#isCloseAfterReply) {
      this.isClosed = true;
      this.socket.end();
      this.server.onClientClosed(this, this.#closeAfterReplyReason);
    }
  }

  /**
   * Redis's checkClientOutputBufferLimits: closes the client (now, dropping its output) when its
   * queued output is over the hard limit, or over the soft limit for longer than soft-seconds.
   */
  checkOutputLimits(nowMs: number): void {
    if (this.isClosed) return;
    const limits = this.server.config.values.clientOutputBufferLimit;
    const limit: OutputBufferLimit = this.subscriptionCount > 0 ? limits.pubsub : limits.normal;
    const pendingBytes = this.pendingOutputBytes;
    const isOverHard = limit.hardBytes > 0 && pendingBytes >= limit.hardBytes;
    let isOverSoft = false;
    if (limit.softBytes > 0 && pendingBytes >= limit.softBytes) {
      if (this.#softLimitSinceMs === 0) this.#softLimitSinceMs = nowMs;
      isOverSoft = nowMs - this.#softLimitSinceMs >= limit.softSeconds * 1000;
    } else {
      this.#softLimitSinceMs = 0;
    }
    if (isOverHard || isOverSoft) {
      this.server.logger.warning(`Client ${this.describe()} closed for overcoming of output buffer limits.`);
      this.server.stats.outputBufferLimitDisconnections++;
      this.close('outputBufferLimit');
    }
  }

  /** Closes at once, dropping unsent output. Idempotent. */
  close(reason: CloseReason): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.socket.destroy();
    this.server.onClientClosed(this, reason);
  }

  /** Sends what is encoded, then closes (used when the reply must reach the client). */
  endAfterFlush(reason: CloseReason): void {
    if (this.isClosed) return;
    if (this.reply.length > 0) {
      this.socket.write(this.reply.take());
      this.reply.release(true);
    }
    this.isClosed = true;
    this.socket.end();
    this.server.onClientClosed(this, reason);
  }

  /** `id=.. addr=.. laddr=.. fd=.. name=..` as in Redis's log lines. */
  describe(): string {
    return `id=${this.id} addr=${this.remoteAddress} laddr=${this.localAddress} name=${this.name}`;
  }
}

function formatAddress(address: string | undefined, port: number | undefined): string {
  if (address === undefined) return '?:0';
  const host = address.startsWith('::ffff:') ? address.slice(7) : address;
  return `${host}:${port ?? 0}`;
}

/** Loopback as Redis's protected mode sees it: 127.0.0.0/8 and ::1 (also v4-mapped). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const host = address.startsWith('::ffff:') ? address.slice(7) : address;
  return host === '::1' || host.startsWith('127.');
}
