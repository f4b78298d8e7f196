/**
 * The segment list every strategy's capture records: the heap's segments reduced to the two
 * numbers the snapshot file keeps (first page, page count).
 * Why a file: the stw, copy and cow captures all take it, from heap.layout() or an epoch share's
 * segments, and must agree on it exactly.
 * Invariant: a fresh array of fresh objects, so later growth of the heap cannot change a capture.
 */

import type { SegmentLayout } from '../cow/heap.js';
import type { SnapshotSegment } from './format.js';

/** The file's view of `layout`: first page and page count of each segment, in order. */
export function snapshotSegmentsOf(layout: readonly SegmentLayout[]): SnapshotSegment[] {
  return layout.map((segment) => ({ firstPage: segment.firstPage, pageCount: segment.pageCount }));
}
