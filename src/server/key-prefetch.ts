/**
 * Key prefetch for pipelined and multi-key requests, after Redis 8's memory_prefetch.c (there
 * for batches of I/O-thread clients, here for one connection's read): when a read holds more
 * commands after the one about to run, or that one names several keys (connection.ts decides),
 * the keys of that command and of the next ones are collected from the request bytes and
 * handed to Store.prefetchKeys, which touches their hash chains in one pass.
 * The cache and TLB misses of up to PREFETCH_KEYS_MAX lookups then overlap, instead of each
 * lookup waiting for its own in turn; on a keyspace much larger than the CPU caches those misses
 * are most of a lookup's time.
 *
 * Which arguments are keys comes from the command table (Redis's first/last/step key positions);
 * commands whose keys those positions do not describe (movable keys) are read only as far as
 * they say.
 * Why scan the bytes rather than parse ahead: the parser's state belongs to the command being
 * run; this reads RESP multibulk framing only, keeps no state between calls, and stops at the
 * first thing it does not expect (an inline request, a request not yet complete, a bad header).
 * Invariants: advisory only, it changes nothing (a wrong or missing key only means a lookup
 * that is not prefetched); it never reads outside [start, end) of the buffer; at most
 * PREFETCH_KEYS_MAX keys and PREFETCH_COMMANDS_MAX commands per call.
 */

import type { KeyRanges } from '../store/store.js';
import { PREFETCH_KEYS_MAX } from '../store/store.js';
import type { CommandArgs, CommandSpec } from './command-types.js';

/** Commands read ahead per call (the current one not counted). */
export const PREFETCH_COMMANDS_MAX = 16;
/** A multibulk header announcing more arguments than this ends the scan. */
const SCAN_ARGUMENTS_MAX = 1024;
/** Digits of a length the scan reads (lengths up to proto-max-bulk-len fit in 10). */
const SCAN_DIGITS_MAX = 10;
const CR = 0x0d;
const LF = 0x0a;

/** Finds a command's spec from its name bytes (CommandTable.lookupInfoAt, reduced). */
export type SpecLookup = (bytes: Uint8Array, offset: number, length: number) => CommandSpec | undefined;

/** Whether argument `index` of a command with `count` arguments is a key by `spec`'s positions. */
export function isKeyPosition(spec: CommandSpec, index: number, count: number): boolean {
  const first = spec.firstKey;
  if (first <= 0 || index < first) return false;
  const last = spec.lastKey < 0 ? count + spec.lastKey : spec.lastKey;
  if (index > last) return false;
  const step = spec.keyStep > 0 ? spec.keyStep : 1;
  return (index - first) % step === 0;
}

/** The keys of one read's next few commands, as byte ranges (a KeyRanges for the store). */
export class KeyPrefetch implements KeyRanges {
  count = 0;
  readonly #sources: Uint8Array[] = new Array<Uint8Array>(PREFETCH_KEYS_MAX);
  readonly #offsets = new Int32Array(PREFETCH_KEYS_MAX);
  readonly #lengths = new Int32Array(PREFETCH_KEYS_MAX);
  /** The number the last #readNumber read, and where its line ended. */
  #number = 0;
  #position = 0;

  bytesOf(index: number): Uint8Array {
    return this.#sources[index];
  }
  offsetOf(index: number): number {
    return this.#offsets[index];
  }
  lengthOf(index: number): number {
    return this.#lengths[index];
  }

  /**
   * Collects the keys of `current` (the command about to run) and of the complete multibulk
   * requests in buffer[start, end) after it. Returns the offset the scan stopped at: every
   * command ending at or before it was collected (or has no keys).
   */
  collect(lookup: SpecLookup, current: CommandArgs, buffer: Uint8Array, start: number, end: number): number {
    this.count = 0;
    const currentSpec = lookup(current.bytesOf(0), current.offsetOf(0), current.lengthOf(0));
    if (currentSpec !== undefined) {
      for (let index = 1; index < current.count; index++) {
        if (isKeyPosition(currentSpec, index, current.count)) {
          this.#add(current.bytesOf(index), current.offsetOf(index), current.lengthOf(index));
        }
      }
    }
    let position = start;
    for (let commands = 0; commands < PREFETCH_COMMANDS_MAX && this.count < PREFETCH_KEYS_MAX; commands++) {
      const commandEnd = this.#scanCommand(lookup, buffer, position, end);
      if (commandEnd < 0) break;
      position = commandEnd;
    }
    return position;
  }

  /** Adds a key; false (adding nothing) when the batch is full. */
  #add(source: Uint8Array, offset: number, length: number): boolean {
    if (this.count >= PREFETCH_KEYS_MAX) return false;
    this.#sources[this.count] = source;
    this.#offsets[this.count] = offset;
    this.#lengths[this.count] = length;
    this.count++;
    return true;
  }

  /**
   * Reads one complete multibulk request at `position` and adds its keys; returns its end, or
   * -1 when there is none there (not multibulk, incomplete or malformed: nothing is added) or
   * its keys do not all fit (the ones that fit stay).
   */
  #scanCommand(lookup: SpecLookup, buffer: Uint8Array, position: number, end: number): number {
    if (position >= end || buffer[position] !== 0x2a /* '*' */) return -1;
    if (!this.#readNumber(buffer, position + 1, end)) return -1;
    const count = this.#number;
    if (count < 1 || count > SCAN_ARGUMENTS_MAX) return -1;
    const countBefore = this.count;
    let spec: CommandSpec | undefined;
    position = this.#position;
    for (let index = 0; index < count; index++) {
      if (position >= end || buffer[position] !== 0x24 /* '$' */ || !this.#readNumber(buffer, position + 1, end)) {
        this.count = countBefore;
        return -1;
      }
      const length = this.#number;
      const bulkStart = this.#position;
      const bulkEnd = bulkStart + length;
      if (bulkEnd + 2 > end || buffer[bulkEnd] !== CR || buffer[bulkEnd + 1] !== LF) {
        this.count = countBefore;
        return -1;
      }
      if (index === 0) {
        spec = lookup(buffer, bulkStart, length);
      } else if (spec !== undefined && isKeyPosition(spec, index, count) && !this.#add(buffer, bulkStart, length)) {
        // Full: keep the keys added, and end the scan before this command, so the next
        // collect (when it runs) starts with it.
        return -1;
      }
      position = bulkEnd + 2;
    }
    return position;
  }

  /** Reads `<digits>\r\n` at `position`: sets #number and #position (after the LF); false if not that. */
  #readNumber(buffer: Uint8Array, position: number, end: number): boolean {
    let value = 0;
    let digits = 0;
    while (position < end && digits <= SCAN_DIGITS_MAX) {
      const byte = buffer[position];
      if (byte < 0x30 || byte > 0x39) break;
      value = value * 10 + (byte - 0x30);
      digits++;
      position++;
    }
    if (digits === 0 || digits > SCAN_DIGITS_MAX || position + 1 >= end) return false;
    if (buffer[position] !== CR || buffer[position + 1] !== LF) return false;
    this.#number = value;
    this.#position = position + 2;
    return true;
  }
}
