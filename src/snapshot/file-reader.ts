/**
 * Reads a snapshot file and checks every byte of it: magic, format version, header checksum and
 * fields, each block's structure and checksum, page-number order, trailer counts, file length
 * and the whole-file checksum.
 * Why one reader for the loader, `snapshot verify` and `snapshot inspect`: they must agree on
 * what a valid file is. Two ways to walk the blocks, with the same checks in the same order:
 * - pages() yields each page from a buffer per block (verify, inspect, tests);
 * - readPagesInto(target) is the loader's fast path: it reads each block's pages straight into
 *   the heap under construction with one scatter read (readv), guessing that a block's pages
 *   follow the previous page; a gap (a page that was free) is put right after the checks by
 *   moving pages up and zeroing the guessed places that were wrong. No block buffer, no copy.
 * Invariants: a page is yielded only from a block whose checksum matched (when checksums are
 * on); readPagesInto may write a block's bytes into the target before checking them, so its
 * caller must drop the target's heap when it throws (loader.ts does); both end with the
 * trailer or throw SnapshotFileError naming the byte offset of the problem. The file is only
 * ever opened read-only.
 * Not here: building a heap from the pages (loader.ts).
 */

import * as fs from 'node:fs';

import { crc32 } from './checksum.js';
import {
  BLOCK_HEADER_BYTES,
  BLOCK_TAG,
  CHECKSUM_BYTES,
  HEADER_BYTES_MAX,
  HEAP_LAYOUT_VERSION,
  PREFIX_BYTES,
  SNAPSHOT_FORMAT_VERSION,
  SNAPSHOT_MAGIC,
  TRAILER_BYTES,
  TRAILER_CHECKSUM_OFFSET,
  TRAILER_TAG,
  UNDECODABLE,
  decodeHeaderBytes,
  decodeTrailer,
  findInvalidHeaderField,
  recordBytes,
  type SnapshotHeader,
  type SnapshotTrailer,
} from './format.js';
import { errorMessage } from './file-system.js';
import type { HeapRestoreTarget } from '../cow/heap.js';

/** Progress is reported at least this often while reading (and at the end). */
export const READ_PROGRESS_INTERVAL_BYTES = 16 * 1024 * 1024;

/** A problem with the file's contents, at a byte offset when there is one. */
export class SnapshotFileError extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.name = 'SnapshotFileError';
    this.reason = reason;
  }
}

export interface SnapshotPage {
  readonly pageNumber: number;
  /** The page image (pageSizeBytes); a view into a buffer private to this page's block. */
  readonly bytes: Uint8Array;
}

export interface ReadProgress {
  readonly bytesRead: number;
  readonly fileLengthBytes: number;
}

export type OpenSnapshotResult =
  | { readonly status: 'ok'; readonly reader: SnapshotFileReader }
  | { readonly status: 'invalid'; readonly reason: string };

/** Opens a snapshot and validates its prefix and header (not yet its blocks). */
export function openSnapshotFile(filePath: string): OpenSnapshotResult {
  let fd: number;
  try {
    fd = fs.openSync(filePath, 'r');
  } catch (error) {
    return { status: 'invalid', reason: `cannot open file: ${errorMessage(error)}` };
  }
  try {
    const fileLengthBytes = fs.fstatSync(fd).size;
    const header = readHeader(fd, fileLengthBytes);
    return { status: 'ok', reader: new SnapshotFileReader({ fd, fileLengthBytes, ...header }) };
  } catch (error) {
    fs.closeSync(fd);
    if (error instanceof SnapshotFileError) return { status: 'invalid', reason: error.reason };
    return { status: 'invalid', reason: `cannot read file: ${errorMessage(error)}` };
  }
}

interface HeaderRead {
  readonly header: SnapshotHeader;
  /** Offset of the first block (or the trailer). */
  readonly bodyStartBytes: number;
  /** CRC-32 of the bytes before bodyStartBytes. */
  readonly checksumAtBodyStart: number;
}

function readHeader(fd: number, fileLengthBytes: number): HeaderRead {
  if (fileLengthBytes < PREFIX_BYTES) throw fileEnds(fileLengthBytes);
  const prefix = readExactly(fd, 0, PREFIX_BYTES);
  if (!prefix.subarray(0, SNAPSHOT_MAGIC.length).equals(SNAPSHOT_MAGIC)) {
    throw new SnapshotFileError('not a cowkv snapshot (bad magic at byte 0)');
  }
  const formatVersion = prefix.readUInt32LE(8);
  if (formatVersion > SNAPSHOT_FORMAT_VERSION) {
    throw new SnapshotFileError(
      `format version ${formatVersion} is newer than this program supports (${SNAPSHOT_FORMAT_VERSION})`,
    );
  }
  if (formatVersion !== SNAPSHOT_FORMAT_VERSION) {
    throw new SnapshotFileError(`format version ${formatVersion} is not supported (expected ${SNAPSHOT_FORMAT_VERSION})`);
  }
  const headerLength = prefix.readUInt32LE(12);
  if (headerLength > HEADER_BYTES_MAX) {
    throw new SnapshotFileError(`header length ${headerLength} at byte 12 is larger than ${HEADER_BYTES_MAX}`);
  }
  const bodyStartBytes = PREFIX_BYTES + headerLength + CHECKSUM_BYTES;
  if (fileLengthBytes < bodyStartBytes) throw fileEnds(fileLengthBytes);
  const rest = readExactly(fd, PREFIX_BYTES, headerLength + CHECKSUM_BYTES);
  const checksumAtHeaderEnd = crc32(rest.subarray(0, headerLength), crc32(prefix));
  if (rest.readUInt32LE(headerLength) !== checksumAtHeaderEnd) {
    throw new SnapshotFileError(`header at byte ${PREFIX_BYTES} has a bad checksum`);
  }
  const decoded = decodeHeaderBytes(rest.subarray(0, headerLength));
  if (decoded === UNDECODABLE) throw new SnapshotFileError(`header at byte ${PREFIX_BYTES} cannot be decoded`);
  const invalidField = findInvalidHeaderField(decoded);
  if (invalidField !== null) throw new SnapshotFileError(`header field "${invalidField}" is invalid`);
  const header = decoded as SnapshotHeader;
  if (header.formatVersion !== formatVersion) throw new SnapshotFileError('header field "formatVersion" is invalid');
  if (header.heapLayoutVersion !== HEAP_LAYOUT_VERSION) {
    throw new SnapshotFileError(
      `heap layout version ${header.heapLayoutVersion} is not supported (expected ${HEAP_LAYOUT_VERSION})`,
    );
  }
  return { header, bodyStartBytes, checksumAtBodyStart: crc32(rest.subarray(headerLength), checksumAtHeaderEnd) };
}

interface ReaderParts extends HeaderRead {
  readonly fd: number;
  readonly fileLengthBytes: number;
}

/** An open, header-validated snapshot file. close() it when done. */
export class SnapshotFileReader {
  readonly #fd: number;
  readonly #bodyStartBytes: number;
  readonly #checksumAtBodyStart: number;
  #isClosed = false;
  readonly header: SnapshotHeader;
  readonly fileLengthBytes: number;

  constructor(parts: ReaderParts) {
    this.#fd = parts.fd;
    this.#bodyStartBytes = parts.bodyStartBytes;
    this.#checksumAtBodyStart = parts.checksumAtBodyStart;
    this.header = parts.header;
    this.fileLengthBytes = parts.fileLengthBytes;
  }

  /**
   * Yields every page in file order, validating as it goes; returns the trailer. Throws
   * SnapshotFileError at the first problem. May be run more than once.
   */
  *pages(onProgress?: (progress: ReadProgress) => void): Generator<SnapshotPage, SnapshotTrailer, void> {
    const { header } = this;
    const pageRecordBytes = recordBytes(header.pageSizeBytes);
    const walk = this.#startWalk(onProgress);
    for (;;) {
      const block = this.#readBlockHeader(walk);
      if (block === null) break;
      const body = readExactly(this.#fd, block.offsetBytes + BLOCK_HEADER_BYTES, block.bodyBytes);
      const records = body.subarray(0, block.bodyBytes - CHECKSUM_BYTES);
      const storedChecksum = body.subarray(block.bodyBytes - CHECKSUM_BYTES);
      const checksum = header.checksums ? crc32(records, crc32(block.headerBytes)) : 0;
      this.#checkBlockChecksum(walk, block, checksum, storedChecksum);
      for (let index = 0; index < block.recordCount; index += 1) {
        const recordStart = index * pageRecordBytes;
        const pageNumber = this.#checkPageNumber(walk, block, records.readUInt32LE(recordStart));
        yield { pageNumber, bytes: records.subarray(recordStart + 4, recordStart + pageRecordBytes) };
      }
      this.#endBlock(walk, block);
    }
    return this.#finishWalk(walk);
  }

  /**
   * The loader's fast path: puts every page into `target` (a heap under construction), with
   * the same checks as pages(); returns the trailer. Bytes of a block are in the target before
   * its checksum is checked: on a throw, drop the target's heap.
   */
  readPagesInto(target: HeapRestoreTarget, onProgress?: (progress: ReadProgress) => void): SnapshotTrailer {
    const { header } = this;
    const walk = this.#startWalk(onProgress);
    // One u32 slot per record's page number, reused by every block.
    const pageNumberSlots = Buffer.alloc(header.blockPageCount * 4);
    const storedChecksum = Buffer.alloc(CHECKSUM_BYTES);
    for (;;) {
      const block = this.#readBlockHeader(walk);
      if (block === null) break;
      const guessedFirstPage = walk.nextPageNumber;
      if (guessedFirstPage + block.recordCount > target.pageCount) {
        this.#copyBlockInto(target, walk, block); // the guess leaves the layout: the file is wrong, find out where
        continue;
      }
      const views: Uint8Array[] = [];
      for (let index = 0; index < block.recordCount; index += 1) {
        views.push(pageNumberSlots.subarray(index * 4, index * 4 + 4), target.pageView(guessedFirstPage + index));
      }
      views.push(storedChecksum);
      readvExactly(this.#fd, views, block.offsetBytes + BLOCK_HEADER_BYTES, block.bodyBytes);
      let checksum = 0;
      if (header.checksums) {
        checksum = crc32(block.headerBytes);
        for (let index = 0; index < views.length - 1; index += 1) checksum = crc32(views[index], checksum);
      }
      this.#checkBlockChecksum(walk, block, checksum, storedChecksum);
      let isGuessRight = true;
      for (let index = 0; index < block.recordCount; index += 1) {
        const pageNumber = this.#checkPageNumber(walk, block, pageNumberSlots.readUInt32LE(index * 4));
        if (pageNumber !== guessedFirstPage + index) isGuessRight = false;
      }
      if (!isGuessRight) placeGuessedPages(target, guessedFirstPage, pageNumberSlots, block.recordCount);
      this.#endBlock(walk, block);
    }
    return this.#finishWalk(walk);
  }

  /** readPagesInto for a block it cannot guess places for: read it whole, then copy each page. */
  #copyBlockInto(target: HeapRestoreTarget, walk: BlockWalk, block: BlockStart): void {
    const pageRecordBytes = recordBytes(this.header.pageSizeBytes);
    const body = readExactly(this.#fd, block.offsetBytes + BLOCK_HEADER_BYTES, block.bodyBytes);
    const records = body.subarray(0, block.bodyBytes - CHECKSUM_BYTES);
    const checksum = this.header.checksums ? crc32(records, crc32(block.headerBytes)) : 0;
    this.#checkBlockChecksum(walk, block, checksum, body.subarray(block.bodyBytes - CHECKSUM_BYTES));
    for (let index = 0; index < block.recordCount; index += 1) {
      const recordStart = index * pageRecordBytes;
      const pageNumber = this.#checkPageNumber(walk, block, records.readUInt32LE(recordStart));
      target.writePage(pageNumber, records.subarray(recordStart + 4, recordStart + pageRecordBytes));
    }
    this.#endBlock(walk, block);
  }

  #startWalk(onProgress: ((progress: ReadProgress) => void) | undefined): BlockWalk {
    return {
      offsetBytes: this.#bodyStartBytes,
      fileChecksum: this.#checksumAtBodyStart,
      blockIndex: 0,
      recordCount: 0,
      nextPageNumber: 0,
      progressReportedAtBytes: 0,
      onProgress,
    };
  }

  /** The next block's header, checked; null at the trailer. */
  #readBlockHeader(walk: BlockWalk): BlockStart | null {
    const { header, fileLengthBytes } = this;
    const offsetBytes = walk.offsetBytes;
    if (offsetBytes + TRAILER_BYTES > fileLengthBytes) throw fileEnds(fileLengthBytes);
    const headerBytes = readExactly(this.#fd, offsetBytes, BLOCK_HEADER_BYTES);
    const tag = headerBytes.readUInt32LE(0);
    if (tag === TRAILER_TAG) return null;
    if (tag !== BLOCK_TAG) {
      throw new SnapshotFileError(`expected block ${walk.blockIndex} or the trailer at byte ${offsetBytes}`);
    }
    const recordCount = headerBytes.readUInt32LE(4);
    if (recordCount < 1 || recordCount > header.blockPageCount) {
      throw new SnapshotFileError(`block ${walk.blockIndex} at byte ${offsetBytes} has a bad record count (${recordCount})`);
    }
    const bodyBytes = recordCount * recordBytes(header.pageSizeBytes) + CHECKSUM_BYTES;
    if (offsetBytes + BLOCK_HEADER_BYTES + bodyBytes + TRAILER_BYTES > fileLengthBytes) throw fileEnds(fileLengthBytes);
    return { offsetBytes, headerBytes, recordCount, bodyBytes };
  }

  /** `computed`: CRC-32 of the block from its tag to its last record (ignored without checksums). */
  #checkBlockChecksum(walk: BlockWalk, block: BlockStart, computed: number, stored: Buffer): void {
    if (!this.header.checksums) return;
    if (stored.readUInt32LE(0) !== computed) {
      throw new SnapshotFileError(`block ${walk.blockIndex} at byte ${block.offsetBytes} has a bad checksum`);
    }
    walk.fileChecksum = crc32(stored, walk.fileChecksum);
  }

  #checkPageNumber(walk: BlockWalk, block: BlockStart, pageNumber: number): number {
    if (pageNumber < walk.nextPageNumber || pageNumber >= this.header.pageCount) {
      throw new SnapshotFileError(`block ${walk.blockIndex} at byte ${block.offsetBytes} has page number ${pageNumber} out of order or range`);
    }
    walk.nextPageNumber = pageNumber + 1;
    walk.recordCount += 1;
    return pageNumber;
  }

  #endBlock(walk: BlockWalk, block: BlockStart): void {
    walk.offsetBytes = block.offsetBytes + BLOCK_HEADER_BYTES + block.bodyBytes;
    walk.blockIndex += 1;
    if (walk.onProgress !== undefined && walk.offsetBytes - walk.progressReportedAtBytes >= READ_PROGRESS_INTERVAL_BYTES) {
      walk.progressReportedAtBytes = walk.offsetBytes;
      walk.onProgress({ bytesRead: walk.offsetBytes, fileLengthBytes: this.fileLengthBytes });
    }
  }

  /** The trailer, checked against what the walk counted. */
  #finishWalk(walk: BlockWalk): SnapshotTrailer {
    const { offsetBytes, blockIndex, recordCount } = walk;
    const trailer = this.#readTrailer(offsetBytes, walk.fileChecksum);
    if (trailer.blockCount !== blockIndex || trailer.recordCount !== recordCount) {
      throw new SnapshotFileError(
        `trailer at byte ${offsetBytes} counts ${trailer.blockCount} blocks and ${trailer.recordCount} pages, the file has ${blockIndex} and ${recordCount}`,
      );
    }
    if (recordCount !== this.header.usedPageCount) {
      throw new SnapshotFileError(`file has ${recordCount} pages, the header says ${this.header.usedPageCount}`);
    }
    walk.onProgress?.({ bytesRead: this.fileLengthBytes, fileLengthBytes: this.fileLengthBytes });
    return trailer;
  }

  #readTrailer(offsetBytes: number, fileChecksum: number): SnapshotTrailer {
    const bytes = readExactly(this.#fd, offsetBytes, TRAILER_BYTES);
    const trailer = decodeTrailer(bytes);
    if (trailer === null) throw new SnapshotFileError(`trailer at byte ${offsetBytes} is malformed`);
    if (trailer.fileLengthBytes !== this.fileLengthBytes || offsetBytes + TRAILER_BYTES !== this.fileLengthBytes) {
      throw new SnapshotFileError(
        `trailer at byte ${offsetBytes} says the file is ${trailer.fileLengthBytes} bytes, it is ${this.fileLengthBytes}`,
      );
    }
    if (this.header.checksums) {
      const expected = crc32(bytes.subarray(0, TRAILER_CHECKSUM_OFFSET), fileChecksum);
      if (trailer.fileChecksum !== expected) {
        throw new SnapshotFileError(`file checksum at byte ${offsetBytes + TRAILER_CHECKSUM_OFFSET} does not match`);
      }
    }
    return trailer;
  }

  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    fs.closeSync(this.#fd);
  }
}

/** Where a walk over the blocks is, and what it has checked so far. */
interface BlockWalk {
  offsetBytes: number;
  /** CRC-32 of the file up to offsetBytes, as the trailer's checksum counts it. */
  fileChecksum: number;
  blockIndex: number;
  recordCount: number;
  /** Page numbers must increase: the next one is at least this. */
  nextPageNumber: number;
  progressReportedAtBytes: number;
  readonly onProgress: ((progress: ReadProgress) => void) | undefined;
}

interface BlockStart {
  readonly offsetBytes: number;
  /** The block's tag and record count, as read. */
  readonly headerBytes: Buffer;
  readonly recordCount: number;
  /** Records plus the checksum field. */
  readonly bodyBytes: number;
}

/**
 * Puts right a block read to guessed places: record i went to page guessedFirstPage + i, and
 * belongs at page pageNumbers[i] (checked: increasing, so never below its guess). Moving from the
 * last record down never overwrites a record not yet moved; then every guessed page that is no
 * record's page was free in the file and goes back to zero.
 */
function placeGuessedPages(target: HeapRestoreTarget, guessedFirstPage: number, pageNumbers: Buffer, recordCount: number): void {
  for (let index = recordCount - 1; index >= 0; index -= 1) {
    target.movePage(guessedFirstPage + index, pageNumbers.readUInt32LE(index * 4));
  }
  let recordIndex = 0;
  for (let page = guessedFirstPage; page < guessedFirstPage + recordCount; page += 1) {
    while (recordIndex < recordCount && pageNumbers.readUInt32LE(recordIndex * 4) < page) recordIndex += 1;
    if (recordIndex < recordCount && pageNumbers.readUInt32LE(recordIndex * 4) === page) continue;
    target.zeroPage(page);
  }
}

function fileEnds(fileLengthBytes: number): SnapshotFileError {
  return new SnapshotFileError(`file ends after ${fileLengthBytes} bytes`);
}

/**
 * Fills `views` in order from `position` (`length` bytes in all). A read may stop short (libuv
 * passes at most IOV_MAX views per call): continue after the bytes that arrived; no bytes at
 * all means the file ends early.
 */
function readvExactly(fd: number, views: readonly Uint8Array[], position: number, length: number): void {
  let pending = views;
  let readBytes = 0;
  while (readBytes < length) {
    const count = fs.readvSync(fd, pending, position + readBytes);
    if (count === 0) throw new SnapshotFileError(`file ends after ${position + readBytes} bytes`);
    readBytes += count;
    if (readBytes < length) pending = viewsAfter(pending, count);
  }
}

/** The views still to fill after `count` more bytes arrived. */
function viewsAfter(views: readonly Uint8Array[], count: number): Uint8Array[] {
  let skipped = 0;
  let index = 0;
  while (skipped + views[index].length <= count) {
    skipped += views[index].length;
    index += 1;
  }
  return [views[index].subarray(count - skipped), ...views.slice(index + 1)];
}

/** Reads exactly `length` bytes at `position`; a short read means the file changed under us. */
function readExactly(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let readBytes = 0;
  while (readBytes < length) {
    const count = fs.readSync(fd, buffer, readBytes, length - readBytes, position + readBytes);
    if (count === 0) throw new SnapshotFileError(`file ends after ${position + readBytes} bytes`);
    readBytes += count;
  }
  return buffer;
}
