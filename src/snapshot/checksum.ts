/**
 * CRC-32 (IEEE 802.3, the zlib/PNG polynomial) for snapshot headers, blocks and whole files.
 * Why: every byte of a snapshot is covered by a checksum written by the writer and checked again
 * by the loader, so a flipped bit or a torn write is refused instead of loaded.
 * Uses node:zlib's native crc32 (Node >= 20.15) and falls back to a table-driven version with
 * identical output on older runtimes.
 * Invariant: crc32(b, crc32(a)) === crc32(concat(a, b)) — incremental use gives the same value
 * as one pass, which lets the writer checksum a file block by block.
 */

import * as zlib from 'node:zlib';

type Crc32Function = (data: Uint8Array, initialValue?: number) => number;

const CRC32_POLYNOMIAL_REVERSED = 0xedb88320;

function buildCrc32Table(): Uint32Array {
  const table = new Uint32Array(256);
  for (let index = 0; index < 256; index += 1) {
    let value = index;
    for (let bit = 0; bit < 8; bit += 1) {
      value = value & 1 ? (value >>> 1) ^ CRC32_POLYNOMIAL_REVERSED : value >>> 1;
    }
    table[index] = value >>> 0;
  }
  return table;
}

const CRC32_TABLE = buildCrc32Table();

/** Table-driven CRC-32, exported so tests can check it against the native one. */
export function crc32Portable(data: Uint8Array, initialValue = 0): number {
  let crc = (initialValue ^ 0xffffffff) >>> 0;
  for (let index = 0; index < data.length; index += 1) {
    crc = CRC32_TABLE[(crc ^ data[index]) & 0xff] ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const nativeCrc32 = (zlib as unknown as { crc32?: Crc32Function }).crc32;

/** CRC-32 of `data`, continuing from `initialValue` (the CRC of the bytes before it). */
export function crc32(data: Uint8Array, initialValue = 0): number {
  if (nativeCrc32 !== undefined) return nativeCrc32(data, initialValue) >>> 0;
  return crc32Portable(data, initialValue);
}
