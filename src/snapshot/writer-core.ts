/**
 * The synchronous snapshot writer: reads pages from a PageSource, packs them into checksummed
 * blocks and writes them to a temp file, which it then fsyncs and renames over the snapshot.
 * Why synchronous, driven by step(pageBudget): the worker thread is a thin loop around it, and
 * tests run it in-process, interleaving store writes between steps, so every race between the
 * writer and the main thread can be replayed deterministically.
 *
 *   step 1: open temp-<pid>-<n>.snap, write magic + header
 *   step k: read up to pageBudget page numbers; full blocks are written with one writeSync
 *   last  : partial block, trailer, fsync, close, rename over the snapshot, fsync the directory
 *   (with an EarlyFlusher, every intervalBytes written also asks it for a background fdatasync,
 *   so the final fsync has only the tail left to flush)
 *
 * Crash safety: the snapshot file is only ever replaced by rename(2) of a complete, fsynced temp
 * file, so a crash at any moment leaves the previous snapshot (or none) loadable.
 * Invariants: a failed or aborted writer has closed and removed its temp file; 'done' means the
 * new snapshot is durable under its final name; pages written === header.usedPageCount; the fd
 * is fsynced or closed only after the early flusher is idle (it never flushes a closed fd).
 * Not here: choosing the snapshot point (strategies), threads (writer-worker.ts, bgsave.ts).
 */

import assert from 'node:assert/strict';
import * as path from 'node:path';

import { crc32 } from './checksum.js';
import {
  BLOCK_HEADER_BYTES,
  CHECKSUM_BYTES,
  RECORD_HEADER_BYTES,
  TRAILER_BYTES,
  TRAILER_CHECKSUM_OFFSET,
  blockBytes,
  encodeFileStart,
  encodeTrailer,
  recordBytes,
  writeBlockHeader,
  type SnapshotHeader,
} from './format.js';
import {
  DIRECTORY_FSYNC_UNSUPPORTED_CODES,
  NODE_FILE_SYSTEM,
  errorCode,
  errorMessage,
  type SnapshotFileSystem,
} from './file-system.js';
import type { PageSource } from './page-source.js';
import type { EarlyFlusher } from './early-flush.js';

/** Which part of writing a snapshot failed: logged and shown to operators. */
export type WriterStepName =
  | 'open' | 'read' | 'write' | 'verify' | 'fsync' | 'close' | 'rename' | 'fsync-directory'
  /** Stopped on request (shutdown), or the worker thread died (see bgsave.ts). */
  | 'aborted' | 'worker';

export interface WriterFailure {
  readonly step: WriterStepName;
  readonly message: string;
}

export type WriterStepResult = 'more' | 'done' | 'failed';

export interface WriterProgress {
  /** Page numbers looked at so far, out of pageCount. */
  readonly pagesScanned: number;
  readonly pageCount: number;
  /** Page records written (used pages). */
  readonly pagesWritten: number;
  /** Bytes handed to the file so far, header included. */
  readonly bytesWritten: number;
}

export interface SnapshotWriterOptions {
  /** The data directory: temp file and snapshot live here. */
  readonly directory: string;
  /** The snapshot's name in `directory` (Redis's dbfilename). */
  readonly fileName: string;
  /** The temp file's name in `directory`, e.g. from tempFileNameFor(). */
  readonly tempFileName: string;
  readonly header: SnapshotHeader;
  readonly source: PageSource;
  /** node:fs unless a test injects failures. */
  readonly fileSystem?: SnapshotFileSystem;
  /**
   * Flushes written data in the background every intervalBytes (early-flush.ts); without one,
   * all the data reaches the disk in the final fsync.
   */
  readonly earlyFlusher?: EarlyFlusher;
}

/** `temp-<pid>-<sequence>.snap`: unique per process and attempt, recognisable for clean-up. */
export function tempFileNameFor(sequence: number, pid: number = process.pid): string {
  return `temp-${pid}-${sequence}.snap`;
}

type WriterState = 'new' | 'writing' | 'done' | 'failed' | 'aborted';

/** Writes one snapshot file; see the module header for the step sequence. */
export class SnapshotWriterCore {
  readonly #fileSystem: SnapshotFileSystem;
  readonly #earlyFlusher: EarlyFlusher | null;
  /** File position at the last early-flush request. */
  #flushRequestedAtBytes = 0;
  readonly #source: PageSource;
  readonly #header: SnapshotHeader;
  readonly #tempPath: string;
  readonly #finalPath: string;
  readonly #directory: string;
  readonly #recordBytes: number;
  /** One block's bytes: block header, records, CRC. Reused for every block. */
  readonly #block: Buffer;
  #blockRecordCount = 0;
  #blockCount = 0;
  #state: WriterState = 'new';
  #fd = -1;
  #positionBytes = 0;
  #fileChecksum = 0;
  #pagesScanned = 0;
  #pagesWritten = 0;
  #failure: WriterFailure | null = null;

  constructor(options: SnapshotWriterOptions) {
    assert.equal(options.source.pageSizeBytes, options.header.pageSizeBytes);
    assert.equal(options.source.pageCount, options.header.pageCount);
    this.#fileSystem = options.fileSystem ?? NODE_FILE_SYSTEM;
    this.#earlyFlusher = options.earlyFlusher ?? null;
    this.#source = options.source;
    this.#header = options.header;
    this.#directory = options.directory;
    this.#tempPath = path.join(options.directory, options.tempFileName);
    this.#finalPath = path.join(options.directory, options.fileName);
    this.#recordBytes = recordBytes(options.header.pageSizeBytes);
    this.#block = Buffer.alloc(blockBytes(options.header.pageSizeBytes, options.header.blockPageCount));
  }

  /** Why the writer failed, once step() returned 'failed'. */
  get failure(): WriterFailure | null {
    return this.#failure;
  }

  get tempPath(): string {
    return this.#tempPath;
  }

  get finalPath(): string {
    return this.#finalPath;
  }

  get progress(): WriterProgress {
    return {
      pagesScanned: this.#pagesScanned,
      pageCount: this.#header.pageCount,
      pagesWritten: this.#pagesWritten,
      bytesWritten: this.#positionBytes,
    };
  }

  /**
   * Reads up to `pageBudget` page numbers and writes what fills up. 'done' once the snapshot
   * is renamed into place and durable; 'failed' (see failure) with the temp file removed.
   */
  step(pageBudget: number): WriterStepResult {
    assert.ok(pageBudget >= 1);
    if (this.#state === 'done') return 'done';
    if (this.#state === 'failed' || this.#state === 'aborted') return 'failed';
    if (this.#state === 'new') {
      if (!this.#openTempFile()) return 'failed';
      this.#state = 'writing';
    }
    if (!this.#writePages(pageBudget)) return 'failed';
    if (this.#pagesScanned < this.#header.pageCount) return 'more';
    if (!this.#finishFile()) return 'failed';
    this.#state = 'done';
    return 'done';
  }

  /** Stops writing and removes the temp file (shutdown, or the snapshot's owner gave up). */
  abort(): void {
    if (this.#state === 'done' || this.#state === 'failed' || this.#state === 'aborted') return;
    this.#removeTempFile();
    this.#state = 'aborted';
  }

  #openTempFile(): boolean {
    try {
      this.#fd = this.#fileSystem.openSync(this.#tempPath, 'w', 0o644);
    } catch (error) {
      return this.#fail('open', `cannot create temp file "${this.#tempPath}": ${errorMessage(error)}`);
    }
    const fileStart = encodeFileStart(this.#header);
    if (this.#header.checksums) this.#fileChecksum = crc32(fileStart);
    return this.#writeBytes(fileStart);
  }

  #writePages(pageBudget: number): boolean {
    const pageSizeBytes = this.#header.pageSizeBytes;
    const scanEnd = Math.min(this.#header.pageCount, this.#pagesScanned + pageBudget);
    while (this.#pagesScanned < scanEnd) {
      const pageNumber = this.#pagesScanned;
      const recordStart = BLOCK_HEADER_BYTES + this.#blockRecordCount * this.#recordBytes;
      const pageStart = recordStart + RECORD_HEADER_BYTES;
      let outcome: 'copied' | 'unused';
      try {
        outcome = this.#source.readPage(pageNumber, this.#block.subarray(pageStart, pageStart + pageSizeBytes));
      } catch (error) {
        return this.#fail('read', `cannot read page ${pageNumber}: ${errorMessage(error)}`);
      }
      this.#pagesScanned += 1;
      if (outcome === 'unused') continue;
      this.#block.writeUInt32LE(pageNumber, recordStart);
      this.#blockRecordCount += 1;
      this.#pagesWritten += 1;
      if (this.#blockRecordCount === this.#header.blockPageCount && !this.#flushBlock()) return false;
    }
    return true;
  }

  #flushBlock(): boolean {
    if (this.#blockRecordCount === 0) return true;
    writeBlockHeader(this.#block, this.#blockRecordCount);
    const checksumOffset = BLOCK_HEADER_BYTES + this.#blockRecordCount * this.#recordBytes;
    const checksum = this.#header.checksums ? crc32(this.#block.subarray(0, checksumOffset)) : 0;
    this.#block.writeUInt32LE(checksum, checksumOffset);
    // The file checksum chains block checksums, not block bytes: every byte is covered once.
    const checksumField = this.#block.subarray(checksumOffset, checksumOffset + CHECKSUM_BYTES);
    if (this.#header.checksums) this.#fileChecksum = crc32(checksumField, this.#fileChecksum);
    const bytes = this.#block.subarray(0, checksumOffset + CHECKSUM_BYTES);
    this.#blockRecordCount = 0;
    this.#blockCount += 1;
    return this.#writeBytes(bytes);
  }

  #finishFile(): boolean {
    if (!this.#flushBlock()) return false;
    if (this.#pagesWritten !== this.#header.usedPageCount) {
      return this.#fail(
        'verify',
        `wrote ${this.#pagesWritten} pages but the heap had ${this.#header.usedPageCount} in use at the snapshot point`,
      );
    }
    const trailer = encodeTrailer({
      blockCount: this.#blockCount,
      recordCount: this.#pagesWritten,
      fileLengthBytes: this.#positionBytes + TRAILER_BYTES,
    });
    if (this.#header.checksums) {
      const checksum = crc32(trailer.subarray(0, TRAILER_CHECKSUM_OFFSET), this.#fileChecksum);
      trailer.writeUInt32LE(checksum, TRAILER_CHECKSUM_OFFSET);
    }
    if (!this.#writeBytes(trailer)) return false;
    return this.#commitFile();
  }

  /** fsync, close, rename over the old snapshot, fsync the directory so the rename is durable. */
  #commitFile(): boolean {
    this.#earlyFlusher?.waitIdle();
    try {
      this.#fileSystem.fsyncSync(this.#fd);
    } catch (error) {
      return this.#fail('fsync', `cannot fsync "${this.#tempPath}": ${errorMessage(error)}`);
    }
    const fd = this.#fd;
    this.#fd = -1;
    try {
      this.#fileSystem.closeSync(fd);
    } catch (error) {
      return this.#fail('close', `cannot close "${this.#tempPath}": ${errorMessage(error)}`);
    }
    try {
      this.#fileSystem.renameSync(this.#tempPath, this.#finalPath);
    } catch (error) {
      return this.#fail('rename', `cannot rename "${this.#tempPath}" to "${this.#finalPath}": ${errorMessage(error)}`);
    }
    return this.#fsyncDirectory();
  }

  #fsyncDirectory(): boolean {
    let failureMessage: string | null = null;
    let directoryFd = -1;
    try {
      directoryFd = this.#fileSystem.openSync(this.#directory, 'r');
      this.#fileSystem.fsyncSync(directoryFd);
    } catch (error) {
      const code = errorCode(error);
      if (code === undefined || !DIRECTORY_FSYNC_UNSUPPORTED_CODES.has(code)) failureMessage = errorMessage(error);
    }
    if (directoryFd >= 0) {
      try {
        this.#fileSystem.closeSync(directoryFd);
      } catch (error) {
        failureMessage ??= errorMessage(error);
      }
    }
    if (failureMessage === null) return true;
    // The rename happened: the new snapshot is in place, but whether it survives a crash is not
    // known, so the save is reported as failed (as Redis does) without touching the new file.
    this.#failure = { step: 'fsync-directory', message: `cannot fsync directory "${this.#directory}": ${failureMessage}` };
    this.#state = 'failed';
    return false;
  }

  #writeBytes(bytes: Uint8Array): boolean {
    try {
      let writtenBytes = 0;
      while (writtenBytes < bytes.length) {
        writtenBytes += this.#fileSystem.writeSync(
          this.#fd,
          bytes,
          writtenBytes,
          bytes.length - writtenBytes,
          this.#positionBytes + writtenBytes,
        );
      }
    } catch (error) {
      return this.#fail('write', `cannot write "${this.#tempPath}" at byte ${this.#positionBytes}: ${errorMessage(error)}`);
    }
    this.#positionBytes += bytes.length;
    const flusher = this.#earlyFlusher;
    if (flusher !== null && this.#positionBytes - this.#flushRequestedAtBytes >= flusher.intervalBytes) {
      this.#flushRequestedAtBytes = this.#positionBytes;
      flusher.request(this.#fd);
    }
    return true;
  }

  /** Records the failure and removes the temp file; always returns false for `return fail()`. */
  #fail(step: WriterStepName, message: string): false {
    this.#failure = { step, message };
    this.#state = 'failed';
    this.#removeTempFile();
    return false;
  }

  #removeTempFile(): void {
    if (this.#fd >= 0) {
      this.#earlyFlusher?.waitIdle();
      const fd = this.#fd;
      this.#fd = -1;
      try {
        this.#fileSystem.closeSync(fd);
      } catch (error) {
        // Already failing; the unlink below is what matters. Keep the first failure's message.
        this.#failure ??= { step: 'close', message: errorMessage(error) };
      }
    }
    try {
      this.#fileSystem.unlinkSync(this.#tempPath);
    } catch (error) {
      // ENOENT: open failed before creating it. Anything else leaves a temp file behind: say so.
      if (errorCode(error) !== 'ENOENT' && this.#failure !== null) {
        this.#failure = { ...this.#failure, message: `${this.#failure.message} (temp file not removed: ${errorMessage(error)})` };
      }
    }
  }
}
