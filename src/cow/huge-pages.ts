/**
 * adviseHugePages: asks the kernel for transparent huge pages for a restored heap's segments,
 * through the optional native helper (src/cow/native/huge-pages.c, madvise MADV_HUGEPAGE).
 * Why: a restored heap's fresh SharedArrayBuffers fault in on first write, and in a VM each
 * 4 KiB fault traps to the hypervisor (~11 us here), which made page faults most of a snapshot
 * load. With 2 MiB pages the loader and its prefault thread (prefault.ts) take 512 times fewer
 * faults: a 302 MB load took 413-547 ms against 1,011-1,336 ms (bench:load, alternating runs).
 * Only restored segments get it: they are full and live long. Segments the heap grows into
 * later keep 4 KiB pages, so growth never stalls on zeroing or compacting 2 MiB at once.
 * Copy-on-write is unaffected: snapshots copy the heap's own 4 KiB pages in user space.
 * Invariants: no byte changes and nothing is mapped by the call itself (so this is not a heap
 * mutation and bypasses nothing in the write API); false means nothing happened (helper not
 * built, COWKV_NATIVE=0, or a kernel without THP) and everything works as before, only slower.
 * The helper is loaded at most once per process.
 * Not here: building the helper (scripts/build-native.mjs, run by npm install and npm run build).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface NativeHugePages {
  /** 0, or the errno madvise failed with. */
  adviseHugePages(view: Uint8Array): number;
}

const HELPER_RELATIVE_PATH = path.join('src', 'cow', 'native', 'build', 'Release', 'cowkv_huge_pages.node');
/** This file runs as src/cow/huge-pages.ts (tests) or dist/src/cow/huge-pages.js: the repository root is 2 or 3 levels up. */
const ROOT_LEVELS_MAX = 3;

let helper: NativeHugePages | null | undefined;

function helperPath(): string | null {
  let directory = path.dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level <= ROOT_LEVELS_MAX; level++) {
    const candidate = path.join(directory, HELPER_RELATIVE_PATH);
    if (existsSync(candidate)) return candidate;
    directory = path.dirname(directory);
  }
  return null;
}

function loadHelper(): NativeHugePages | null {
  if (helper !== undefined) return helper;
  helper = null;
  if (process.env.COWKV_NATIVE === '0') return helper;
  const file = helperPath();
  if (file === null) return helper;
  try {
    const loaded = createRequire(import.meta.url)(file) as Partial<NativeHugePages>;
    if (typeof loaded.adviseHugePages === 'function') helper = loaded as NativeHugePages;
  } catch {
    helper = null;
  }
  return helper;
}

/** Whether the native helper is built and loadable here. */
export function isHugePagesHelperAvailable(): boolean {
  return loadHelper() !== null;
}

/** Asks for huge pages for every buffer; true only if the helper did so for all of them. */
export function adviseHugePages(buffers: readonly SharedArrayBuffer[]): boolean {
  const native = loadHelper();
  if (native === null) return false;
  let isAdvised = true;
  for (const buffer of buffers) {
    if (native.adviseHugePages(new Uint8Array(buffer)) !== 0) isAdvised = false;
  }
  return isAdvised;
}
