#!/usr/bin/env node
/**
 * Builds cowkv's optional native helper (src/cow/native: madvise MADV_HUGEPAGE, so a restored
 * heap is faulted in 2 MiB at a time) with node-gyp, against the Node headers npm is set to use.
 * Why a script: it is optional. Without a compiler or headers the build is skipped with a
 * warning and a load faults 4 KiB pages, as before (slower on VMs, otherwise the same);
 * `npm install`, `npm start` and `npm test` must keep working either way.
 * Up to date (the .node file newer than huge-pages.c and binding.gyp): does nothing.
 * COWKV_NATIVE=0 skips the build (and huge-pages.ts then never loads the helper).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const directory = path.join(root, 'src', 'cow', 'native');
const output = path.join(directory, 'build', 'Release', 'cowkv_huge_pages.node');
const sources = ['huge-pages.c', 'binding.gyp'].map((name) => path.join(directory, name));

function isUpToDate() {
  if (!existsSync(output)) return false;
  const builtMs = statSync(output).mtimeMs;
  return sources.every((source) => statSync(source).mtimeMs <= builtMs);
}

if (process.env.COWKV_NATIVE === '0') {
  process.exit(0);
}
if (isUpToDate()) process.exit(0);

// npm sets npm_config_node_gyp to its bundled node-gyp in scripts; outside npm, try PATH.
const nodeGyp = process.env.npm_config_node_gyp;
const command = nodeGyp ? process.execPath : 'node-gyp';
const args = [...(nodeGyp ? [nodeGyp] : []), 'rebuild', '--directory', directory];
const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (result.status === 0 && existsSync(output)) {
  process.stdout.write(`cowkv: built the native huge-pages helper (${path.relative(root, output)})\n`);
} else {
  const reason = result.error ? result.error.message : (result.stderr || result.stdout || '').trim().split('\n').slice(-3).join(' | ');
  process.stdout.write(
    'cowkv: warning: the native huge-pages helper was not built; snapshot loads will fault in ' +
    `4 KiB pages instead (slower on VMs, otherwise the same). ${reason}\n`,
  );
}
