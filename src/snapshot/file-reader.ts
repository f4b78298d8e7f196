/**
 * Reads a snapshot file and checks every byte of it: magic, format version, header checksum and
 * fields, each block's structure and checksum, page-number order, trailer counts, file length
 * and the whole-file checksum.
 * Why one reader for the loader, `snapshot verify` and `snapshot inspect`: they must agree on
 * what a valid file is. The loader reads twice (validate everything, then build the heap), so a
 * bad file is refused before anything is built and is never half-loaded.
 * Invariants: a page is yielded only from a block whose checksum matched (when checksums are
 * on); the pages() generator either ends with the trailer or throws SnapshotFileError naming
 * the byte offset of the problem. The file is only ever opened read-only.
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
    const { header, fileLengthBytes } = this;
    const pageRecordBytes = recordBytes(header.pageSizeBytes);
    const checksums = header.checksums;
    let offsetBytes = this.#bodyStartBytes;
    let fileChecksum = this.#checksumAtBodyStart;
    let blockIndex = 0;
    let recordCount = 0;
    let nextPageNumber = 0;
    let progressReportedAtBytes = 0;
    for (;;) {
      if (offsetBytes + TRAILER_BYTES > fileLengthBytes) throw fileEnds(fileLengthBytes);
      const blockHeader = readExactly(this.#fd, offsetBytes, BLOCK_HEADER_BYTES);
      const tag = blockHeader.readUInt32LE(0);
      if (tag === TRAILER_TAG) break;
      if (tag !== BLOCK_TAG) {
        throw new SnapshotFileError(`expected block ${blockIndex} or the trailer at byte ${offsetBytes}`);
      }
      const blockRecordCount = blockHeader.readUInt32LE(4);
      if (blockRecordCount < 1 || blockRecordCount > header.blockPageCount) {
        throw new SnapshotFileError(`block ${blockIndex} at byte ${offsetBytes} has a bad record count (${blockRecordCount})`);
      }
      const bodyBytes = blockRecordCount * pageRecordBytes + CHECKSUM_BYTES;
      if (offsetBytes + BLOCK_HEADER_BYTES + bodyBytes + TRAILER_BYTES > fileLengthBytes) throw fileEnds(fileLengthBytes);
      const body = readExactly(this.#fd, offsetBytes + BLOCK_HEADER_BYTES, bodyBytes);
      const records = body.subarray(0, bodyBytes - CHECKSUM_BYTES);
      if (checksums) {
        const blockChecksum = crc32(records, crc32(blockHeader));
        if (body.readUInt32LE(bodyBytes - CHECKSUM_BYTES) !== blockChecksum) {
          throw new SnapshotFileError(`block ${blockIndex} at byte ${offsetBytes} has a bad checksum`);
        }
        fileChecksum = crc32(body.subarray(bodyBytes - CHECKSUM_BYTES), fileChecksum);
      }
      for (let index = 0; index < blockRecordCount; index += 1) {
        const recordStart = index * pageRecordBytes;
        const pageNumber = records.readUInt32LE(recordStart);
        if (pageNumber < nextPageNumber || pageNumber >= header.pageCount) {
          throw new SnapshotFileError(`block ${blockIndex} at byte ${offsetBytes} has page number ${pageNumber} out of order or range`);
        }
        nextPageNumber = pageNumber + 1;
        recordCount += 1;
        yield { pageNumber, bytes: records.subarray(recordStart + 4, recordStart + pageRecordBytes) };
      }
      offsetBytes += BLOCK_HEADER_BYTES + bodyBytes;
      blockIndex += 1;
      if (onProgress !== undefined && offsetBytes - progressReportedAtBytes >= READ_PROGRESS_INTERVAL_BYTES) {
        progressReportedAtBytes = offsetBytes;
        onProgress({ bytesRead: offsetBytes, fileLengthBytes });
      }
    }
    const trailer = this.#readTrailer(offsetBytes, fileChecksum);
    if (trailer.blockCount !== blockIndex || trailer.recordCount !== recordCount) {
      throw new SnapshotFileError(
        `trailer at byte ${offsetBytes} counts ${trailer.blockCount} blocks and ${trailer.recordCount} pages, the file has ${blockIndex} and ${recordCount}`,
      );
    }
    if (recordCount !== header.usedPageCount) {
      throw new SnapshotFileError(`file has ${recordCount} pages, the header says ${header.usedPageCount}`);
    }
    onProgress?.({ bytesRead: fileLengthBytes, fileLengthBytes });
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

function fileEnds(fileLengthBytes: number): SnapshotFileError {
  return new SnapshotFileError(`file ends after ${fileLengthBytes} bytes`);
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
