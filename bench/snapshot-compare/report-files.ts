/**
 * Writes the snapshot benchmark's outputs into one directory: `results.json` (parameters, raw
 * per-bucket series, summaries, chart specs), `results.md` (the tables), one SVG per chart, and
 * `index.html` showing the tables and charts together.
 * Why one directory of static files: it can be committed under docs/, opened from disk, and
 * screenshotted in CI without a web server.
 * Invariants: the HTML references only files written beside it (relative names); every SVG
 * named in `results.json` `charts` exists.
 * Not here: measuring (run-target.ts) or the chart specs themselves (charts.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { SeriesPoint, SnapshotSummary } from './metrics.js';
import { renderSvg } from './charts.js';
import { fractionOfDisk, type DiskSpeed } from './disk-speed.js';

export interface ReportChart {
  readonly fileName: string;
  readonly title: string;
  readonly spec: TopLevelSpec;
}

export interface ReportContent {
  readonly parameters: object;
  readonly environment: object;
  readonly summaries: readonly SnapshotSummary[];
  readonly sweepSummaries: readonly SnapshotSummary[];
  readonly series: readonly SeriesPoint[];
  readonly sweepSeries: readonly SeriesPoint[];
  readonly charts: readonly ReportChart[];
  readonly pageSizeRecommendation: string | null;
  /** dd's sequential write speed on the servers' disk; null when skipped or failed (absent in old results). */
  readonly disk?: DiskSpeed | null;
}

export const RESULTS_JSON_NAME = 'results.json';
export const RESULTS_MARKDOWN_NAME = 'results.md';
export const HTML_NAME = 'index.html';

function formatUs(us: number | null): string {
  if (us === null) return '–';
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(us < 10_000 ? 2 : 1)} ms`;
  return `${(us / 1_000_000).toFixed(2)} s`;
}

function formatMiB(bytes: number | null): string {
  return bytes === null ? '–' : `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function formatOps(opsPerSec: number): string {
  return opsPerSec >= 10_000 ? `${Math.round(opsPerSec / 1000)}k` : String(opsPerSec);
}

/** The comparison table, one row per snapshot. */
export function summaryTable(summaries: readonly SnapshotSummary[]): string {
  const header = [
    '| snapshot | start pause | duration | worst probe latency during | probe p99 during | probe p99 / worst before | SETs/s before → during → after | during / before | peak extra memory | copied (COW) | written | write speed |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const rows = summaries.map((summary) => {
    const copied = summary.pagesCopied !== null
      ? `${summary.pagesCopied} pages (${formatMiB(summary.copiedBytes)})`
      : formatMiB(summary.copiedBytes);
    return `| ${summary.label} | ${formatUs(summary.startPauseUs)} | ${summary.durationMs.toFixed(0)} ms | ${formatUs(summary.probeMaxUsDuring)} | ${formatUs(summary.probeP99UsDuring)} | ${formatUs(summary.probeP99UsBefore)} / ${formatUs(summary.probeMaxUsBefore)} | ${formatOps(summary.opsPerSecBefore)} → ${formatOps(summary.opsPerSecDuring)} → ${formatOps(summary.opsPerSecAfter)} | ${(summary.duringFraction * 100).toFixed(0)}% | ${formatMiB(summary.peakExtraMemoryBytes)} | ${copied} | ${formatMiB(summary.bytesWritten)} | ${summary.writeMbPerSec === null ? '–' : `${summary.writeMbPerSec} MiB/s`} |`;
  });
  return [...header, ...rows].join('\n');
}

/** The page-size sweep table. */
export function sweepTable(summaries: readonly SnapshotSummary[], valueSizeBytes: number): string {
  const header = [
    '| page size | pages copied | copied | client writes during | copy amplification | shadow peak | start pause | probe p99 during | worst probe latency | SETs/s during / before | duration |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const rows = summaries.map((summary) => `| ${summary.pageSizeText} | ${summary.pagesCopied ?? '–'} | ${formatMiB(summary.copiedBytes)} | ${summary.opsDuring} SETs (${formatMiB(summary.opsDuring * valueSizeBytes)}) | ${summary.copyAmplification ?? '–'}× | ${formatMiB(summary.shadowPeakBytes)} | ${formatUs(summary.startPauseUs)} | ${formatUs(summary.probeP99UsDuring)} | ${formatUs(summary.probeMaxUsDuring)} | ${(summary.duringFraction * 100).toFixed(0)}% | ${summary.durationMs.toFixed(0)} ms |`);
  return [...header, ...rows].join('\n');
}

/** One sentence: dd's speed and each snapshot's write speed as a share of it. */
export function diskSentence(content: Pick<ReportContent, 'disk' | 'summaries'>): string {
  const disk = content.disk ?? null;
  if (disk === null) return 'Disk speed: not measured (dd skipped or failed).';
  const shares = content.summaries
    .map((summary) => ({ label: summary.label, fraction: fractionOfDisk(summary.writeMbPerSec, disk) }))
    .filter((share) => share.fraction !== null)
    .map((share) => `${share.label} ${Math.round(share.fraction! * 100)}%`);
  return `Disk speed: \`${disk.command}\` wrote ${disk.miBPerSec} MiB/s (${formatMiB(disk.bytesWritten)} in ${disk.seconds.toFixed(2)} s). ` +
    `Snapshot write speed as a share of it: ${shares.length === 0 ? '–' : shares.join(', ')}.`;
}

function markdown(content: ReportContent): string {
  const parts = [
    '# Snapshot strategies compared',
    '',
    'Generated by `npm run bench:snapshot` (the exact command line is `commandLine` below). Parameters:',
    '',
    '```json',
    JSON.stringify(content.parameters, null, 2),
    '```',
    '',
    summaryTable(content.summaries),
    '',
    'Start pause: cowkv `snapshot_start_pause_us`, Redis `latest_fork_usec`; for SAVE the whole save blocks, so it is the duration.',
    'Peak extra memory: peak RSS during the snapshot minus RSS just before it (Redis BGSAVE: plus the fork child\'s copied pages).',
    'Throughput counts SET replies received by the load process; the probe sends one GET at a time about every ms.',
    'Probe "before": the same server, load and probe in the seconds before the snapshot (after a warm-up quarter): what clients see with no snapshot running.',
    'Write speed: bytes written over the whole snapshot (BGSAVE sent to its end seen in INFO), fsync and rename included.',
    '',
    diskSentence(content),
  ];
  if (content.sweepSummaries.length > 0) {
    parts.push('', '## cow strategy by page size', '', sweepTable(content.sweepSummaries, valueSizeOf(content)));
    if (content.pageSizeRecommendation !== null) parts.push('', content.pageSizeRecommendation);
  }
  return `${parts.join('\n')}\n`;
}

function valueSizeOf(content: ReportContent): number {
  return (content.parameters as { valueSizeBytes?: number }).valueSizeBytes ?? 0;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Markdown pipe table → HTML table (only the shape summaryTable/sweepTable produce). */
function tableHtml(markdownTable: string): string {
  const lines = markdownTable.split('\n').filter((line) => !line.startsWith('| ---'));
  const cells = (line: string): string[] => line.slice(1, -1).split(' | ').map((cell) => escapeHtml(cell.trim()));
  const [head, ...body] = lines;
  return `<table><thead><tr>${cells(head).map((cell) => `<th>${cell}</th>`).join('')}</tr></thead><tbody>${body
    .map((line) => `<tr>${cells(line).map((cell) => `<td>${cell}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function html(content: ReportContent): string {
  const sweep = content.sweepSummaries.length === 0 ? '' : `<h2>cow strategy by page size</h2>${tableHtml(sweepTable(content.sweepSummaries, valueSizeOf(content)))}${
    content.pageSizeRecommendation === null ? '' : `<p>${escapeHtml(content.pageSizeRecommendation)}</p>`}`;
  const charts = content.charts.map((chart) => `<figure><img src="${escapeHtml(chart.fileName)}" alt="${escapeHtml(chart.title)}"><figcaption>${escapeHtml(chart.title)}</figcaption></figure>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>cowkv: snapshot strategies compared</title>
<style>
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; }
table { border-collapse: collapse; font-size: 13px; margin: 12px 0; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f0f0f0; }
figure { margin: 16px 0; }
figcaption { font-size: 12px; color: #555; }
pre { background: #f7f7f7; padding: 8px; font-size: 12px; }
</style>
</head>
<body>
<h1>Snapshot strategies compared</h1>
${tableHtml(summaryTable(content.summaries))}
<p>${escapeHtml(diskSentence(content))}</p>
${sweep}
${charts}
<h2>Parameters</h2>
<pre>${escapeHtml(JSON.stringify({ ...content.parameters, ...content.environment }, null, 2))}</pre>
</body>
</html>
`;
}

/** Writes every output file; returns their paths. */
export async function writeReport(outDirectory: string, content: ReportContent): Promise<string[]> {
  mkdirSync(outDirectory, { recursive: true });
  const written: string[] = [];
  const write = (name: string, text: string): void => {
    const filePath = path.join(outDirectory, name);
    writeFileSync(filePath, text);
    written.push(filePath);
  };
  for (const chart of content.charts) write(chart.fileName, await renderSvg(chart.spec));
  // Chart specs embed the series again; the JSON keeps the series once and names the SVGs.
  const charts = content.charts.map(({ fileName, title }) => ({ fileName, title }));
  write(RESULTS_JSON_NAME, `${JSON.stringify({ ...content, charts })}\n`);
  write(RESULTS_MARKDOWN_NAME, markdown(content));
  write(HTML_NAME, html(content));
  return written;
}
