/**
 * The launch profile is spelled in three places that cannot import it: package.json's start
 * script and src/main.ts's shebang (read by the shell and the kernel), and the module itself.
 * These tests keep them in step, and check the start-up notice's helper.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { SERVER_NODE_FLAGS, missingServerNodeFlags, serverCommandLine } from '../../../src/server/launch-profile.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('launch profile', () => {
  it('npm start runs the server with exactly SERVER_NODE_FLAGS', () => {
    const packageJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const start = packageJson.scripts['start'];
    expect(start).toContain(`node ${SERVER_NODE_FLAGS.join(' ')} dist/src/main.js`);
  });

  it("src/main.ts's shebang passes SERVER_NODE_FLAGS (the cowkv bin)", () => {
    const firstLine = readFileSync(path.join(REPO_ROOT, 'src', 'main.ts'), 'utf8').split('\n')[0];
    expect(firstLine).toBe(`#!/usr/bin/env -S node ${SERVER_NODE_FLAGS.join(' ')}`);
  });

  it('serverCommandLine puts the flags before the entry and the arguments after it', () => {
    const line = serverCommandLine('/x/main.js', ['--port', '0']);
    expect(line.file).toBe(process.execPath);
    expect(line.args).toEqual([...SERVER_NODE_FLAGS, '/x/main.js', '--port', '0']);
    expect(serverCommandLine('/x/main.js', ['--port', '0'], []).args).toEqual(['/x/main.js', '--port', '0']);
  });

  it('missingServerNodeFlags names the flags a process lacks', () => {
    expect(missingServerNodeFlags([])).toEqual([...SERVER_NODE_FLAGS]);
    expect(missingServerNodeFlags(['--inspect', ...SERVER_NODE_FLAGS])).toEqual([]);
  });
});
