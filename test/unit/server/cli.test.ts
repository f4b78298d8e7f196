import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseCommandLine, splitArguments } from '../../../src/cli.js';

describe('the command line', () => {
  test('splits redis-server style options: every word up to the next --', () => {
    expect(splitArguments(['my.conf', '--save', '900', '1', '--port', '7000'])).toEqual({
      configFile: 'my.conf',
      directives: [
        { name: 'save', args: ['900', '1'], origin: 'option --save' },
        { name: 'port', args: ['7000'], origin: 'option --port' },
      ],
    });
    expect(splitArguments(['--save', ''])).toEqual({ configFile: null, directives: [{ name: 'save', args: [''], origin: 'option --save' }] });
  });

  test('builds a validated config from options', async () => {
    const outcome = await parseCommandLine(['--port', '7000', '--maxmemory', '1gb', '--bind', '127.0.0.1', '::1'], '1.2.3');
    expect(outcome.kind).toBe('run');
    if (outcome.kind !== 'run') return;
    expect(outcome.config.port).toBe(7000);
    expect(outcome.config.maxmemoryBytes).toBe(1024 ** 3);
    expect(outcome.config.bind).toEqual(['127.0.0.1', '::1']);
    expect(outcome.configFilePath).toBeNull();
  });

  test('reads a config file, then lets options override it', async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'cowkv-cli-'));
    const file = path.join(directory, 'cowkv.conf');
    writeFileSync(file, 'port 7100\nhz 20\n');
    const outcome = await parseCommandLine([file, '--port', '7200'], '1.2.3');
    expect(outcome.kind === 'run' && [outcome.config.port, outcome.config.hz, outcome.configFilePath]).toEqual([7200, 20, file]);
  });

  test('an invalid value is an exit with code 1 and a message naming the option', async () => {
    const outcome = await parseCommandLine(['--maxclients', 'many'], '1.2.3');
    expect(outcome).toEqual({ kind: 'exit', code: 1, output: "Invalid configuration: Invalid value for 'maxclients' at option --maxclients: argument couldn't be parsed into an integer" });
  });

  test('a missing config file is an exit with code 1', async () => {
    const outcome = await parseCommandLine(['/nonexistent/cowkv.conf'], '1.2.3');
    expect(outcome.kind === 'exit' && outcome.code).toBe(1);
  });

  test('--version and --help exit 0 with their text', async () => {
    expect(await parseCommandLine(['--version'], '1.2.3')).toEqual({ kind: 'exit', code: 0, output: '1.2.3\n' });
    const help = await parseCommandLine(['--help'], '1.2.3');
    expect(help.kind === 'exit' && help.code).toBe(0);
    expect(help.kind === 'exit' && help.output).toMatch(/--client-output-buffer-limit/);
  });
});
