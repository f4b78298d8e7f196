/**
 * RESP2/RESP3 reply encoder writing into one reused, growable output buffer per connection.
 * Why: every reply produced while handling one socket read must leave in ONE socket.write
 * (pipelining throughput, as Redis's client reply buffer), and the hot path should not
 * allocate: integers and length headers are written digit by digit, and the headers of small
 * numbers come from a table built once (Redis's shared objects `shared.mbulkhdr`, ...).
 *
 * Invariants:
 * - Bytes [0, length) are complete replies ready to send; take() hands them out and empties
 *   the writer.
 * - take() returns a view of the internal buffer; the caller tells release() whether the socket
 *   still references it (a queued write): if so, the writer switches to a fresh buffer instead
 *   of overwriting bytes the kernel has not seen yet.
 * - `isSuppressed` (CLIENT REPLY OFF/SKIP) drops whole replies at the connection level; the
 *   writer itself always encodes.
 * Not here: when to flush (connection.ts), output-buffer limits (connection.ts).
 */

import { writeSafeIntegerText } from '../../store/string-number.js';
import type { ReplyWriter } from '../command-types.js';

/**
 * Initial and post-shrink size of a connection's output buffer. Smaller than Redis's 16 KiB
 * static buffer: 10000 idle clients then cost 40 MiB, not 160 MiB; busy clients grow it.
 */
export const OUTPUT_BUFFER_BYTES_INITIAL = 4 * 1024;
/** A buffer grown beyond this is dropped after a flush instead of being kept for reuse. */
export const OUTPUT_BUFFER_BYTES_KEEP_MAX = 1024 * 1024;
/**
 * Shared replies up to this size (`+OK`, `$64`, `:1`...) are copied byte by byte: for a few
 * bytes a loop beats Buffer#copy, whose argument checks cost more than the copy (~1% of server
 * CPU under redis-benchmark -P 16 SET).
 */
const RAW_LOOP_BYTES_MAX = 16;
/** Headers of counts/lengths below this are precomputed. */
const SHARED_HEADER_COUNT = 128;

const CRLF_CR = 0x0d;
const CRLF_LF = 0x0a;

function buildSharedHeaders(prefix: string): Buffer[] {
  const headers: Buffer[] = [];
  for (let count = 0; count < SHARED_HEADER_COUNT; count++) {
    headers.push(Buffer.from(`${prefix}${count}\r\n`, 'latin1'));
  }
  return headers;
}

const SHARED_BULK_HEADERS = buildSharedHeaders('$');
const SHARED_ARRAY_HEADERS = buildSharedHeaders('*');
const SHARED_INTEGERS = buildSharedHeaders(':');
const OK_REPLY = Buffer.from('+OK\r\n', 'latin1');

const RESP2_NULL_BULK = Buffer.from('$-1\r\n', 'latin1');
const RESP2_NULL_ARRAY = Buffer.from('*-1\r\n', 'latin1');
const RESP3_NULL = Buffer.from('_\r\n', 'latin1');

/** Formats a double as Redis 7.2 does in replies: shortest round-trip text, inf/-inf/nan. */
export function formatDouble(value: number): string {
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (Number.isNaN(value)) return 'nan';
  return String(value);
}

/** Something that copies the value it calls `ref` (`length` bytes known to the caller) into target. */
export interface BulkSource {
  copyStringValue(ref: number, target: Uint8Array, targetOffset: number): void;
}

export class RespReplyWriter implements ReplyWriter {
  protocol: 2 | 3 = 2;
  #buffer: Buffer;
  #length = 0;
  readonly #onError: ((text: string) => void) | null;

  /** `onError` sees every error reply's text (INFO errorstats). */
  constructor(initialBytes = OUTPUT_BUFFER_BYTES_INITIAL, onError: ((text: string) => void) | null = null) {
    this.#buffer = Buffer.allocUnsafe(initialBytes);
    this.#onError = onError;
  }

  /** Bytes of encoded replies not yet taken. */
  get length(): number {
    return this.#length;
  }

  /** Capacity of the current buffer (for output-buffer memory accounting). */
  get capacityBytes(): number {
    return this.#buffer.length;
  }

  /** The encoded replies so far (a view of the internal buffer); pair with release(). */
  take(): Buffer {
    return this.#buffer.subarray(0, this.#length);
  }

  /**
   * Empties the writer after take(). `isStillReferenced`: the socket queued the view instead
   * of handing it to the kernel at once, so the bytes must not be overwritten.
   */
  release(isStillReferenced: boolean): void {
    this.#length = 0;
    if (isStillReferenced || this.#buffer.length > OUTPUT_BUFFER_BYTES_KEEP_MAX) {
      this.#buffer = Buffer.allocUnsafe(OUTPUT_BUFFER_BYTES_INITIAL);
    }
  }

  /** Drops replies encoded since `mark` (CLIENT REPLY OFF/SKIP, discarded output). */
  truncate(mark: number): void {
    this.#length = mark;
  }

  // ---- ReplyWriter --------------------------------------------------------------------------

  simple(text: string): void {
    if (text === 'OK') {
      this.#raw(OK_REPLY);
      return;
    }
    this.#lineWithPrefix(0x2b /* '+' */, text);
  }

  error(text: string): void {
    this.#onError?.(text);
    this.#lineWithPrefix(0x2d /* '-' */, text);
  }

  integer(value: number | bigint): void {
    if (typeof value === 'number' && value >= 0 && value < SHARED_HEADER_COUNT && Number.isInteger(value)) {
      this.#raw(SHARED_INTEGERS[value]);
      return;
    }
    this.#ensure(24);
    this.#buffer[this.#length++] = 0x3a; // ':'
    if (typeof value === 'bigint') this.#ascii(value.toString());
    else this.#decimal(value);
    this.#crlf();
  }

  bulk(value: Uint8Array | string): void {
    if (typeof value === 'string') {
      const byteLength = Buffer.byteLength(value, 'utf8');
      this.#bulkHeader(byteLength);
      this.#ensure(byteLength + 2);
      this.#length += this.#buffer.write(value, this.#length, 'utf8');
    } else {
      this.#bulkHeader(value.length);
      this.#ensure(value.length + 2);
      this.#buffer.set(value, this.#length);
      this.#length += value.length;
    }
    this.#crlf();
  }

  /**
   * A bulk string of `length` bytes copied by `source.copyStringValue(ref, buffer, offset)`:
   * bulkFill without a closure per call (the Store is such a source; GET's in-place form).
   */
  bulkFrom(source: BulkSource, ref: number, length: number): void {
    this.#bulkHeader(length);
    this.#ensure(length + 2);
    source.copyStringValue(ref, this.#buffer, this.#length);
    this.#length += length;
    this.#crlf();
  }

  bulkFill(length: number, fill: (target: Buffer, offset: number) => void): void {
    this.#bulkHeader(length);
    this.#ensure(length + 2);
    fill(this.#buffer, this.#length);
    this.#length += length;
    this.#crlf();
  }

  nullBulk(): void {
    this.#raw(this.protocol === 3 ? RESP3_NULL : RESP2_NULL_BULK);
  }

  nullArray(): void {
    this.#raw(this.protocol === 3 ? RESP3_NULL : RESP2_NULL_ARRAY);
  }

  arrayHeader(count: number): void {
    if (count >= 0 && count < SHARED_HEADER_COUNT) {
      this.#raw(SHARED_ARRAY_HEADERS[count]);
      return;
    }
    this.#header(0x2a /* '*' */, count);
  }

  mapHeader(pairCount: number): void {
    if (this.protocol === 3) this.#header(0x25 /* '%' */, pairCount);
    else this.arrayHeader(pairCount * 2);
  }

  setHeader(count: number): void {
    if (this.protocol === 3) this.#header(0x7e /* '~' */, count);
    else this.arrayHeader(count);
  }

  pushHeader(count: number): void {
    if (this.protocol === 3) this.#header(0x3e /* '>' */, count);
    else this.arrayHeader(count);
  }

  double(value: number): void {
    const text = formatDouble(value);
    if (this.protocol === 3) this.#lineWithPrefix(0x2c /* ',' */, text);
    else this.bulk(text);
  }

  boolean(value: boolean): void {
    if (this.protocol === 3) this.#raw(value ? RESP3_TRUE : RESP3_FALSE);
    else this.integer(value ? 1 : 0);
  }

  verbatim(text: string): void {
    if (this.protocol !== 3) {
      this.bulk(text);
      return;
    }
    const byteLength = Buffer.byteLength(text, 'utf8') + 4;
    this.#header(0x3d /* '=' */, byteLength);
    this.#ensure(byteLength + 2);
    this.#length += this.#buffer.write('txt:', this.#length, 'latin1');
    this.#length += this.#buffer.write(text, this.#length, 'utf8');
    this.#crlf();
  }

  /** RESP3 `_` / RESP2 `$-1`: Redis's addReplyNull. */
  null(): void {
    this.nullBulk();
  }

  // ---- encoding helpers -----------------------------------------------------------------------

  #bulkHeader(length: number): void {
    if (length < SHARED_HEADER_COUNT) this.#raw(SHARED_BULK_HEADERS[length]);
    else this.#header(0x24 /* '$' */, length);
  }

  #header(prefix: number, count: number): void {
    this.#ensure(24);
    this.#buffer[this.#length++] = prefix;
    this.#decimal(count);
    this.#crlf();
  }

  #lineWithPrefix(prefix: number, text: string): void {
    const byteLength = Buffer.byteLength(text, 'utf8');
    this.#ensure(byteLength + 3);
    this.#buffer[this.#length++] = prefix;
    this.#length += this.#buffer.write(text, this.#length, 'utf8');
    this.#crlf();
  }

  #raw(bytes: Buffer): void {
    this.#ensure(bytes.length);
    const buffer = this.#buffer;
    let position = this.#length;
    if (bytes.length <= RAW_LOOP_BYTES_MAX) {
      for (let index = 0; index < bytes.length; index++) buffer[position++] = bytes[index];
    } else {
      buffer.set(bytes, position);
      position += bytes.length;
    }
    this.#length = position;
  }

  #ascii(text: string): void {
    this.#ensure(text.length);
    this.#length += this.#buffer.write(text, this.#length, 'latin1');
  }

  /** Writes a safe integer in decimal without allocating a string. Caller ensured 21 bytes. */
  #decimal(value: number): void {
    if (!Number.isSafeInteger(value)) {
      this.#ascii(String(Math.trunc(value)));
      return;
    }
    this.#length += writeSafeIntegerText(value, this.#buffer, this.#length);
  }

  #crlf(): void {
    this.#ensure(2);
    this.#buffer[this.#length++] = CRLF_CR;
    this.#buffer[this.#length++] = CRLF_LF;
  }

  #ensure(extraBytes: number): void {
    const required = this.#length + extraBytes;
    if (required <= this.#buffer.length) return;
    let capacity = this.#buffer.length * 2;
    while (capacity < required) capacity *= 2;
    const grown = Buffer.allocUnsafe(capacity);
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
  }
}

const RESP3_TRUE = Buffer.from('#t\r\n', 'latin1');
const RESP3_FALSE = Buffer.from('#f\r\n', 'latin1');
