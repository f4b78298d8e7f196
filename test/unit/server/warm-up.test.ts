/**
 * src/server/warm-up.ts: the start-up warm-up runs its batches through a real throwaway server
 * (real sockets, the real command table), checks every reply against Redis's bytes, and leaves
 * nothing behind: no listener, no client, no key in any store but its own scratch one.
 */

import { describe, expect, test } from 'vitest';

import { defaultServerConfig } from '../../../src/server/config.js';
import { ALL_COMMANDS } from '../../../src/server/registry.js';
import { warmUpBatch, warmUpCommandPath } from '../../../src/server/warm-up.js';

describe('warmUpCommandPath', () => {
  test('answers every command as Redis does and reports whole batches of 16', async () => {
    const report = await warmUpCommandPath({ config: defaultServerConfig(), commands: ALL_COMMANDS, version: 'test', commandCount: 4_000 });
    expect(report.problem).toBeNull();
    expect(report.commandCount).toBe(4_000);
    // Twice in one process: the first left no port, timer or client that would get in the way.
    const again = await warmUpCommandPath({ config: defaultServerConfig(), commands: ALL_COMMANDS, version: 'test', commandCount: 17 });
    expect(again).toMatchObject({ commandCount: 32, problem: null });
  });

  test('zero commands starts nothing', async () => {
    expect(await warmUpCommandPath({ config: defaultServerConfig(), commands: ALL_COMMANDS, version: 'test', commandCount: 0 }))
      .toEqual({ commandCount: 0, durationMs: 0, problem: null });
  });

  test('a server that answers differently is reported, not thrown', async () => {
    // Without MSET in the command table the first batch's MSET gets an error reply.
    const commands = ALL_COMMANDS.filter((spec) => spec.name.toLowerCase() !== 'mset');
    const report = await warmUpCommandPath({ config: defaultServerConfig(), commands, version: 'test', commandCount: 64 });
    expect(report.commandCount).toBe(0);
    expect(report.problem).toMatch(/^batch 0: at byte \d+ expected "\+OK.*got "-ERR unknown command 'MSET'/);
  });
});

describe('warmUpBatch', () => {
  test('16 commands per batch; INCR counts the cycles through the keys', () => {
    const first = warmUpBatch(0);
    expect(first.request.toString('latin1').match(/^\*\d+\r\n/gm)?.length).toBe(16);
    expect(first.reply.toString('latin1')).toContain(':1\r\n');
    expect(warmUpBatch(250).reply.toString('latin1')).toContain(':2\r\n');
  });
});
