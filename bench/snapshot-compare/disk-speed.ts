/**
 * The disk's sequential write speed as `dd` measures it, in the directory the servers write their
 * snapshots to, so a snapshot's write speed can be read as a fraction of what the disk does:
 *   dd if=/dev/zero of=<dir>/ddtest bs=1M count=<n> conv=fdatasync
 * Why: "MB/s written" means little on its own on a shared or virtual disk; the target is
 * either an absolute figure or 70% of dd on the same disk.
 * Invariants: the test file is removed whatever happens; a missing or failing dd gives null (the
 * report then says so) instead of failing the benchmark; speeds are MiB/s (2^20 bytes), like the
 * snapshot write speeds they are compared with.
 * Not here: the snapshot write speed itself (metrics.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

export interface DiskSpeed {
  /** The command as run (the file name shown with its directory). */
  readonly command: string;
  readonly bytesWritten: number;
  /** dd's own elapsed time (from its summary line), fdatasync included. */
  readonly seconds: number;
  readonly miBPerSec: number;
}

/** dd's summary line, e.g. "1073741824 bytes (1.1 GB, 1.0 GiB) copied, 4.72 s, 227 MB/s". */
const DD_SUMMARY = /^(\d+) bytes .* copied, ([\d.]+) s,/m;

/** Runs dd in a fresh temp dir under `parentDirectory` (default: os.tmpdir(), where bench servers keep their data). */
export function measureDiskSpeed(sizeMiB: number, parentDirectory: string = os.tmpdir()): DiskSpeed | null {
  if (sizeMiB <= 0) return null;
  const directory = mkdtempSync(path.join(parentDirectory, 'cowkv-bench-dd-'));
  const filePath = path.join(directory, 'ddtest');
  const args = ['if=/dev/zero', `of=${filePath}`, 'bs=1M', `count=${sizeMiB}`, 'conv=fdatasync'];
  try {
    const startMs = performance.now();
    const result = spawnSync('dd', args, { encoding: 'utf8' });
    const elapsedSeconds = (performance.now() - startMs) / 1000;
    if (result.status !== 0) return null;
    const match = DD_SUMMARY.exec(result.stderr);
    const bytesWritten = match === null ? sizeMiB * 1024 * 1024 : Number(match[1]);
    const seconds = match === null ? elapsedSeconds : Number(match[2]);
    if (!(seconds > 0)) return null;
    return { command: `dd ${args.join(' ')}`, bytesWritten, seconds, miBPerSec: Math.round((bytesWritten / (1024 * 1024) / seconds) * 10) / 10 };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** A write speed as a fraction of dd's (null when either is unknown). */
export function fractionOfDisk(writeMiBPerSec: number | null, disk: DiskSpeed | null): number | null {
  if (writeMiBPerSec === null || disk === null || disk.miBPerSec <= 0) return null;
  return Math.round((writeMiBPerSec / disk.miBPerSec) * 1000) / 1000;
}
