/**
 * Runs `npm run bench:snapshot` in smoke mode (the compiled dist/bench/snapshot-compare.js) into
 * a temp directory and checks that every output is produced and well formed: the JSON parses and
 * has every strategy (and Redis's BGSAVE and SAVE when redis-server is installed), every SVG is
 * well-formed XML with an <svg> root, the HTML references every SVG, the Markdown has a row per
 * snapshot.
 * Why: the benchmark runs by hand in full mode; this keeps it from rotting in between.
 * Invariants: no timing is asserted, only shape and presence; needs dist/ built first
 * (`npm test` builds; by hand: npx tsc -p tsconfig.json).
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BENCH_PATH = path.join(REPO_ROOT, 'dist', 'bench', 'snapshot-compare.js');
const BENCH_TIMEOUT_MS = 55_000;
const SWEEP_PAGE_SIZES = ['4kb', '64kb'];

const isRedisInstalled = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * A small well-formedness check (enough for SVG from one renderer): every tag closes in order,
 * attributes are quoted, text and attribute values contain no raw '<' and only valid entities.
 * Returns the problem, or null when the document is well formed; `root` is the first element.
 */
function xmlProblem(text: string): { problem: string | null; root: string | null } {
  const body = text.replace(/^\s*<\?xml[^?]*\?>/, '').replace(/<!--[\s\S]*?-->/g, '').replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  const tag = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/y;
  const entity = /&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#x[0-9A-Fa-f]+);/y;
  const stack: string[] = [];
  let root: string | null = null;
  let offset = 0;
  while (offset < body.length) {
    const character = body[offset];
    if (character === '&') {
      entity.lastIndex = offset;
      if (!entity.test(body)) return { problem: `bad entity at ${offset}`, root };
      offset = entity.lastIndex;
      continue;
    }
    if (character !== '<') {
      offset += 1;
      continue;
    }
    tag.lastIndex = offset;
    const match = tag.exec(body);
    if (match === null) return { problem: `malformed tag at ${offset}: ${body.slice(offset, offset + 40)}`, root };
    const [, closing, name, attributes, selfClosing] = match;
    if (/&(?![A-Za-z][A-Za-z0-9]*;|#[0-9]+;|#x[0-9A-Fa-f]+;)/.test(attributes)) return { problem: `bad entity in <${name}>`, root };
    if (closing === '/') {
      if (stack.pop() !== name) return { problem: `</${name}> does not close the open element at ${offset}`, root };
    } else {
      if (root === null) root = name;
      else if (stack.length === 0) return { problem: `second root element <${name}>`, root };
      if (selfClosing !== '/') stack.push(name);
    }
    offset = tag.lastIndex;
  }
  return { problem: stack.length === 0 ? null : `unclosed <${stack.join('> <')}>`, root };
}

interface Summary { id: string; label: string; probeCount: number; durationMs: number }
interface Results {
  parameters: { mode: string; withRedis: boolean };
  summaries: Summary[];
  sweepSummaries: Summary[];
  series: Array<{ id: string; tMs: number }>;
  sweepSeries: Array<{ id: string; tMs: number }>;
  charts: Array<{ fileName: string; title: string }>;
}

describe('npm run bench:snapshot --smoke', () => {
  let outDirectory = '';
  let results: Results;

  beforeAll(async () => {
    if (!existsSync(BENCH_PATH)) throw new Error(`${BENCH_PATH} is missing: build first with npx tsc -p tsconfig.json`);
    outDirectory = mkdtempSync(path.join(os.tmpdir(), 'cowkv-bench-snapshot-'));
    await new Promise<void>((resolve, reject) => {
      execFile(process.execPath, [BENCH_PATH, '--smoke', '--out', outDirectory, '--sweep-page-sizes', SWEEP_PAGE_SIZES.join(',')],
        { cwd: REPO_ROOT, timeout: BENCH_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => (error === null ? resolve() : reject(new Error(`bench failed: ${error.message}\n${stdout}\n${stderr}`))));
    });
    results = JSON.parse(readFileSync(path.join(outDirectory, 'results.json'), 'utf8')) as Results;
  }, 60_000);

  afterAll(() => {
    if (outDirectory !== '') rmSync(outDirectory, { recursive: true, force: true });
  });

  test('the JSON has a summary and a series for every strategy, and for Redis when it is installed', () => {
    const expected = ['cowkv-stw', 'cowkv-cow', 'cowkv-copy', ...(isRedisInstalled ? ['redis-bgsave', 'redis-save'] : [])];
    expect(results.parameters.mode).toBe('smoke');
    expect(results.summaries.map((summary) => summary.id)).toEqual(expected);
    for (const id of expected) expect(results.series.some((point) => point.id === id)).toBe(true);
    for (const summary of results.summaries) {
      expect(summary.probeCount).toBeGreaterThan(0);
      expect(summary.durationMs).toBeGreaterThanOrEqual(0);
    }
  });

  test('the JSON has the page-size sweep, one cow run per page size', () => {
    expect(results.sweepSummaries.map((summary) => summary.id)).toEqual(SWEEP_PAGE_SIZES.map((size) => `sweep-cow-${size}`));
    for (const size of SWEEP_PAGE_SIZES) expect(results.sweepSeries.some((point) => point.id === `sweep-cow-${size}`)).toBe(true);
  });

  test('every chart is a well-formed SVG file', () => {
    const names = results.charts.map((chart) => chart.fileName);
    expect(names).toEqual(expect.arrayContaining(['latency.svg', 'memory.svg', 'throughput.svg', 'sweep-page-size.svg']));
    for (const name of names) {
      const { problem, root } = xmlProblem(readFileSync(path.join(outDirectory, name), 'utf8'));
      expect({ name, problem, root }).toEqual({ name, problem: null, root: 'svg' });
    }
  });

  test('the HTML page references every SVG', () => {
    const html = readFileSync(path.join(outDirectory, 'index.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    for (const chart of results.charts) expect(html).toContain(`src="${chart.fileName}"`);
  });

  test('the Markdown table has a row per snapshot', () => {
    const markdown = readFileSync(path.join(outDirectory, 'results.md'), 'utf8');
    for (const summary of [...results.summaries, ...results.sweepSummaries]) {
      const rowStart = summary.id.startsWith('sweep-') ? `| ${summary.id.replace('sweep-cow-', '')} |` : `| ${summary.label} |`;
      expect(markdown).toContain(rowStart);
    }
  });
});

describe('xmlProblem()', () => {
  test('accepts nested, self-closing and entity-bearing XML', () => {
    expect(xmlProblem('<?xml version="1.0"?><svg a="1 &amp; 2"><g><path d="M0"/></g><text>x &lt; y</text></svg>')).toEqual({ problem: null, root: 'svg' });
  });

  test('reports a tag closed out of order', () => {
    expect(xmlProblem('<svg><g></svg></g>').problem).toMatch(/does not close/);
  });

  test('reports an unclosed element and a bare ampersand', () => {
    expect(xmlProblem('<svg><g>').problem).toMatch(/unclosed/);
    expect(xmlProblem('<svg>a & b</svg>').problem).toMatch(/bad entity/);
  });
});
