/**
 * DEBUG DIGEST and DEBUG DIGEST-VALUE, computed exactly as Redis computes them (debug.c's
 * xorDigest, mixDigest, xorObjectDigest and computeDatasetDigest), so a cowkv dataset and a
 * Redis dataset fed the same commands give the same 40 hex digits.
 * Why: tests and learners compare datasets with it: across a restart from a snapshot, and
 * against a real redis-server running the same workload.
 * The algorithm, per key: d = 0; mix(d, key); mix(d, type as a big-endian u32); mix(d, value);
 * if the key has an expiry, xor(d, "!!expire!!") (the time itself is not part of it). Per
 * non-empty database j in order: mix(total, j as a big-endian u32), then xor each key's d into
 * total. xor(d, bytes) XORs SHA-1(bytes) into d; mix(d, bytes) is xor followed by d = SHA-1(d).
 * Invariants: the result does not depend on key order within a database (keys are XORed in);
 * an empty dataset gives 40 zeros; only strings exist, whose value is mixed as its bytes (an
 * integer-encoded string as its decimal text, which is what we store).
 */

import { createHash } from 'node:crypto';

export const DIGEST_BYTES = 20;
/** The digest of an empty dataset, and DIGEST-VALUE of a missing key. */
export const EMPTY_DIGEST = '0'.repeat(DIGEST_BYTES * 2);
const EXPIRE_MARK = Buffer.from('!!expire!!', 'latin1');

/** One key and its value, as the digest sees it. */
export interface DigestEntry {
  readonly key: Uint8Array;
  /** Redis's type number (OBJ_STRING = 0, ...), the index in the store's TYPE_NAMES. */
  readonly typeCode: number;
  readonly value: Uint8Array;
  readonly hasExpiry: boolean;
}

function sha1(bytes: Uint8Array): Buffer {
  return createHash('sha1').update(bytes).digest();
}

/** Redis's xorDigest: digest ^= SHA-1(bytes). */
function xorDigest(digest: Buffer, bytes: Uint8Array): void {
  const hash = sha1(bytes);
  for (let index = 0; index < DIGEST_BYTES; index++) digest[index] ^= hash[index];
}

/** Redis's mixDigest: xorDigest, then digest = SHA-1(digest). */
function mixDigest(digest: Buffer, bytes: Uint8Array): void {
  xorDigest(digest, bytes);
  sha1(digest).copy(digest);
}

function u32BigEndian(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value, 0);
  return bytes;
}

/** Redis's xorObjectDigest into `digest`: type, value, and the expiry mark. */
function mixValue(digest: Buffer, entry: DigestEntry): void {
  mixDigest(digest, u32BigEndian(entry.typeCode));
  mixDigest(digest, entry.value);
  if (entry.hasExpiry) xorDigest(digest, EXPIRE_MARK);
}

/** DEBUG DIGEST-VALUE of one key (its key bytes are not part of it, as in Redis). */
export function valueDigest(entry: DigestEntry | null): string {
  if (entry === null) return EMPTY_DIGEST;
  const digest = Buffer.alloc(DIGEST_BYTES);
  mixValue(digest, entry);
  return digest.toString('hex');
}

/** Accumulates DEBUG DIGEST over the databases, visited in increasing order. */
export class DatasetDigest {
  readonly #total = Buffer.alloc(DIGEST_BYTES);
  readonly #entryDigest = Buffer.alloc(DIGEST_BYTES);

  /** Starts database `db`; call only for a database that has at least one key. */
  beginDatabase(db: number): void {
    mixDigest(this.#total, u32BigEndian(db));
  }

  add(entry: DigestEntry): void {
    const digest = this.#entryDigest;
    digest.fill(0);
    mixDigest(digest, entry.key);
    mixValue(digest, entry);
    xorDigest(this.#total, digest);
  }

  /** 40 lowercase hex digits (all zeros when nothing was added). */
  hex(): string {
    return this.#total.toString('hex');
  }
}
