/**
 * cowkv's version, read from the package.json above this file (works from src/ under vitest
 * and from dist/src/ after tsc, whose depths differ).
 */

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Levels to climb looking for package.json before giving up. */
const PACKAGE_SEARCH_DEPTH_MAX = 6;

export function readPackageVersion(): string {
  let directory = path.dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < PACKAGE_SEARCH_DEPTH_MAX; depth++) {
    const manifestPath = path.join(directory, 'package.json');
    if (existsSync(manifestPath)) {
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'cowkv' && typeof manifest.version === 'string') return manifest.version;
    }
    directory = path.dirname(directory);
  }
  return '0.0.0';
}
