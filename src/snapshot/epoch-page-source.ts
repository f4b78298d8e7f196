/**
 * A PageSource over a copy-on-write epoch: src/cow's EpochReader, which takes each page either
 * live (winning the claim before the main thread writes it) or from its shadow copy.
 * Why a separate file: it is the only snapshot module that imports the cow reader, and the
 * worker opens it from an EpochShare posted to it.
 * Invariant: each page number is read once per epoch (the reader asserts it).
 */

import type { MessagePort } from 'node:worker_threads';

import type { EpochShare } from '../cow/heap.js';
import { EpochReader } from '../cow/snapshot-epoch.js';
import { CopyPageSource, type PageSource } from './page-source.js';
import type { PageSourceDescriptor } from './strategy.js';

export class EpochPageSource implements PageSource {
  readonly #reader: EpochReader;
  readonly pageSizeBytes: number;
  readonly pageCount: number;

  /** `shadowChunkPort`: where a worker receives shadow chunks added after the epoch opened. */
  constructor(share: EpochShare, shadowChunkPort?: MessagePort) {
    this.#reader = new EpochReader(share, shadowChunkPort === undefined ? {} : { shadowChunkPort });
    this.pageSizeBytes = share.pageSizeBytes;
    this.pageCount = share.pageCountAtStart;
  }

  readPage(pageNumber: number, target: Uint8Array): 'copied' | 'unused' {
    return this.#reader.readPage(pageNumber, target);
  }

  addShadowChunk(chunk: SharedArrayBuffer): void {
    this.#reader.addShadowChunk(chunk);
  }
}

/** Opens the page source a descriptor describes (in a worker, or in-process for tests). */
export function openPageSource(descriptor: PageSourceDescriptor, shadowChunkPort?: MessagePort): PageSource {
  switch (descriptor.kind) {
    case 'epoch':
      return new EpochPageSource(descriptor.share, shadowChunkPort);
    case 'copy':
      return new CopyPageSource(descriptor.copy);
  }
}
