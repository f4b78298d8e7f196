/**
 * Incremental RESP request parser: bytes from a socket in, one command (argv) at a time out.
 * Accepts RESP2 multibulk requests (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) and inline commands
 * (`GET k\r\n`, split with Redis's sdssplitargs quoting rules), exactly as Redis 7's
 * networking.c (processMultibulkBuffer / processInlineBuffer) does, including its error texts.
 *
 * Why this shape: a connection feeds every `data` chunk, then calls next() until it says
 * `incomplete`, so pipelined commands in one read are all executed before one reply write.
 * The parser is resumable (it keeps the argv parsed so far and the pending bulk length), so a
 * request split at any byte boundary parses exactly as if it arrived whole, and a large request
 * arriving in many chunks costs O(bytes), not O(chunks * bytes): chunks are only concatenated
 * once enough bytes for the next step have arrived.
 *
 * Invariants:
 * - argv entries of multibulk requests are zero-copy subarrays of the received chunk when the
 *   bulk is inside one chunk; the parser never writes into a received chunk.
 * - After a protocolError the parser is poisoned: next() keeps returning the same error (the
 *   connection replies once and closes, as Redis does).
 * - `*0` and `*-n` are skipped silently; an empty inline line is skipped.
 * Deliberate difference from Redis: an inline line longer than 64 KiB is refused even when its
 * newline arrived in the same read (Redis refuses it only while the newline is missing), so the
 * outcome does not depend on how the bytes were split.
 * Hot path: a read holding whole requests is parsed in place: nextCommand() allocates nothing
 * per command; it records each argument as (offset, length) into the chunk, and the parser
 * itself is the CommandArgs of the command just parsed (views and argv are made only when a
 * handler asks). A command whose bytes span two chunks gets its earlier arguments as Buffer
 * subarrays of the older chunk (`#spilled`) instead. Header lines are scanned in JS (indexOfCr).
 * The in-place description (count, offsets) holds until the next nextCommand()/next() call;
 * views and argv() point at chunk bytes, which the parser never rewrites, so they stay valid
 * (except an argv of at most argvCopyBytesMax bytes, which is a copy; see ARGV_COPY_BYTES_MAX).
 * Not here: query-buffer-limit policing (connection.ts reads `bufferedBytes`), command lookup.
 */

/** Redis's PROTO_INLINE_MAX_SIZE: longest inline request or header line without CRLF. */
export const INLINE_REQUEST_BYTES_MAX = 64 * 1024;
/** Redis 7's multibulk count limit (INT_MAX). */
export const MULTIBULK_COUNT_MAX = 2_147_483_647;
/** Default proto-max-bulk-len (512 MiB). */
export const BULK_BYTES_MAX_DEFAULT = 512 * 1024 * 1024;
/** Redis: an unauthenticated client may not announce more arguments than this. */
export const UNAUTHENTICATED_MULTIBULK_COUNT_MAX = 10;
/** Redis: an unauthenticated client may not announce a longer bulk than this. */
export const UNAUTHENTICATED_BULK_BYTES_MAX = 16384;

import type { CommandArgs } from '../command-types.js';
import {
  PROTOCOL_INVALID_BULK_LENGTH,
  PROTOCOL_INVALID_MULTIBULK_LENGTH,
  PROTOCOL_TOO_BIG_BULK,
  PROTOCOL_TOO_BIG_INLINE,
  PROTOCOL_TOO_BIG_MBULK,
  PROTOCOL_UNAUTHENTICATED_BULK_LENGTH,
  PROTOCOL_UNAUTHENTICATED_MULTIBULK_LENGTH,
  PROTOCOL_UNBALANCED_QUOTES,
  protocolExpectedError,
} from '../errors.js';

export type ParseResult =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'command'; readonly argv: Buffer[] }
  | { readonly kind: 'protocolError'; readonly text: string };

export const INCOMPLETE: ParseResult = Object.freeze({ kind: 'incomplete' });

/**
 * What nextCommand() found: Incomplete; Command (the parser's CommandArgs describe it until
 * the next call); ProtocolError (`errorText` says why; the parser stays poisoned).
 */
export const ParseStatus = { Incomplete: 0, Command: 1, ProtocolError: 2 } as const;
export type ParseStatus = (typeof ParseStatus)[keyof typeof ParseStatus];

/** Initial capacity of the in-place argument tables (grown by doubling as arguments arrive). */
const ARGUMENT_SLOTS_INITIAL = 16;

export interface RequestParserOptions {
  /** proto-max-bulk-len; may change at run time through `bulkBytesMax`. */
  readonly bulkBytesMax?: number;
  /** argv() copies arguments totalling at most this many bytes (default ARGV_COPY_BYTES_MAX). */
  readonly argvCopyBytesMax?: number;
}

/**
 * argv() of arguments totalling at most this many bytes (PING, EXISTS, EXPIRE, ...) returns
 * copies in one small allocation (from Node's Buffer pool) instead of views of the chunk, so
 * the chunk can still be released: lending it made the connection take a fresh 16 KiB read
 * buffer after every such command, a malloc and an ArrayBuffer per read. Larger argv are lent.
 */
export const ARGV_COPY_BYTES_MAX = 1024;

const CR = 0x0d;
const LF = 0x0a;
const EMPTY_BUFFER = Buffer.alloc(0);

const enum RequestType {
  None = 0,
  Inline = 1,
  Multibulk = 2,
}

export class RequestParser implements CommandArgs {
  /** proto-max-bulk-len in force (CONFIG SET changes it for every connection). */
  bulkBytesMax: number;
  /** Set by the connection while `requirepass` is set and the client has not authenticated. */
  isAuthRequired = false;

  #buffer: Buffer = EMPTY_BUFFER;
  #offset = 0;
  /** Chunks received while waiting for `#neededBytes`; concatenated once enough arrived. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Bytes needed past #offset before parsing can progress (1 = any new byte helps). */
  #neededBytes = 1;
  /** While a header or inline line lacks its terminator: that byte (CR or LF), else -1. */
  #awaitedByte = -1;

  #requestType = RequestType.None;
  #multibulkRemaining = 0;
  #bulkLength = -1;
  /**
   * Arguments of the current command: argument i is #argBytes[#argOffsets[i] ..+ #argLengths[i]],
   * except the first #spilled.length ones, which live in #spilled (from an older chunk, or
   * split from an inline line). #argBytes is the chunk the in-place ones point into.
   */
  #argCount = 0;
  #argOffsets = new Int32Array(ARGUMENT_SLOTS_INITIAL);
  #argLengths = new Int32Array(ARGUMENT_SLOTS_INITIAL);
  #argBytes: Buffer = EMPTY_BUFFER;
  #spilled: Buffer[] = [];
  /** argv() of the current command once built (handlers without an in-place form, MULTI...). */
  #argvCache: Buffer[] | null = null;
  /** Bytes of the current multibulk request already consumed (headers and finished bulks). */
  #requestConsumedBytes = 0;
  #error: ParseResult | null = null;
  /** An argv sharing a received chunk's memory was handed out since releaseInput(). */
  #hasLentInput = false;
  readonly #argvCopyBytesMax: number;

  constructor(options: RequestParserOptions = {}) {
    this.bulkBytesMax = options.bulkBytesMax ?? BULK_BYTES_MAX_DEFAULT;
    this.#argvCopyBytesMax = options.argvCopyBytesMax ?? ARGV_COPY_BYTES_MAX;
  }

  /** Bytes received and not yet consumed by a complete command (Redis's query buffer length). */
  get bufferedBytes(): number {
    return this.#requestConsumedBytes + this.#buffer.length - this.#offset + this.#pendingBytes;
  }

  /**
   * Appends a received chunk. The parser keeps a reference: the caller may reuse the chunk's
   * memory only once releaseInput() says so.
   */
  feed(chunk: Buffer): void {
    if (chunk.length === 0) return;
    const available = this.#buffer.length - this.#offset;
    if (available === 0 && this.#pendingBytes === 0) {
      this.#buffer = chunk;
      this.#offset = 0;
      return;
    }
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    if (this.#isWorthJoining(chunk)) this.#joinPending();
  }

  /**
   * Whether the bytes waiting in #pending let parsing progress. Joining only then keeps a
   * request that trickles in (even one byte per read) at O(bytes) copying.
   */
  #isWorthJoining(chunk: Buffer | null): boolean {
    const total = this.#buffer.length - this.#offset + this.#pendingBytes;
    if (total < this.#neededBytes) return false;
    if (this.#awaitedByte === -1 || total > INLINE_REQUEST_BYTES_MAX) return true;
    if (chunk !== null) return chunk.indexOf(this.#awaitedByte) !== -1;
    return this.#pending.some((pending) => pending.indexOf(this.#awaitedByte) !== -1);
  }

  /**
   * Whether the caller may overwrite every chunk fed so far (and reuse it for its next read):
   * true when no request is part-way, every received byte was consumed, and no argv sharing a
   * chunk's memory was made since the last call. Views and in-place arguments are valid only
   * during their command's dispatch, so they do not count; spilled arguments point into a chunk
   * that was fed while their request was part-way, which this never released.
   */
  releaseInput(): boolean {
    const isReleased = !this.#hasLentInput && this.#requestType === RequestType.None &&
      this.#buffer.length === this.#offset && this.#pendingBytes === 0;
    this.#hasLentInput = false;
    return isReleased;
  }

  /** The next complete command, `incomplete` when more bytes are needed, or a protocol error. */
  next(): ParseResult {
    const status = this.nextCommand();
    if (status === ParseStatus.Incomplete) return INCOMPLETE;
    if (status === ParseStatus.ProtocolError) return this.#error!;
    return { kind: 'command', argv: this.argv() };
  }

  /** The text of the protocol error nextCommand() reported ('' before any). */
  get errorText(): string {
    return this.#error !== null && this.#error.kind === 'protocolError' ? this.#error.text : '';
  }

  /**
   * Like next() without allocating: on Command the parser's CommandArgs (count, bytesOf, ...)
   * describe the command until the next call.
   */
  nextCommand(): ParseStatus {
    if (this.#error !== null) return ParseStatus.ProtocolError;
    if (this.#requestType === RequestType.None) this.#clearArgs();
    for (;;) {
      if (this.#buffer.length - this.#offset === 0) {
        if (this.#pendingBytes === 0) return ParseStatus.Incomplete;
        this.#joinPending();
      }
      if (this.#requestType === RequestType.None) {
        this.#requestType =
          this.#buffer[this.#offset] === 0x2a /* '*' */ ? RequestType.Multibulk : RequestType.Inline;
      }
      const result =
        this.#requestType === RequestType.Multibulk ? this.#parseMultibulk() : this.#parseInline();
      if (result === SKIPPED) continue;
      if (result === INCOMPLETE) {
        // Bytes that arrived while we waited may already complete this step.
        if (this.#pendingBytes > 0 && this.#isWorthJoining(null)) {
          this.#joinPending();
          continue;
        }
        return ParseStatus.Incomplete;
      }
      if (result === COMMAND) return ParseStatus.Command;
      this.#error = result;
      return ParseStatus.ProtocolError;
    }
  }

  /**
   * The chunk holding the bytes after the command just parsed, when every unparsed byte is in
   * it (the usual case), else null; they start at unparsedOffset. For reading ahead
   * (key-prefetch.ts); the parser's state does not depend on what a reader does with them.
   */
  get unparsedBuffer(): Buffer | null {
    return this.#pendingBytes === 0 && this.#requestType === RequestType.None ? this.#buffer : null;
  }

  get unparsedOffset(): number {
    return this.#offset;
  }

  // ---- CommandArgs (the command nextCommand() just returned) ---------------------------------

  get count(): number {
    return this.#argCount;
  }

  bytesOf(index: number): Uint8Array {
    return index < this.#spilled.length ? this.#spilled[index] : this.#argBytes;
  }

  offsetOf(index: number): number {
    return index < this.#spilled.length ? 0 : this.#argOffsets[index];
  }

  lengthOf(index: number): number {
    return index < this.#spilled.length ? this.#spilled[index].length : this.#argLengths[index];
  }

  view(index: number): Uint8Array {
    if (index < this.#spilled.length) return this.#spilled[index];
    const bytes = this.#argBytes;
    return new Uint8Array(bytes.buffer, bytes.byteOffset + this.#argOffsets[index], this.#argLengths[index]);
  }

  argv(): Buffer[] {
    if (this.#argvCache !== null) return this.#argvCache;
    const argv = this.#spilled.slice();
    const bytes = this.#argBytes;
    let totalBytes = 0;
    for (let index = argv.length; index < this.#argCount; index++) totalBytes += this.#argLengths[index];
    if (totalBytes <= this.#argvCopyBytesMax) {
      // Copies: the chunk stays releasable (see ARGV_COPY_BYTES_MAX).
      const copy = Buffer.allocUnsafe(totalBytes);
      let copyOffset = 0;
      for (let index = argv.length; index < this.#argCount; index++) {
        const offset = this.#argOffsets[index];
        const length = this.#argLengths[index];
        bytes.copy(copy, copyOffset, offset, offset + length);
        argv.push(copy.subarray(copyOffset, copyOffset + length));
        copyOffset += length;
      }
    } else {
      if (this.#argCount > argv.length) this.#hasLentInput = true;
      for (let index = argv.length; index < this.#argCount; index++) {
        const offset = this.#argOffsets[index];
        argv.push(bytes.subarray(offset, offset + this.#argLengths[index]));
      }
    }
    this.#argvCache = argv;
    return argv;
  }

  #clearArgs(): void {
    this.#argCount = 0;
    this.#argBytes = EMPTY_BUFFER;
    if (this.#spilled.length > 0) this.#spilled = [];
    this.#argvCache = null;
  }

  /** Records argument #argCount as bytes [offset, offset + length) of the current chunk. */
  #pushArg(offset: number, length: number): void {
    if (this.#argBytes !== this.#buffer && this.#argCount > this.#spilled.length) this.#spillArgs();
    const index = this.#argCount;
    if (index === this.#argOffsets.length) {
      const offsets = new Int32Array(index * 2);
      offsets.set(this.#argOffsets);
      this.#argOffsets = offsets;
      const lengths = new Int32Array(index * 2);
      lengths.set(this.#argLengths);
      this.#argLengths = lengths;
    }
    this.#argOffsets[index] = offset;
    this.#argLengths[index] = length;
    this.#argBytes = this.#buffer;
    this.#argCount = index + 1;
  }

  /**
   * The parser moved to another chunk mid-command (feed or #joinPending): the arguments
   * recorded in place become subarrays of the old chunk, which they keep alive.
   */
  #spillArgs(): void {
    const bytes = this.#argBytes;
    for (let index = this.#spilled.length; index < this.#argCount; index++) {
      const offset = this.#argOffsets[index];
      this.#spilled.push(bytes.subarray(offset, offset + this.#argLengths[index]));
    }
    this.#argBytes = EMPTY_BUFFER;
  }

  #joinPending(): void {
    const rest = this.#buffer.subarray(this.#offset);
    this.#buffer = rest.length === 0 && this.#pending.length === 1
      ? this.#pending[0]
      : Buffer.concat([rest, ...this.#pending], rest.length + this.#pendingBytes);
    this.#offset = 0;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#neededBytes = 1;
    this.#awaitedByte = -1;
  }

  #finishCommand(): ParseResult {
    this.#requestConsumedBytes = 0;
    this.#requestType = RequestType.None;
    this.#multibulkRemaining = 0;
    this.#bulkLength = -1;
    this.#neededBytes = 1;
    this.#awaitedByte = -1;
    if (this.#offset === this.#buffer.length) {
      // Drop our reference so a big chunk can be collected once its argv are done.
      this.#buffer = EMPTY_BUFFER;
      this.#offset = 0;
    }
    return COMMAND;
  }

  #skip(): ParseResult {
    this.#requestType = RequestType.None;
    return SKIPPED;
  }

  // ---- inline ---------------------------------------------------------------------------------

  #parseInline(): ParseResult {
    const buffer = this.#buffer;
    const start = this.#offset;
    const newline = buffer.indexOf(LF, start);
    if (newline === -1) {
      if (buffer.length - start > INLINE_REQUEST_BYTES_MAX) return errorResult(PROTOCOL_TOO_BIG_INLINE);
      this.#neededBytes = buffer.length - start + 1;
      this.#awaitedByte = LF;
      return INCOMPLETE;
    }
    let lineEnd = newline;
    if (lineEnd > start && buffer[lineEnd - 1] === CR) lineEnd--;
    if (lineEnd - start > INLINE_REQUEST_BYTES_MAX) return errorResult(PROTOCOL_TOO_BIG_INLINE);
    const argv = splitInlineArguments(buffer, start, lineEnd);
    this.#offset = newline + 1;
    if (argv === null) return errorResult(PROTOCOL_UNBALANCED_QUOTES);
    if (argv.length === 0) return this.#skip();
    this.#spilled = argv;
    this.#argCount = argv.length;
    return this.#finishCommand();
  }

  // ---- multibulk ------------------------------------------------------------------------------

  #parseMultibulk(): ParseResult {
    if (this.#multibulkRemaining === 0) {
      const header = this.#readHeaderLine(PROTOCOL_TOO_BIG_MBULK);
      if (typeof header !== 'number') return header;
      const count = parseStrictInteger(this.#buffer, this.#offset + 1, header);
      if (count === null || count > MULTIBULK_COUNT_MAX) return errorResult(PROTOCOL_INVALID_MULTIBULK_LENGTH);
      if (count > UNAUTHENTICATED_MULTIBULK_COUNT_MAX && this.isAuthRequired) {
        return errorResult(PROTOCOL_UNAUTHENTICATED_MULTIBULK_LENGTH);
      }
      this.#requestConsumedBytes += header + 2 - this.#offset;
      this.#offset = header + 2;
      if (count <= 0) {
        this.#requestConsumedBytes = 0;
        return this.#skip();
      }
      this.#multibulkRemaining = count;
      this.#bulkLength = -1;
    }
    while (this.#multibulkRemaining > 0) {
      if (this.#bulkLength === -1 && !this.#takeShortBulkHeader()) {
        const header = this.#readHeaderLine(PROTOCOL_TOO_BIG_BULK);
        if (typeof header !== 'number') return header;
        const buffer = this.#buffer;
        if (buffer[this.#offset] !== 0x24 /* '$' */) {
          return errorResult(protocolExpectedError('$', String.fromCharCode(buffer[this.#offset])));
        }
        const length = parseStrictInteger(buffer, this.#offset + 1, header);
        if (length === null || length < 0 || length > this.bulkBytesMax) {
          return errorResult(PROTOCOL_INVALID_BULK_LENGTH);
        }
        if (length > UNAUTHENTICATED_BULK_BYTES_MAX && this.isAuthRequired) {
          return errorResult(PROTOCOL_UNAUTHENTICATED_BULK_LENGTH);
        }
        this.#requestConsumedBytes += header + 2 - this.#offset;
        this.#offset = header + 2;
        this.#bulkLength = length;
      }
      // Redis skips the two bytes after a bulk without checking that they are CRLF.
      const needed = this.#bulkLength + 2;
      if (this.#buffer.length - this.#offset < needed) {
        this.#neededBytes = needed;
        this.#awaitedByte = -1;
        return INCOMPLETE;
      }
      this.#pushArg(this.#offset, this.#bulkLength);
      this.#offset += needed;
      this.#requestConsumedBytes += needed;
      this.#bulkLength = -1;
      this.#multibulkRemaining--;
    }
    return this.#finishCommand();
  }

  /**
   * The common `$<digits>\r\n` header in one pass (scan and parse together): true, with
   * #bulkLength set and the header consumed, when it is whole and within every limit. Anything
   * else (leading zeros, a sign, too long, a limit, incomplete) returns false having changed
   * nothing, and the general path decides, so outcomes and error texts stay the same.
   */
  #takeShortBulkHeader(): boolean {
    const buffer = this.#buffer;
    const start = this.#offset;
    const end = buffer.length;
    if (start + 3 >= end || buffer[start] !== 0x24 /* '$' */) return false;
    let index = start + 1;
    let byte = buffer[index];
    if (byte < 0x31 || byte > 0x39) return false;
    let length = byte - 0x30;
    const digitsEnd = Math.min(end, start + 1 + SHORT_BULK_DIGITS_MAX);
    for (index++; index < digitsEnd; index++) {
      byte = buffer[index];
      if (byte < 0x30 || byte > 0x39) break;
      length = length * 10 + (byte - 0x30);
    }
    if (index + 1 >= end || buffer[index] !== CR) return false;
    if (length > this.bulkBytesMax || (length > UNAUTHENTICATED_BULK_BYTES_MAX && this.isAuthRequired)) return false;
    this.#requestConsumedBytes += index + 2 - start;
    this.#offset = index + 2;
    this.#bulkLength = length;
    return true;
  }

  /**
   * Finds the CR of a `*n` / `$n` header line starting at #offset: its index when the LF after
   * it has arrived too, INCOMPLETE while waiting, or `tooBig` past 64 KiB without a CR.
   */
  #readHeaderLine(tooBigText: string): number | ParseResult {
    const buffer = this.#buffer;
    const start = this.#offset;
    const cr = indexOfCr(buffer, start);
    if (cr === -1) {
      if (buffer.length - start > INLINE_REQUEST_BYTES_MAX) return errorResult(tooBigText);
      this.#neededBytes = buffer.length - start + 1;
      this.#awaitedByte = CR;
      return INCOMPLETE;
    }
    if (cr + 1 >= buffer.length) {
      this.#neededBytes = cr - start + 2;
      this.#awaitedByte = -1;
      return INCOMPLETE;
    }
    return cr;
  }
}

/** Digits #takeShortBulkHeader parses itself (longer lengths take the general path). */
const SHORT_BULK_DIGITS_MAX = 9;
const SKIPPED: ParseResult = Object.freeze({ kind: 'incomplete' });
/** Internal: a command was completed (its arguments are in the parser). */
const COMMAND: ParseResult = Object.freeze({ kind: 'incomplete' });

/**
 * Header lines (`*3`, `$64`) are a few bytes long: scanning them in JS beats Buffer#indexOf,
 * whose argument handling and native call cost more than the scan (measured ~1% of server CPU
 * under redis-benchmark -P 16). Longer lines fall back to indexOf.
 */
const HEADER_SCAN_BYTES_MAX = 24;

/** Index of the first CR at or after `start`, or -1. */
function indexOfCr(buffer: Buffer, start: number): number {
  const scanEnd = Math.min(buffer.length, start + HEADER_SCAN_BYTES_MAX);
  for (let index = start; index < scanEnd; index++) {
    if (buffer[index] === CR) return index;
  }
  return scanEnd === buffer.length ? -1 : buffer.indexOf(CR, scanEnd);
}

function errorResult(text: string): ParseResult {
  return { kind: 'protocolError', text };
}

/**
 * Redis's string2ll on bytes [start, end): optional '-', no '+', no leading zeros, no spaces.
 * Returns null when the text is not such an integer or does not fit a safe JS integer (every
 * limit we compare against is far below 2^53, so "too large" and "invalid" mean the same here).
 */
export function parseStrictInteger(buffer: Uint8Array, start: number, end: number): number | null {
  if (start >= end) return null;
  let index = start;
  let isNegative = false;
  if (buffer[index] === 0x2d /* '-' */) {
    isNegative = true;
    index++;
    if (index === end) return null;
  }
  const first = buffer[index];
  if (first === 0x30 /* '0' */) return end - start === 1 ? 0 : null;
  if (first < 0x31 || first > 0x39) return null;
  if (end - index > 16) return null;
  let value = 0;
  for (; index < end; index++) {
    const digit = buffer[index] - 0x30;
    if (digit < 0 || digit > 9) return null;
    value = value * 10 + digit;
  }
  return isNegative ? -value : value;
}

// ---- sdssplitargs --------------------------------------------------------------------------------

function isSpace(byte: number): boolean {
  // C isspace(): space, \t, \n, \v, \f, \r.
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x41 + 10;
  return -1;
}

/**
 * Splits one inline line like Redis's sdssplitargs: blanks separate arguments; "double quotes"
 * take \n \r \t \b \a \xHH and \<any> escapes; 'single quotes' take \' only; a closing quote
 * must be followed by a blank or the end. A NUL byte ends the line (Redis works on a C string).
 * Returns null on unbalanced quotes.
 */
export function splitInlineArguments(buffer: Uint8Array, start: number, end: number): Buffer[] | null {
  const at = (index: number): number => (index < end ? buffer[index] : 0);
  const argv: Buffer[] = [];
  let position = start;
  for (;;) {
    while (at(position) !== 0 && isSpace(at(position))) position++;
    if (at(position) === 0) return argv;
    const bytes: number[] = [];
    let inDoubleQuotes = false;
    let inSingleQuotes = false;
    let isDone = false;
    while (!isDone) {
      const byte = at(position);
      if (inDoubleQuotes) {
        if (byte === 0x5c && at(position + 1) === 0x78 && hexValue(at(position + 2)) >= 0 && hexValue(at(position + 3)) >= 0) {
          bytes.push(hexValue(at(position + 2)) * 16 + hexValue(at(position + 3)));
          position += 3;
        } else if (byte === 0x5c && at(position + 1) !== 0) {
          position++;
          bytes.push(unescapeByte(at(position)));
        } else if (byte === 0x22) {
          if (at(position + 1) !== 0 && !isSpace(at(position + 1))) return null;
          isDone = true;
        } else if (byte === 0) {
          return null;
        } else {
          bytes.push(byte);
        }
      } else if (inSingleQuotes) {
        if (byte === 0x5c && at(position + 1) === 0x27) {
          position++;
          bytes.push(0x27);
        } else if (byte === 0x27) {
          if (at(position + 1) !== 0 && !isSpace(at(position + 1))) return null;
          isDone = true;
        } else if (byte === 0) {
          return null;
        } else {
          bytes.push(byte);
        }
      } else if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09 || byte === 0) {
        isDone = true;
      } else if (byte === 0x22) {
        inDoubleQuotes = true;
      } else if (byte === 0x27) {
        inSingleQuotes = true;
      } else {
        bytes.push(byte);
      }
      if (at(position) !== 0) position++;
    }
    argv.push(Buffer.from(bytes));
  }
}

function unescapeByte(byte: number): number {
  switch (byte) {
    case 0x6e: return 0x0a; // n
    case 0x72: return 0x0d; // r
    case 0x74: return 0x09; // t
    case 0x62: return 0x08; // b
    case 0x61: return 0x07; // a
    default: return byte;
  }
}
