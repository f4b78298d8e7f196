/**
 * The key hash: 32-bit MurmurHash3 (x86_32) of the key bytes with a per-store seed.
 * Why murmur3: it reads four bytes per step (FNV-1a needs a multiply per byte), mixes well
 * enough for power-of-two tables that index by the low bits, is tiny and allocation-free, and a
 * random seed per store makes collision flooding from client-chosen keys impractical (Redis
 * uses seeded SipHash for the same reason; SipHash needs 64-bit arithmetic that costs BigInt or
 * 32-bit pair emulation in JavaScript).
 * Invariants: the result is an unsigned 32-bit integer; the same bytes and seed always give the
 * same hash (entries store it, so a restored heap must use the seed it was built with).
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** MurmurHash3 x86_32 of bytes[start .. start+length) with `seed`, as an unsigned integer. */
export function hashKey(bytes: Uint8Array, seed: number, start = 0, length = bytes.length - start): number {
  let h = seed | 0;
  const blockEnd = start + (length & ~3);
  let i = start;
  for (; i < blockEnd; i += 4) {
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tailLength = length & 3;
  if (tailLength > 0) {
    let k = bytes[i];
    if (tailLength > 1) k ^= bytes[i + 1] << 8;
    if (tailLength > 2) k ^= bytes[i + 2] << 16;
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
