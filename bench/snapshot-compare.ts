/**
 * `npm run bench:snapshot`: snapshot strategies compared side by side on identical data and load
 * — cowkv's stop-the-world SAVE, copy-on-write BGSAVE and full-copy BGSAVE, and Redis's BGSAVE
 * (fork) and SAVE when redis-server is installed — with an optional page-size sweep of the cow
 * strategy. Writes JSON, Markdown tables, SVG charts and an HTML page into `--out`.
 * Why: the point of cowkv's paged heap is a background snapshot that costs clients little; this
 * is the measurement that shows whether it does, beside the naive strategies and beside Redis.
 * How: per snapshot a fresh server is filled with the same seeded keys; a load process (random
 * SET overwrites) and a probe process (one GET about every ms) run from separate processes while
 * this process polls RSS (/proc) and INFO persistence on its own connection (run-target.ts).
 * After the runs, `dd` writes `--dd-mib` MiB with fdatasync to the servers' disk (disk-speed.ts),
 * and the report gives each snapshot's write speed as a share of dd's.
 * Invariants: every target gets the same seed, data, load settings and timings; timings are
 * reported, never asserted; `--smoke` finishes in seconds (CI runs it); `--render <dir>` redraws
 * a saved run from its results.json without measuring.
 * Not here: the measuring (bench/snapshot-compare/run-target.ts), figures (metrics.ts), charts
 * (charts.ts), files (report-files.ts).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { BENCH_SEED, report } from './harness.js';
import { isRedisServerInstalled } from './lib/server-process.js';
import { latencyChart, latencyRowsChart, memoryChart, sweepChart, throughputChart, type SnapshotWindow } from './snapshot-compare/charts.js';
import { parseSizeBytes, series, summarize, type SeriesPoint, type SnapshotSummary } from './snapshot-compare/metrics.js';
import { measureDiskSpeed, type DiskSpeed } from './snapshot-compare/disk-speed.js';
import { Progress } from './snapshot-compare/progress.js';
import { RESULTS_JSON_NAME, diskSentence, writeReport, type ReportChart, type ReportContent } from './snapshot-compare/report-files.js';
import { runTarget, type RunParameters, type Target, type TargetRun } from './snapshot-compare/run-target.js';

const COWKV_STRATEGIES = ['stw', 'cow', 'copy'] as const;
type CowkvStrategy = (typeof COWKV_STRATEGIES)[number];

/** Full-mode and smoke-mode defaults; any option given on the command line wins. */
const DEFAULTS = {
  full: { keyCount: 1_000_000, beforeMs: 2000, afterMs: 2000, writeRatePerSec: 20_000, ddMiB: 1024 },
  smoke: { keyCount: 20_000, beforeMs: 300, afterMs: 300, writeRatePerSec: 20_000, ddMiB: 16 },
} as const;
const KEY_LENGTH_BYTES = 16;
const BUCKET_MS = 10;
const SNAPSHOT_TIMEOUT_MS = 10 * 60_000;

interface CliOptions {
  smoke: boolean;
  keys?: number;
  valueSize: number;
  writeRate?: number;
  pipeline: number;
  pageSize: string;
  strategies: CowkvStrategy[];
  redis: boolean;
  sweepPageSizes: string[];
  seed: number;
  beforeMs?: number;
  afterMs?: number;
  pollMs: number;
  ddMib?: number;
  out?: string;
  render?: string;
}

function positiveInteger(text: string): number {
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isInteger(value) || value < 0) throw new InvalidArgumentError('expected a whole number >= 0');
  return value;
}

function pageSizeText(text: string): string {
  const bytes = parseSizeBytes(text);
  if (!Number.isFinite(bytes) || bytes <= 0 || (bytes & (bytes - 1)) !== 0) throw new InvalidArgumentError(`"${text}" is not a power-of-two size such as 16kb`);
  return text.toLowerCase();
}

function strategyList(text: string): CowkvStrategy[] {
  const names = text.split(',').map((name) => name.trim()).filter((name) => name !== '');
  for (const name of names) {
    if (!(COWKV_STRATEGIES as readonly string[]).includes(name)) throw new InvalidArgumentError(`unknown strategy "${name}" (stw, cow, copy)`);
  }
  return names as CowkvStrategy[];
}

function program(): Command {
  return new Command('snapshot-compare')
    .description('Compare snapshot strategies (cowkv stw/cow/copy, Redis BGSAVE/SAVE) on identical data and load')
    .option('--smoke', 'tiny run that finishes in seconds (CI)', false)
    .option('--keys <count>', 'keys in the dataset (default 1000000; smoke 20000)', positiveInteger)
    .option('--value-size <bytes>', 'value size in bytes', positiveInteger, 100)
    .option('--write-rate <ops>', 'SETs per second from the load process (after a stall it makes up at most 100 ms of missed writes), 0 = flat out (default 20000)', positiveInteger)
    .option('--pipeline <depth>', 'SETs in flight from the load process', positiveInteger, 16)
    .option('--page-size <size>', "cowkv's --page-size for the strategy comparison", pageSizeText, '4kb')
    .option('--strategies <list>', 'cowkv strategies to compare', strategyList, [...COWKV_STRATEGIES])
    .option('--no-redis', 'skip Redis even when redis-server is installed')
    .option('--sweep-page-sizes <list>', 'also run the cow strategy at each page size, e.g. 4kb,16kb,64kb,256kb',
      (text: string) => text.split(',').filter((size) => size !== '').map(pageSizeText), [])
    .option('--seed <n>', 'PRNG seed for data and load', positiveInteger, BENCH_SEED)
    .option('--before-ms <ms>', 'load before each snapshot (default 2000; smoke 300)', positiveInteger)
    .option('--after-ms <ms>', 'load after each snapshot (default 2000; smoke 300)', positiveInteger)
    .option('--poll-ms <ms>', 'RSS and INFO polling interval', positiveInteger, 20)
    .option('--dd-mib <n>', 'MiB that dd writes (fdatasync) to the servers\' disk to compare write speeds with, 0 = skip (default 1024; smoke 16)', positiveInteger)
    .option('--out <dir>', 'output directory (default bench/results/snapshot-<timestamp>)')
    .option('--render <dir>', 'measure nothing: rewrite the tables, charts and HTML in <dir> from its results.json');
}

function comparisonTargets(options: CliOptions, withRedis: boolean): Target[] {
  const targets: Target[] = options.strategies.map((strategy) => ({
    id: `cowkv-${strategy}`,
    label: strategy === 'stw' ? 'cowkv SAVE (stw)' : `cowkv BGSAVE (${strategy})`,
    server: 'cowkv',
    command: strategy === 'stw' ? 'SAVE' : 'BGSAVE',
    strategy,
    pageSizeText: options.pageSize,
  }));
  if (withRedis) {
    targets.push({ id: 'redis-bgsave', label: 'Redis BGSAVE (fork)', server: 'redis', command: 'BGSAVE', strategy: null, pageSizeText: '4kb' });
    targets.push({ id: 'redis-save', label: 'Redis SAVE', server: 'redis', command: 'SAVE', strategy: null, pageSizeText: '4kb' });
  }
  return targets;
}

function sweepTargets(options: CliOptions): Target[] {
  return options.sweepPageSizes.map((size) => ({
    id: `sweep-cow-${size}`, label: `cow ${size}`, server: 'cowkv', command: 'BGSAVE', strategy: 'cow', pageSizeText: size,
  }));
}

function windowsOf(summaries: readonly SnapshotSummary[]): SnapshotWindow[] {
  return summaries.map((summary) => ({ label: summary.label, startMs: 0, endMs: Math.max(summary.durationMs, BUCKET_MS / 2) }));
}

function timeCharts(prefix: string, titlePrefix: string, points: readonly SeriesPoint[], summaries: readonly SnapshotSummary[]): ReportChart[] {
  const windows = windowsOf(summaries);
  const labels = summaries.map((summary) => summary.label);
  return [
    { fileName: `${prefix}latency.svg`, title: `${titlePrefix}probe latency over time`, spec: latencyChart(points, windows, labels) },
    { fileName: `${prefix}latency-rows.svg`, title: `${titlePrefix}probe latency over time, one row per snapshot`, spec: latencyRowsChart(points, windows, labels) },
    { fileName: `${prefix}memory.svg`, title: `${titlePrefix}extra memory over time`, spec: memoryChart(points, windows, labels) },
    { fileName: `${prefix}throughput.svg`, title: `${titlePrefix}write throughput over time`, spec: throughputChart(points, windows, labels) },
  ];
}

/**
 * The figures behind a default page size, in one paragraph (the choice itself goes in the README).
 * Memory is the cost that grows with page size for certain; latency on a shared machine is noisy,
 * so the rule is: the least copying among page sizes whose probe p99 during the snapshot is within
 * 2× of the best p99 (a single worst sample is too noisy to decide on).
 */
function pageSizeRecommendation(sweep: readonly SnapshotSummary[]): string | null {
  if (sweep.length === 0) return null;
  const best = (pick: (summary: SnapshotSummary) => number | null): SnapshotSummary =>
    [...sweep].sort((a, b) => (pick(a) ?? Infinity) - (pick(b) ?? Infinity))[0];
  const leastCopied = best((summary) => summary.copiedBytes);
  const leastP99 = best((summary) => summary.probeP99UsDuring);
  const leastWorst = best((summary) => summary.probeMaxUsDuring);
  const fastest = best((summary) => -summary.duringFraction);
  const p99LimitUs = 2 * (leastP99.probeP99UsDuring ?? 0);
  const candidates = sweep.filter((summary) => (summary.probeP99UsDuring ?? Infinity) <= p99LimitUs);
  const chosen = [...(candidates.length > 0 ? candidates : sweep)].sort((a, b) => (a.copiedBytes ?? Infinity) - (b.copiedBytes ?? Infinity))[0];
  return `Least copying: ${leastCopied.pageSizeText} (${leastCopied.copyAmplification}× amplification, shadow peak ` +
    `${((leastCopied.shadowPeakBytes ?? 0) / (1024 * 1024)).toFixed(1)} MiB). Lowest probe p99 during the snapshot: ${leastP99.pageSizeText}; ` +
    `lowest worst probe latency: ${leastWorst.pageSizeText}; best throughput during the snapshot: ${fastest.pageSizeText} ` +
    `(${Math.round(fastest.duringFraction * 100)}% of before). Suggested default (least copying among page sizes whose probe ` +
    `p99 during the snapshot is within 2× of the best): ${chosen.pageSizeText}.`;
}

function environment(withRedis: boolean): object {
  const redisVersion = withRedis ? spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.trim() : null;
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  return {
    node: process.version, platform: `${os.platform()} ${os.release()}`, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null,
    totalMemoryBytes: os.totalmem(), redisVersion, gitCommit: commit.status === 0 ? commit.stdout.trim() : null,
    generatedAt: new Date().toISOString(),
  };
}

async function runAll(targets: readonly Target[], parameters: RunParameters, progress: Progress): Promise<TargetRun[]> {
  const runs: TargetRun[] = [];
  for (const target of targets) {
    progress.step(target.label);
    runs.push(await runTarget(target, parameters, (phase) => progress.phase(phase)));
  }
  return runs;
}

async function main(): Promise<void> {
  const options = program().parse().opts<CliOptions>();
  if (options.render !== undefined) return renderOnly(options.render);
  const defaults = options.smoke ? DEFAULTS.smoke : DEFAULTS.full;
  const parameters: RunParameters = {
    keyCount: options.keys ?? defaults.keyCount, keyLengthBytes: KEY_LENGTH_BYTES, valueSizeBytes: options.valueSize,
    writeRatePerSec: options.writeRate ?? defaults.writeRatePerSec, pipelineDepth: Math.max(1, options.pipeline), seed: options.seed,
    beforeMs: options.beforeMs ?? defaults.beforeMs, afterMs: options.afterMs ?? defaults.afterMs,
    pollIntervalMs: Math.max(1, options.pollMs), bucketMs: BUCKET_MS, snapshotTimeoutMs: SNAPSHOT_TIMEOUT_MS,
  };
  const withRedis = options.redis && isRedisServerInstalled();
  const comparison = comparisonTargets(options, withRedis);
  const sweep = sweepTargets(options);
  const outDirectory = options.out ?? path.join('bench', 'results', `snapshot-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const progress = new Progress(comparison.length + sweep.length);
  const comparisonRuns = await runAll(comparison, parameters, progress);
  const sweepRuns = await runAll(sweep, parameters, progress);
  // After the runs, so the 1 GiB of dirty pages it flushes cannot slow any snapshot down.
  const disk: DiskSpeed | null = measureDiskSpeed(options.ddMib ?? defaults.ddMiB);
  const summarizeRun = (run: TargetRun): SnapshotSummary => summarize(run, BUCKET_MS, parameters.valueSizeBytes);
  const commandLine = ['npm run bench:snapshot --', ...process.argv.slice(2)].join(' ');
  const fullParameters = { mode: options.smoke ? 'smoke' : 'full', commandLine, ...parameters, pageSizeText: options.pageSize, withRedis, sweepPageSizes: options.sweepPageSizes };
  const written = await writeOutputs(outDirectory, {
    parameters: fullParameters, environment: environment(withRedis),
    summaries: comparisonRuns.map(summarizeRun), sweepSummaries: sweepRuns.map(summarizeRun),
    series: comparisonRuns.flatMap((run) => series(run, BUCKET_MS)), sweepSeries: sweepRuns.flatMap((run) => series(run, BUCKET_MS)),
    disk,
  });
  progress.done(`Wrote ${written.files.length} files to ${outDirectory}`);
  process.stderr.write(`${diskSentence({ disk, summaries: written.summaries })}\n`);
  report('snapshot-compare', { parameters: fullParameters, results: { summaries: written.summaries, sweepSummaries: written.sweepSummaries, disk, outDirectory }, checksum: written.checksum });
}

type Measured = Omit<ReportContent, 'charts' | 'pageSizeRecommendation'>;

/** Charts, recommendation and files from measured figures (a fresh run or a saved results.json). */
async function writeOutputs(outDirectory: string, measured: Measured): Promise<{ files: string[]; summaries: readonly SnapshotSummary[]; sweepSummaries: readonly SnapshotSummary[]; checksum: number }> {
  const { summaries, sweepSummaries } = measured;
  const charts = timeCharts('', '', measured.series, summaries);
  if (sweepSummaries.length > 0) {
    charts.push({ fileName: 'sweep-page-size.svg', title: 'cow strategy by page size', spec: sweepChart(sweepSummaries) });
    charts.push(...timeCharts('sweep-', 'cow by page size: ', measured.sweepSeries, sweepSummaries));
  }
  const files = await writeReport(outDirectory, { ...measured, charts, pageSizeRecommendation: pageSizeRecommendation(sweepSummaries) });
  const checksum = [...summaries, ...sweepSummaries].reduce((sum, summary) => sum + summary.probeCount + summary.opsDuring, 0);
  return { files, summaries, sweepSummaries, checksum };
}

/** `--render <dir>`: rewrites the tables, charts and page from that directory's results.json. */
async function renderOnly(directory: string): Promise<void> {
  const saved = JSON.parse(readFileSync(path.join(directory, RESULTS_JSON_NAME), 'utf8')) as Measured;
  const written = await writeOutputs(directory, saved);
  process.stderr.write(`Rewrote ${written.files.length} files in ${directory} from ${RESULTS_JSON_NAME}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`snapshot-compare failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
