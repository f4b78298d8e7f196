/**
 * Runs `npm run bench:snapshot` in smoke mode (the compiled dist/bench/snapshot-compare.js) into
 * a temp directory and checks that every output is produced and well formed: the JSON parses and
 * has every strategy (and Redis's BGSAVE and SAVE when redis-server is installed), every SVG is
 * well-formed XML with an <svg> root, the HTML references every SVG, the Markdown has a row per
 * snapshot.
 * Why: the benchmark runs by hand in full mode; this keeps it from rotting in between.
 * Invariants: no timing is asserted, only shape and presence; needs dist/ built first
 * (`npm test` builds; by hand: npx tsc -p tsconfig.json).
 * Also here (this file is the benchmark's only test file): the pure helpers the numbers rest on
 * — the SET batch encoder, the RESP reply parser, quantiles and throughput windows.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Prng, fixedKey } from '../../bench/harness.js';
import { opsPerSecOver, parseSizeBytes, quantile } from '../../bench/snapshot-compare/metrics.js';
import { encodeCommand, parseReply } from '../../bench/lib/resp-connection.js';
import { SetEncoder } from '../../bench/snapshot-compare/set-encoder.js';

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

  test('--render rewrites the tables, charts and page from results.json alone', async () => {
    const markdownPath = path.join(outDirectory, 'results.md');
    const before = readFileSync(markdownPath, 'utf8');
    rmSync(markdownPath);
    rmSync(path.join(outDirectory, 'latency.svg'));
    await new Promise<void>((resolve, reject) => {
      execFile(process.execPath, [BENCH_PATH, '--render', outDirectory], { cwd: REPO_ROOT, timeout: BENCH_TIMEOUT_MS },
        (error, stdout, stderr) => (error === null ? resolve() : reject(new Error(`render failed: ${error.message}\n${stdout}\n${stderr}`))));
    });
    expect(readFileSync(markdownPath, 'utf8')).toBe(before);
    expect(xmlProblem(readFileSync(path.join(outDirectory, 'latency.svg'), 'utf8'))).toEqual({ problem: null, root: 'svg' });
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

describe('SetEncoder', () => {
  test('encode() refuses a key index with more digits than the key has room for', () => {
    expect(() => new SetEncoder(8, Buffer.alloc(4)).encode(1, () => 10_000, new Prng(1))).toThrow(/does not fit/);
  });

  test('encode() writes the same bytes as encoding each SET of fixedKey() with the PRNG-varied value', () => {
    fc.assert(fc.property(fc.integer({ min: 11, max: 24 }), fc.integer({ min: 0, max: 40 }), fc.array(fc.nat({ max: 9_999_999 }), { minLength: 1, maxLength: 20 }), fc.nat(),
      (keyLengthBytes, valueSizeBytes, keyIndexes, seed) => {
        const baseValue = Buffer.alloc(valueSizeBytes, 0x61);
        const encoded = new SetEncoder(keyLengthBytes, baseValue).encode(keyIndexes.length, (position) => keyIndexes[position], new Prng(seed));
        const prng = new Prng(seed);
        const expected = keyIndexes.map((index) => {
          const value = Buffer.from(baseValue);
          for (let i = 0; i < Math.min(8, valueSizeBytes); i += 4) {
            const word = prng.nextU32();
            for (let j = 0; j < 4 && i + j < Math.min(8, valueSizeBytes); j++) value[i + j] = (word >>> (8 * j)) & 0xff;
          }
          return encodeCommand(['SET', fixedKey(index, keyLengthBytes), value]);
        });
        expect(encoded.equals(Buffer.concat(expected))).toBe(true);
      }), { numRuns: 150 });
  });
});

describe('parseReply()', () => {
  test('parses every reply type and waits for the rest of a split reply', () => {
    const bytes = Buffer.from('*3\r\n$2\r\nab\r\n:5\r\n-ERR no\r\n+OK\r\n$-1\r\n', 'latin1');
    const first = parseReply(bytes, 0);
    expect(first).toEqual({ status: 'value', value: [Buffer.from('ab'), 5, { error: 'ERR no' }], endOffset: 25 });
    expect(parseReply(bytes, 25)).toEqual({ status: 'value', value: 'OK', endOffset: 30 });
    expect(parseReply(bytes, 30)).toEqual({ status: 'value', value: null, endOffset: 35 });
    for (let cut = 1; cut < 25; cut++) expect(parseReply(bytes.subarray(0, cut), 0)).toEqual({ status: 'incomplete' });
  });
});

describe('metrics helpers', () => {
  test('quantile() picks by nearest rank and is null for no samples', () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4], 0.99)).toBe(4);
    expect(quantile([7], 0)).toBe(7);
  });

  test('opsPerSecOver() averages whole buckets and treats missing buckets as zero', () => {
    expect(opsPerSecOver([10, 20, 30], 0, 2, 10)).toBe(1500);
    expect(opsPerSecOver([10], 0, 2, 10)).toBe(500);
    expect(opsPerSecOver([10], 2, 2, 10)).toBe(0);
  });

  test('parseSizeBytes() reads redis.conf units', () => {
    expect(parseSizeBytes('16kb')).toBe(16384);
    expect(parseSizeBytes('4k')).toBe(4000);
    expect(parseSizeBytes('1mb')).toBe(1048576);
    expect(Number.isNaN(parseSizeBytes('big'))).toBe(true);
  });
});
