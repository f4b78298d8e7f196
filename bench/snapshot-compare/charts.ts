/**
 * The snapshot benchmark's charts as Vega-Lite specs, rendered to SVG in Node (vega's headless
 * `renderer: 'none'` view): probe latency, extra memory and throughput over time with each
 * snapshot's window shaded, and the page-size sweep (copy amplification, shadow memory, pause).
 * Why Vega-Lite: declarative specs are short and reviewable, and built only from the series and
 * summaries saved in results.json, so a chart can be restyled and redrawn without re-running the
 * benchmark (`--render <dir>`); hand-built SVG strings are neither.
 * Invariants: every chart gets the same colour per series label (one domain for all charts);
 * time is ms relative to each snapshot's start; log scales never see zero (filtered).
 * Not here: the numbers (metrics.ts) or where files go (report-files.ts).
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { SeriesPoint, SnapshotSummary } from './metrics.js';

const SCHEMA_URL = 'https://vega.github.io/schema/vega-lite/v6.json';
const CHART_WIDTH_PX = 1000;
const CHART_HEIGHT_PX = 260;
const ROW_HEIGHT_PX = 110;
/** Decades only: Vega's default log ticks (1..9 per decade) draw a grid too dense to read. */
const LOG_AXIS = { values: [0.01, 0.1, 1, 10, 100, 1000, 10_000, 100_000] };
/** Throughput buckets are summed over this many ms so lines stay readable. */
const THROUGHPUT_SMOOTHING_MS = 50;

export interface SnapshotWindow {
  readonly label: string;
  readonly startMs: number;
  readonly endMs: number;
}

/** Renders one Vega-Lite spec to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function colorScale(labels: readonly string[]): object {
  return { domain: labels, scheme: 'category10' };
}

/** A time chart: shaded snapshot windows under one line per series. */
function timeChart(options: {
  title: string;
  points: readonly SeriesPoint[];
  windows: readonly SnapshotWindow[];
  labels: readonly string[];
  line: object;
}): TopLevelSpec {
  return {
    $schema: SCHEMA_URL,
    title: options.title,
    width: CHART_WIDTH_PX,
    height: CHART_HEIGHT_PX,
    layer: [
      {
        data: { values: options.windows as SnapshotWindow[] },
        mark: { type: 'rect', opacity: 0.12 },
        encoding: {
          x: { field: 'startMs', type: 'quantitative' },
          x2: { field: 'endMs' },
          color: { field: 'label', type: 'nominal', scale: colorScale(options.labels), title: 'snapshot' },
        },
      },
      { data: { values: options.points as SeriesPoint[] }, ...options.line } as never,
    ],
  } as TopLevelSpec;
}

const TIME_AXIS = { field: 'tMs', type: 'quantitative', title: 'ms since the snapshot started (shaded: snapshot running)' };

export function latencyChart(points: readonly SeriesPoint[], windows: readonly SnapshotWindow[], labels: readonly string[]): TopLevelSpec {
  return timeChart({
    title: 'Probe latency (max per 10 ms, one GET at a time about every ms)', points, windows, labels,
    line: {
      transform: [{ filter: 'datum.probeMaxMs > 0' }],
      mark: { type: 'line', strokeWidth: 1.2, interpolate: 'step-after' },
      encoding: {
        x: TIME_AXIS,
        y: { field: 'probeMaxMs', type: 'quantitative', scale: { type: 'log' }, axis: LOG_AXIS, title: 'latency ms (log)' },
        color: { field: 'label', type: 'nominal', scale: colorScale(labels), title: 'snapshot' },
      },
    },
  });
}

export function memoryChart(points: readonly SeriesPoint[], windows: readonly SnapshotWindow[], labels: readonly string[]): TopLevelSpec {
  return timeChart({
    title: 'Extra memory (RSS − RSS before the snapshot; Redis: + fork child\'s copied pages)', points, windows, labels,
    line: {
      transform: [{ filter: 'datum.extraMemoryMb !== null' }],
      mark: { type: 'line', strokeWidth: 1.5 },
      encoding: {
        x: TIME_AXIS,
        y: { field: 'extraMemoryMb', type: 'quantitative', title: 'MiB' },
        color: { field: 'label', type: 'nominal', scale: colorScale(labels), title: 'snapshot' },
      },
    },
  });
}

export function throughputChart(points: readonly SeriesPoint[], windows: readonly SnapshotWindow[], labels: readonly string[]): TopLevelSpec {
  return timeChart({
    title: `Write throughput (SETs/s completed by the load process, per ${THROUGHPUT_SMOOTHING_MS} ms)`, points, windows, labels,
    line: {
      transform: [
        { calculate: `floor(datum.tMs / ${THROUGHPUT_SMOOTHING_MS}) * ${THROUGHPUT_SMOOTHING_MS}`, as: 'tSmoothMs' },
        { aggregate: [{ op: 'mean', field: 'opsPerSec', as: 'opsPerSecMean' }], groupby: ['label', 'tSmoothMs'] },
      ],
      mark: { type: 'line', strokeWidth: 1.5, interpolate: 'step-after' },
      encoding: {
        x: { ...TIME_AXIS, field: 'tSmoothMs' },
        y: { field: 'opsPerSecMean', type: 'quantitative', title: 'SETs per second' },
        color: { field: 'label', type: 'nominal', scale: colorScale(labels), title: 'snapshot' },
      },
    },
  });
}

/** Probe latency as small multiples, one row per snapshot on a shared time axis (the overlay gets crowded). */
export function latencyRowsChart(points: readonly SeriesPoint[], windows: readonly SnapshotWindow[], labels: readonly string[]): TopLevelSpec {
  const rows = labels.map((label) => ({
    title: label,
    width: CHART_WIDTH_PX,
    height: ROW_HEIGHT_PX,
    layer: [
      {
        data: { values: windows.filter((window) => window.label === label) },
        mark: { type: 'rect', opacity: 0.15 },
        encoding: {
          x: { field: 'startMs', type: 'quantitative' },
          x2: { field: 'endMs' },
          color: { field: 'label', type: 'nominal', scale: colorScale(labels), legend: null },
        },
      },
      {
        data: { values: points.filter((point) => point.label === label) },
        transform: [{ filter: 'datum.probeMaxMs > 0' }],
        mark: { type: 'line', strokeWidth: 1.2, interpolate: 'step-after' },
        encoding: {
          x: TIME_AXIS,
          y: { field: 'probeMaxMs', type: 'quantitative', scale: { type: 'log' }, axis: LOG_AXIS, title: 'max ms (log)' },
          color: { field: 'label', type: 'nominal', scale: colorScale(labels), legend: null },
        },
      },
    ],
  }));
  return {
    $schema: SCHEMA_URL,
    title: 'Probe latency per snapshot (max per 10 ms; shaded: snapshot running)',
    vconcat: rows,
    resolve: { scale: { x: 'shared', y: 'shared' } },
  } as TopLevelSpec;
}

/** The page-size sweep: copy amplification, shadow peak and start pause per page size. */
export function sweepChart(summaries: readonly SnapshotSummary[]): TopLevelSpec {
  const rows = summaries.map((summary) => ({
    pageSize: summary.pageSizeText,
    copyAmplification: summary.copyAmplification ?? 0,
    shadowPeakMb: (summary.shadowPeakBytes ?? 0) / (1024 * 1024),
    startPauseUs: summary.startPauseUs ?? 0,
    probeP99Ms: (summary.probeP99UsDuring ?? 0) / 1000,
  }));
  const order = summaries.map((summary) => summary.pageSizeText);
  const panel = (field: string, title: string): object => ({
    width: 220,
    height: 200,
    title,
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'pageSize', type: 'ordinal', sort: order, title: 'page size' },
      y: { field, type: 'quantitative', title },
    },
  });
  return {
    $schema: SCHEMA_URL,
    title: 'cow strategy by page size',
    data: { values: rows },
    hconcat: [
      panel('copyAmplification', 'bytes copied per byte written'),
      panel('shadowPeakMb', 'shadow peak MiB'),
      panel('startPauseUs', 'start pause µs'),
      panel('probeP99Ms', 'probe p99 during the snapshot, ms'),
    ],
  } as TopLevelSpec;
}
