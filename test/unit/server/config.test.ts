import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  LiveConfig,
  buildServerConfig,
  defaultServerConfig,
  findConfigParameter,
  parseConfigText,
  parseMemory,
  parseOutputBufferLimits,
} from '../../../src/server/config.js';
import type { ConfigDirective } from '../../../src/server/config.js';

function directive(name: string, ...args: string[]): ConfigDirective {
  return { name, args, origin: 'test' };
}

describe('config', () => {
  test('parseMemory reads redis.conf units case-insensitively', () => {
    expect(parseMemory('100')).toBe(100);
    expect(parseMemory('1k')).toBe(1000);
    expect(parseMemory('1kb')).toBe(1024);
    expect(parseMemory('2M')).toBe(2_000_000);
    expect(parseMemory('2mb')).toBe(2 * 1024 * 1024);
    expect(parseMemory('1G')).toBe(1e9);
    expect(parseMemory('1Gb')).toBe(1024 ** 3);
    expect([parseMemory('-1'), parseMemory('1xb'), parseMemory(''), parseMemory('1.5mb')]).toEqual([null, null, null, null]);
  });

  test('defaults follow Redis, except the documented ones', () => {
    const config = defaultServerConfig();
    expect(config.port).toBe(6379);
    expect(config.bind).toEqual(['127.0.0.1']);
    expect(config.databases).toBe(16);
    expect(config.maxclients).toBe(10000);
    expect(config.protoMaxBulkLenBytes).toBe(512 * 1024 * 1024);
    expect(config.clientQueryBufferLimitBytes).toBe(1024 ** 3);
    expect(config.clientOutputBufferLimit.normal).toEqual({ hardBytes: 256 * 1024 * 1024, softBytes: 64 * 1024 * 1024, softSeconds: 60 });
    expect(config.clientOutputBufferLimit.pubsub).toEqual({ hardBytes: 32 * 1024 * 1024, softBytes: 8 * 1024 * 1024, softSeconds: 60 });
    expect(config.pageSizeBytes).toBe(4096);
    expect(config.snapshotStrategy).toBe('cow');
    expect(config.protectedMode).toBe(true);
    expect(config.save).toEqual([{ seconds: 3600, changes: 1 }, { seconds: 300, changes: 100 }, { seconds: 60, changes: 10000 }]);
  });

  test('buildServerConfig applies directives in order and validates them', () => {
    const built = buildServerConfig([directive('port', '7000'), directive('maxmemory', '1gb'), directive('port', '7001')]);
    expect(built.status).toBe('ok');
    if (built.status === 'ok') {
      expect(built.config.port).toBe(7001);
      expect(built.config.maxmemoryBytes).toBe(1024 ** 3);
    }
    expect(buildServerConfig([directive('port', '70000')])).toEqual({
      status: 'invalid', message: "Invalid value for 'port' at test: argument must be between 0 and 65535 inclusive",
    });
    expect(buildServerConfig([directive('page-size', '3kb')]).status).toBe('invalid');
    expect(buildServerConfig([directive('nope', '1')]).status).toBe('invalid');
    expect(buildServerConfig([directive('port', '1', '2')]).status).toBe('invalid');
  });

  test('save lines accumulate, and save "" clears every rule', () => {
    const built = buildServerConfig([directive('save', '900', '1'), directive('save', '300', '10')]);
    expect(built.status === 'ok' && built.config.save).toEqual([{ seconds: 900, changes: 1 }, { seconds: 300, changes: 10 }]);
    const cleared = buildServerConfig([directive('save', '')]);
    expect(cleared.status === 'ok' && cleared.config.save).toEqual([]);
  });

  test('client-output-buffer-limit lines change only the classes they name', () => {
    const built = buildServerConfig([directive('client-output-buffer-limit', 'normal', '0', '0', '0')]);
    expect(built.status).toBe('ok');
    if (built.status !== 'ok') return;
    expect(built.config.clientOutputBufferLimit.normal).toEqual({ hardBytes: 0, softBytes: 0, softSeconds: 0 });
    expect(built.config.clientOutputBufferLimit.pubsub.hardBytes).toBe(32 * 1024 * 1024);
    const base = built.config.clientOutputBufferLimit;
    expect(parseOutputBufferLimits('normal 1 2', base)).toEqual({ status: 'invalid', reason: 'Wrong number of arguments in buffer limit configuration.' });
    expect(parseOutputBufferLimits('nobody 1 2 3', base)).toEqual({ status: 'invalid', reason: 'Invalid client class specified in buffer limit configuration.' });
  });

  test('parseConfigText reads redis.conf syntax with comments and quotes', () => {
    const parsed = parseConfigText('# comment\n\nport 7000\nrequirepass "a b"\nsave ""\n', 'x.conf');
    expect(parsed).toEqual({ directives: [
      { name: 'port', args: ['7000'], origin: 'line 3 of x.conf' },
      { name: 'requirepass', args: ['a b'], origin: 'line 4 of x.conf' },
      { name: 'save', args: [''], origin: 'line 5 of x.conf' },
    ] });
    expect(parseConfigText('requirepass "open\n', 'y.conf')).toEqual({ error: 'Unbalanced quotes in configuration at line 1 of y.conf' });
  });

  test('LiveConfig.set is atomic: one bad pair changes nothing', () => {
    const live = new LiveConfig(defaultServerConfig(), null);
    expect(live.set([['hz', '20'], ['maxmemory', 'bad']], false)).toEqual({
      status: 'error', text: "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
    });
    expect(live.values.hz).toBe(10);
    expect(live.set([['hz', '20'], ['maxmemory', '10mb']], false)).toEqual({ status: 'ok' });
    expect(live.values.hz).toBe(20);
  });

  test('LiveConfig.set undoes every change when an apply hook refuses', () => {
    const live = new LiveConfig(defaultServerConfig(), null);
    live.onChange('timeout', () => 'refused for the test');
    expect(live.set([['hz', '30'], ['timeout', '5']], false)).toEqual({
      status: 'error', text: "ERR CONFIG SET failed (possibly related to argument 'timeout') - refused for the test",
    });
    expect(live.values.hz).toBe(10);
    expect(live.values.timeoutSeconds).toBe(0);
  });

  test('LiveConfig.set refuses immutable, protected, unknown and duplicate parameters', () => {
    const live = new LiveConfig(defaultServerConfig(), null);
    expect(live.set([['databases', '4']], true)).toEqual({ status: 'error', text: "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config" });
    expect(live.set([['dbfilename', 'x.snap']], false)).toEqual({ status: 'error', text: "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config" });
    expect(live.set([['dbfilename', 'x.snap']], true)).toEqual({ status: 'ok' });
    expect(live.set([['nope', '1']], true)).toEqual({ status: 'error', text: "ERR Unknown option or number of arguments for CONFIG SET - 'nope'" });
    expect(live.set([['hz', '1'], ['HZ', '2']], true)).toEqual({ status: 'error', text: "ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter" });
  });

  test('CONFIG GET formats values as Redis does', () => {
    const live = new LiveConfig(defaultServerConfig(), null);
    const text = (name: string): string => live.getText(findConfigParameter(name)!);
    expect(text('maxmemory')).toBe('0');
    expect(text('proto-max-bulk-len')).toBe('536870912');
    expect(text('save')).toBe('3600 1 300 100 60 10000');
    expect(text('appendonly')).toBe('no');
    expect(text('client-output-buffer-limit')).toBe('normal 268435456 67108864 60 slave 268435456 67108864 60 pubsub 33554432 8388608 60');
  });

  test('rewrite() keeps comments and unknown lines and writes non-default values', () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'cowkv-config-'));
    const file = path.join(directory, 'cowkv.conf');
    writeFileSync(file, '# my settings\nport 7000\nhz 15\n');
    const built = buildServerConfig([directive('port', '7000'), directive('hz', '15')]);
    if (built.status !== 'ok') throw new Error(built.message);
    const live = new LiveConfig(built.config, file);
    expect(live.set([['hz', '25'], ['maxmemory', '1mb']], false)).toEqual({ status: 'ok' });
    expect(live.rewrite()).toBeNull();
    const rewritten = readFileSync(file, 'utf8');
    expect(rewritten).toContain('# my settings');
    expect(rewritten).toContain('hz 25');
    expect(rewritten).toContain('maxmemory 1048576');
    expect(rewritten).toContain('port 7000');
    expect(rewritten).not.toContain('hz 15');
    const reparsed = parseConfigText(rewritten, 'cowkv.conf');
    expect('directives' in reparsed && buildServerConfig(reparsed.directives).status).toBe('ok');
  });
});
