/**
 * Where a snapshot worker thread's module is: the compiled file next to the calling module, or,
 * when running from TypeScript sources (tests), the build's copy in dist/ (tests that need a
 * real worker run after `tsc`).
 * Why one function: the writer thread and the early-flush thread find their modules the same way.
 */

import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `fileName` (e.g. 'writer-worker.js') in this folder, compiled. */
export function snapshotWorkerUrl(fileName: string): URL {
  const sibling = new URL(`./${fileName}`, import.meta.url);
  if (fs.existsSync(fileURLToPath(sibling))) return sibling;
  return new URL(`../../dist/src/snapshot/${fileName}`, import.meta.url);
}
