/**
 * One heap segment: a SharedArrayBuffer of whole pages plus the per-page state array the
 * snapshot protocol shares with the reader thread.
 * Why per segment: SharedArrayBuffers cannot grow, and a worker may hold a segment's buffers for
 * the length of a snapshot, so the heap grows by adding segments, never by reallocating one.
 * Invariants: views are private to src/cow (this module is not imported from outside it);
 * `baseAddress === firstPage * pageSizeBytes`; the segment's first `metadataPageCount` pages hold
 * metadata (header in segment 0, then the segment's page descriptors).
 */
import { PAGE_STATE_FIELD_COUNT } from './snapshot-epoch.js';

export class Segment {
  readonly index: number;
  readonly firstPage: number;
  readonly pageCount: number;
  readonly baseAddress: number;
  readonly sizeBytes: number;
  /** Metadata pages at the start of the segment (header pages in segment 0, descriptor pages). */
  readonly metadataPageCount: number;
  /** Address of the descriptor of this segment's first page. */
  readonly descriptorBaseAddress: number;
  /** The same, as an offset into this segment's buffer. */
  readonly descriptorBaseOffset: number;
  readonly buffer: SharedArrayBuffer;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** Node Buffer over the same memory, for native compare. */
  readonly nodeBuffer: Buffer;
  readonly stateBuffer: SharedArrayBuffer;
  /** PAGE_STATE_FIELD_COUNT Int32 fields per page (see snapshot-epoch.ts). */
  readonly state: Int32Array;
  /**
   * Main-thread-only: the epoch in which the main thread last finished claiming each page. The
   * barrier's fast path reads this plain array instead of the shared state: an Atomics.load is a
   * builtin call in Node 20, several times dearer than a plain load.
   */
  readonly writerEpochs: Int32Array;

  constructor(options: {
    index: number;
    firstPage: number;
    pageCount: number;
    pageSizeBytes: number;
    metadataPageCount: number;
    descriptorBaseAddress: number;
  }) {
    this.index = options.index;
    this.firstPage = options.firstPage;
    this.pageCount = options.pageCount;
    this.baseAddress = options.firstPage * options.pageSizeBytes;
    this.sizeBytes = options.pageCount * options.pageSizeBytes;
    this.metadataPageCount = options.metadataPageCount;
    this.descriptorBaseAddress = options.descriptorBaseAddress;
    this.descriptorBaseOffset = options.descriptorBaseAddress - this.baseAddress;
    this.buffer = new SharedArrayBuffer(this.sizeBytes);
    this.bytes = new Uint8Array(this.buffer);
    this.view = new DataView(this.buffer);
    this.nodeBuffer = Buffer.from(this.buffer);
    this.stateBuffer = new SharedArrayBuffer(options.pageCount * PAGE_STATE_FIELD_COUNT * 4);
    this.state = new Int32Array(this.stateBuffer);
    this.writerEpochs = new Int32Array(options.pageCount);
  }
}
