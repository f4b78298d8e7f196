/**
 * The snapshot file format: constants, the header, block and trailer encodings.
 * A snapshot is mostly raw page images, so saving and loading run close to disk speed with no
 * per-key encoding. Only the header (small, extensible) is msgpackr; page data is raw bytes.
 *
 *   offset 0   "COWKVSNP"                 magic, 8 bytes
 *          8   u32 formatVersion           little endian, like every integer below
 *         12   u32 headerLength
 *         16   header (msgpackr map)       SnapshotHeader
 *   16+len     u32 CRC-32 of bytes [0, 16+len)   always written, whatever `checksums` says
 *   blocks     u32 BLOCK_TAG, u32 recordCount (1..header.blockPageCount),
 *              recordCount x (u32 pageNumber, pageSizeBytes bytes),
 *              u32 CRC-32 of the block from its tag up to here (0 when checksums are off)
 *   trailer    u32 TRAILER_TAG, u32 blockCount, u32 recordCount, u32 reserved (0),
 *              u64 fileLengthBytes (the whole file, trailer included),
 *              u32 file checksum (0 when checksums are off): CRC-32 over the file start (magic
 *              to header CRC), then each block's CRC field in order, then the trailer's first
 *              24 bytes. Every byte is covered by exactly one CRC and the chain ties them
 *              together, so page data is hashed once, not twice.
 *
 * Invariants: page numbers are strictly increasing across the file and below header.pageCount;
 * recordCount in the trailer equals the records in the blocks and header.usedPageCount.
 * Why a trailer with the file length: a file cut at any byte is recognised as truncated.
 * Not here: reading and validating whole files (file-reader.ts), writing them (writer-core.ts).
 */

// `msgpackr/pack` is msgpackr's plain JS build (same Packr): the package root also tries to
// load its native string-decoding addon, which adds 15-25 ms to importing it here and does
// nothing for a small header.
import { Packr } from 'msgpackr/pack';

import { PAGE_SIZE_BYTES_MAX, PAGE_SIZE_BYTES_MIN } from '../cow/heap.js';
import { HEAP_LAYOUT_VERSION } from '../cow/heap-layout.js';
import { HEAP_ADDRESS_SPACE_BYTES } from '../cow/paged-heap.js';
import { crc32 } from './checksum.js';

/** First 8 bytes of every snapshot. */
export const SNAPSHOT_MAGIC = Buffer.from('COWKVSNP', 'latin1');
/** The format this code writes; the loader refuses any other. */
export const SNAPSHOT_FORMAT_VERSION = 1;
/** Version of the heap's byte layout (allocator metadata, descriptors) the page images assume. */
export { HEAP_LAYOUT_VERSION };

/** Bytes before the header: magic, format version, header length. */
export const PREFIX_BYTES = 16;
/** A header larger than this is refused as corrupt (real headers are a few hundred bytes). */
export const HEADER_BYTES_MAX = 1024 * 1024;
export const CHECKSUM_BYTES = 4;

/** "PBLK" and "TEND" read as little-endian u32. */
export const BLOCK_TAG = 0x4b4c4250;
export const TRAILER_TAG = 0x444e4554;
/** Block tag + record count. */
export const BLOCK_HEADER_BYTES = 8;
/** Page number before each page image. */
export const RECORD_HEADER_BYTES = 4;
/** Tag, block count, record count, reserved, u64 file length, CRC-32. */
export const TRAILER_BYTES = 28;
/** Offset of the whole-file CRC inside the trailer. */
export const TRAILER_CHECKSUM_OFFSET = 24;

/** A block aims at this many bytes of page data: big enough for one cheap syscall per block. */
export const BLOCK_TARGET_BYTES = 256 * 1024;
/** Upper bound on pages per block, whatever the page size (keeps a block's buffer bounded). */
export const BLOCK_PAGE_COUNT_MAX = 1024;
/** Databases the store has (SELECT 0..15); key counts in the header have this many entries. */
export const DATABASE_COUNT = 16;

/** Where one heap segment sits in the global page numbering (mirror of cow's SegmentLayout). */
export interface SnapshotSegment {
  readonly firstPage: number;
  readonly pageCount: number;
}

/** Everything the header says about the snapshot. */
export interface SnapshotHeader {
  readonly formatVersion: number;
  readonly pageSizeBytes: number;
  readonly heapLayoutVersion: number;
  readonly createdAtMs: number;
  /** Which strategy wrote it: 'cow', 'stw', 'copy'. */
  readonly strategy: string;
  /** Keys per database at the snapshot point (DATABASE_COUNT entries). */
  readonly keyCountsPerDb: readonly number[];
  readonly segments: readonly SnapshotSegment[];
  /** Pages in all segments at the snapshot point (page numbers 0 .. pageCount-1). */
  readonly pageCount: number;
  /** Pages holding something at the snapshot point: the number of page records. */
  readonly usedPageCount: number;
  /** Most page records in one block. */
  readonly blockPageCount: number;
  /** False when written with `rdbchecksum no`: block and file CRCs are 0 and not checked. */
  readonly checksums: boolean;
  /** Free text naming the program that wrote the file. */
  readonly creator: string;
}

/** Pages per block for a page size: about BLOCK_TARGET_BYTES of data, at least one page. */
export function blockPageCountFor(pageSizeBytes: number): number {
  return Math.max(1, Math.min(BLOCK_PAGE_COUNT_MAX, Math.floor(BLOCK_TARGET_BYTES / pageSizeBytes)));
}

/** Bytes of one page record. */
export function recordBytes(pageSizeBytes: number): number {
  return RECORD_HEADER_BYTES + pageSizeBytes;
}

/** Bytes of a block holding `recordCount` pages, tag to CRC. */
export function blockBytes(pageSizeBytes: number, recordCount: number): number {
  return BLOCK_HEADER_BYTES + recordCount * recordBytes(pageSizeBytes) + CHECKSUM_BYTES;
}

// Plain msgpack maps: no record extension, so the header needs no shared structure state and any
// msgpack reader can dump it.
const HEADER_PACKR = new Packr({ useRecords: false, mapsAsObjects: true, variableMapSize: true });

/** Magic, version, length, header, header CRC: the bytes that open a snapshot file. */
export function encodeFileStart(header: SnapshotHeader): Buffer {
  const headerBytes = HEADER_PACKR.pack({ ...header });
  const fileStart = Buffer.alloc(PREFIX_BYTES + headerBytes.length + CHECKSUM_BYTES);
  SNAPSHOT_MAGIC.copy(fileStart, 0);
  fileStart.writeUInt32LE(header.formatVersion, 8);
  fileStart.writeUInt32LE(headerBytes.length, 12);
  headerBytes.copy(fileStart, PREFIX_BYTES);
  const checksumOffset = PREFIX_BYTES + headerBytes.length;
  fileStart.writeUInt32LE(crc32(fileStart.subarray(0, checksumOffset)), checksumOffset);
  return fileStart;
}

/** Decodes header bytes (without prefix and CRC) into a plain object; 'undecodable' on error. */
export function decodeHeaderBytes(headerBytes: Uint8Array): unknown {
  try {
    return HEADER_PACKR.unpack(headerBytes);
  } catch {
    // Corrupt msgpack is an expected input here: the caller reports it with the file offset.
    return UNDECODABLE;
  }
}

/** Returned by decodeHeaderBytes when msgpackr cannot decode the bytes. */
export const UNDECODABLE: unique symbol = Symbol('undecodable');

/** A header field that failed validation, or null if the header is well formed. */
export function findInvalidHeaderField(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'header';
  const header = value as Record<string, unknown>;
  const isCount = (field: unknown): boolean => Number.isSafeInteger(field) && (field as number) >= 0;
  const pageSizeBytes = header.pageSizeBytes;
  if (!isCount(pageSizeBytes) || (pageSizeBytes as number) < PAGE_SIZE_BYTES_MIN) return 'pageSizeBytes';
  if ((pageSizeBytes as number) > PAGE_SIZE_BYTES_MAX) return 'pageSizeBytes';
  if (((pageSizeBytes as number) & ((pageSizeBytes as number) - 1)) !== 0) return 'pageSizeBytes';
  if (!isCount(header.formatVersion)) return 'formatVersion';
  if (!isCount(header.heapLayoutVersion)) return 'heapLayoutVersion';
  if (typeof header.createdAtMs !== 'number' || !Number.isFinite(header.createdAtMs)) return 'createdAtMs';
  if (typeof header.strategy !== 'string') return 'strategy';
  if (typeof header.creator !== 'string') return 'creator';
  if (typeof header.checksums !== 'boolean') return 'checksums';
  if (!Array.isArray(header.keyCountsPerDb) || !header.keyCountsPerDb.every(isCount)) return 'keyCountsPerDb';
  if (!isCount(header.pageCount)) return 'pageCount';
  // A heap larger than its address space cannot exist: refuse before allocating segments for it.
  if ((header.pageCount as number) * (pageSizeBytes as number) > HEAP_ADDRESS_SPACE_BYTES) return 'pageCount';
  if (!isCount(header.usedPageCount) || (header.usedPageCount as number) > (header.pageCount as number)) {
    return 'usedPageCount';
  }
  if (!isCount(header.blockPageCount) || (header.blockPageCount as number) < 1) return 'blockPageCount';
  if ((header.blockPageCount as number) > BLOCK_PAGE_COUNT_MAX) return 'blockPageCount';
  if (!areSegmentsValid(header.segments, header.pageCount as number)) return 'segments';
  return null;
}

/** Segments must tile page numbers 0 .. pageCount-1 in order, without gaps or overlap. */
function areSegmentsValid(segments: unknown, pageCount: number): boolean {
  if (!Array.isArray(segments)) return false;
  let nextPage = 0;
  for (const segment of segments) {
    if (typeof segment !== 'object' || segment === null) return false;
    const { firstPage, pageCount: segmentPageCount } = segment as Record<string, unknown>;
    if (firstPage !== nextPage) return false;
    if (!Number.isSafeInteger(segmentPageCount) || (segmentPageCount as number) < 1) return false;
    nextPage += segmentPageCount as number;
  }
  return nextPage === pageCount;
}

/** The block prefix: tag and record count. */
export function writeBlockHeader(target: Buffer, recordCount: number): void {
  target.writeUInt32LE(BLOCK_TAG, 0);
  target.writeUInt32LE(recordCount, 4);
}

export interface SnapshotTrailer {
  readonly blockCount: number;
  readonly recordCount: number;
  readonly fileLengthBytes: number;
  /** The chained file checksum (see the module header); 0 when checksums are off. */
  readonly fileChecksum: number;
}

/** The trailer with a zero checksum field; the writer fills it after hashing the rest. */
export function encodeTrailer(trailer: Omit<SnapshotTrailer, 'fileChecksum'>): Buffer {
  const bytes = Buffer.alloc(TRAILER_BYTES);
  bytes.writeUInt32LE(TRAILER_TAG, 0);
  bytes.writeUInt32LE(trailer.blockCount, 4);
  bytes.writeUInt32LE(trailer.recordCount, 8);
  bytes.writeUInt32LE(0, 12);
  bytes.writeBigUInt64LE(BigInt(trailer.fileLengthBytes), 16);
  return bytes;
}

/** Reads a trailer; null when the tag or reserved field is wrong. */
export function decodeTrailer(bytes: Buffer): SnapshotTrailer | null {
  if (bytes.length !== TRAILER_BYTES) return null;
  if (bytes.readUInt32LE(0) !== TRAILER_TAG || bytes.readUInt32LE(12) !== 0) return null;
  const fileLengthBytes = bytes.readBigUInt64LE(16);
  if (fileLengthBytes > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return {
    blockCount: bytes.readUInt32LE(4),
    recordCount: bytes.readUInt32LE(8),
    fileLengthBytes: Number(fileLengthBytes),
    fileChecksum: bytes.readUInt32LE(TRAILER_CHECKSUM_OFFSET),
  };
}
