/**
 * The file operations a snapshot writer needs, as an interface that node:fs satisfies.
 * Why: crash-safety tests inject a file system that fails at a chosen call (a full disk, a
 * failed fsync, a failed rename) and then check that the previous snapshot is intact and no
 * temp file is left behind. Production code passes node:fs itself.
 * Not here: the order of operations (writer-core.ts).
 */

import * as fs from 'node:fs';

/** The subset of node:fs the writer uses (synchronous: the writer core is synchronous). */
export interface SnapshotFileSystem {
  openSync(path: string, flags: string, mode?: number): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(oldPath: string, newPath: string): void;
  unlinkSync(path: string): void;
}

/** node:fs, as the writer uses it. */
export const NODE_FILE_SYSTEM: SnapshotFileSystem = {
  openSync: (path, flags, mode) => fs.openSync(path, flags, mode),
  writeSync: (fd, buffer, offset, length, position) => fs.writeSync(fd, buffer, offset, length, position),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  closeSync: (fd) => fs.closeSync(fd),
  renameSync: (oldPath, newPath) => fs.renameSync(oldPath, newPath),
  unlinkSync: (path) => fs.unlinkSync(path),
};

/** Error codes meaning "this file system cannot fsync a directory", not "the data is lost". */
export const DIRECTORY_FSYNC_UNSUPPORTED_CODES: ReadonlySet<string> = new Set(['EINVAL', 'ENOTSUP', 'EISDIR', 'EPERM']);

/** The `code` of a Node system error, or undefined. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** A one-line description of any thrown value. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
