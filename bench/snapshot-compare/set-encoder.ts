/**
 * Encodes batches of `SET <key> <value>` commands fast, for the fill and the write load: one
 * template command is copied per key, then only the key digits and the first 8 value bytes are
 * rewritten.
 * Why: the general encoder costs several microseconds per command, which made filling a million
 * keys take longer than the whole snapshot comparison; this costs a copy of ~150 bytes.
 * Invariants: keys are exactly harness.fixedKey(index, keyLengthBytes) (`key:` + zero-padded
 * digits), so the probe's GETs find them; every value is `baseValue` with its first 8 bytes
 * replaced from the PRNG, so a given seed always writes the same bytes.
 */
import type { Prng } from '../harness.js';
import { encodeCommand } from '../lib/resp-connection.js';

const KEY_PREFIX = 'key:';
const VALUE_PREFIX_BYTES = 8;

export class SetEncoder {
  readonly #template: Buffer;
  readonly #keyOffset: number;
  readonly #valueOffset: number;
  readonly #keyDigitCount: number;
  readonly #valuePrefixBytes: number;

  constructor(keyLengthBytes: number, baseValue: Buffer) {
    const key = Buffer.alloc(keyLengthBytes, 0x30);
    key.write(KEY_PREFIX, 0, 'latin1');
    this.#template = encodeCommand(['SET', key, baseValue]);
    // The value ends 2 bytes (CRLF) before the end; the key ends just before `\r\n$<value length>\r\n`.
    this.#valueOffset = this.#template.length - 2 - baseValue.length;
    this.#keyOffset = this.#valueOffset - `\r\n$${baseValue.length}\r\n`.length - keyLengthBytes;
    this.#keyDigitCount = keyLengthBytes - KEY_PREFIX.length;
    this.#valuePrefixBytes = Math.min(VALUE_PREFIX_BYTES, baseValue.length);
  }

  /** `count` SETs for keys `keyIndexAt(0..count-1)`, values varied by `prng`. */
  encode(count: number, keyIndexAt: (position: number) => number, prng: Prng): Buffer {
    const commandBytes = this.#template.length;
    const batch = Buffer.allocUnsafe(count * commandBytes);
    for (let position = 0; position < count; position++) {
      const start = position * commandBytes;
      this.#template.copy(batch, start);
      const digits = String(keyIndexAt(position)).padStart(this.#keyDigitCount, '0');
      if (digits.length > this.#keyDigitCount) throw new Error(`Key index ${digits} does not fit in ${this.#keyDigitCount} key digits`);
      batch.write(digits, start + this.#keyOffset + KEY_PREFIX.length, 'latin1');
      for (let i = 0; i < this.#valuePrefixBytes; i += 4) {
        const word = prng.nextU32();
        for (let j = 0; j < 4 && i + j < this.#valuePrefixBytes; j++) batch[start + this.#valueOffset + i + j] = (word >>> (8 * j)) & 0xff;
      }
    }
    return batch;
  }
}
