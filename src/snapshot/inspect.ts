/**
 * `snapshot inspect` and `snapshot verify`: read a snapshot file and report what is in it and
 * whether it would load.
 * Why: operators need to check a file before trusting it (after a copy, before a restart) and
 * to see what a snapshot holds without starting a server. Both go through the same reader the
 * loader uses, so "verify says ok" means "the loader accepts it".
 * verify --deep goes further: it rebuilds the heap, checks the allocator's integrity and
 * attaches the keyspace, comparing key counts with the header.
 * Invariants: the file is only read. Results are values; printing and exit codes are the
 * caller's (cli-commands.ts).
 */

import { restoreHeap } from '../cow/paged-heap.js';
import { Store } from '../store/store.js';
import { openSnapshotFile, SnapshotFileError, type SnapshotFileReader } from './file-reader.js';
import { errorMessage } from './file-system.js';
import type { SnapshotHeader, SnapshotTrailer } from './format.js';
import { attachFailureReason, refusal, restoreFailureReason } from './loader.js';

export interface SnapshotReport {
  readonly filePath: string;
  readonly fileLengthBytes: number;
  readonly header: SnapshotHeader;
  readonly trailer: SnapshotTrailer;
  /** Used pages per segment, in segment order. */
  readonly usedPagesPerSegment: readonly number[];
}

export type InspectResult =
  | { readonly status: 'ok'; readonly report: SnapshotReport }
  | { readonly status: 'invalid'; readonly message: string };

/** Reads and validates the whole file, collecting what inspect shows. */
export function inspectSnapshot(filePath: string): InspectResult {
  const opened = openSnapshotFile(filePath);
  if (opened.status === 'invalid') return { status: 'invalid', message: refusal(filePath, opened.reason) };
  const reader = opened.reader;
  try {
    const usedPagesPerSegment = reader.header.segments.map(() => 0);
    let segmentIndex = 0;
    const pages = reader.pages();
    let next = pages.next();
    while (next.done !== true) {
      const pageNumber = next.value.pageNumber;
      while (pageNumber >= segmentEnd(reader, segmentIndex)) segmentIndex += 1;
      usedPagesPerSegment[segmentIndex] += 1;
      next = pages.next();
    }
    const report = { filePath, fileLengthBytes: reader.fileLengthBytes, header: reader.header, trailer: next.value, usedPagesPerSegment };
    return { status: 'ok', report };
  } catch (error) {
    if (error instanceof SnapshotFileError) return { status: 'invalid', message: refusal(filePath, error.reason) };
    return { status: 'invalid', message: refusal(filePath, errorMessage(error)) };
  } finally {
    reader.close();
  }
}

function segmentEnd(reader: SnapshotFileReader, segmentIndex: number): number {
  const segment = reader.header.segments[segmentIndex];
  return segment.firstPage + segment.pageCount;
}

export type VerifyResult =
  | { readonly status: 'ok'; readonly report: SnapshotReport; readonly deepChecks: readonly string[] }
  | { readonly status: 'invalid'; readonly message: string };

/**
 * Checks the file as the loader would; with `deep`, also rebuilds the heap, checks its
 * integrity and attaches the keyspace.
 */
export function verifySnapshot(filePath: string, options: { readonly deep?: boolean } = {}): VerifyResult {
  const inspected = inspectSnapshot(filePath);
  if (inspected.status === 'invalid') return inspected;
  if (options.deep !== true) return { status: 'ok', report: inspected.report, deepChecks: [] };
  const deep = deepVerify(filePath);
  if (deep.status === 'invalid') return deep;
  return { status: 'ok', report: inspected.report, deepChecks: deep.checks };
}

function deepVerify(filePath: string): { status: 'ok'; checks: string[] } | { status: 'invalid'; message: string } {
  const opened = openSnapshotFile(filePath);
  if (opened.status === 'invalid') return { status: 'invalid', message: refusal(filePath, opened.reason) };
  const reader = opened.reader;
  try {
    const header = reader.header;
    const heap = restoreHeap({ pageSizeBytes: header.pageSizeBytes, maxMemoryBytes: 0 }, header.segments, reader.pages());
    const integrity = heap.verifyIntegrity();
    const checks = [`heap integrity ok: ${integrity.allocationCount} allocations, ${integrity.usedPageCount} pages in use`];
    let store: Store;
    try {
      store = Store.attach(heap, { databases: Math.max(1, header.keyCountsPerDb.length) });
    } catch (error) {
      return { status: 'invalid', message: refusal(filePath, attachFailureReason(error)) };
    }
    const keyCounts = store.keyCountsPerDb();
    const mismatch = header.keyCountsPerDb.findIndex((count, db) => keyCounts[db] !== count);
    if (mismatch >= 0) {
      const reason = `database ${mismatch} holds ${keyCounts[mismatch]} keys, the header says ${header.keyCountsPerDb[mismatch]}`;
      return { status: 'invalid', message: refusal(filePath, reason) };
    }
    checks.push(`keyspace attached: ${keyCounts.reduce((sum, count) => sum + count, 0)} keys, as the header says`);
    return { status: 'ok', checks };
  } catch (error) {
    const reason = error instanceof SnapshotFileError ? error.reason : restoreFailureReason(error);
    return { status: 'invalid', message: refusal(filePath, reason) };
  } finally {
    reader.close();
  }
}

/** The human-readable inspect report, one fact per line. */
export function formatReport(report: SnapshotReport): string {
  const { header, trailer } = report;
  const usedPercent = header.pageCount === 0 ? 0 : (100 * header.usedPageCount) / header.pageCount;
  const segments = header.segments
    .map((segment, index) => `${segment.firstPage}-${segment.firstPage + segment.pageCount - 1} (${report.usedPagesPerSegment[index]} used)`)
    .join(', ');
  const keyParts = header.keyCountsPerDb.flatMap((count, db) => (count > 0 ? [`db${db}=${count}`] : []));
  const keyTotal = header.keyCountsPerDb.reduce((sum, count) => sum + count, 0);
  return [
    `file: ${report.filePath} (${report.fileLengthBytes} bytes)`,
    `format version: ${header.formatVersion}`,
    `creator: ${header.creator}`,
    `created: ${new Date(header.createdAtMs).toISOString()}`,
    `strategy: ${header.strategy}`,
    `page size: ${header.pageSizeBytes} bytes`,
    `heap layout version: ${header.heapLayoutVersion}`,
    `segments: ${header.segments.length}: ${segments}`,
    `pages: ${header.pageCount} total, ${header.usedPageCount} used (${usedPercent.toFixed(1)}%)`,
    `blocks: ${trailer.blockCount} (up to ${header.blockPageCount} pages each)`,
    `checksums: ${header.checksums ? 'yes (verified)' : 'no (written with rdbchecksum no)'}`,
    `keys: ${keyTotal}${keyParts.length > 0 ? ` (${keyParts.join(' ')})` : ''}`,
  ].join('\n');
}
