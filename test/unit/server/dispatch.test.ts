import { describe, expect, test } from 'vitest';
import { AssertionError } from 'node:assert';
import { createInProcessServer } from '../../helpers/in-process-server.js';
import { defineCommand } from '../../../src/server/commands/define.js';
import fc from 'fast-check';
import type { CommandSpec } from '../../../src/server/command-types.js';
import { CommandTable } from '../../../src/server/dispatch.js';
import { ALL_COMMANDS } from '../../../src/server/registry.js';

describe('dispatch', () => {
  test('looks commands up case-insensitively', () => {
    const { connect, run } = createInProcessServer();
    const { client } = connect();
    expect(run(client, ['ping'])).toEqual({ simple: 'PONG' });
    expect(run(client, ['PiNg'])).toEqual({ simple: 'PONG' });
    expect(run(client, ['config', 'get', 'HZ'])).toEqual(['hz', '10']);
  });

  test('answers an unknown command with Redis\'s text, echoing at most 128 bytes of arguments', () => {
    const { connect, run } = createInProcessServer();
    const { client } = connect();
    expect(run(client, ['NOPE'])).toEqual({ error: "ERR unknown command 'NOPE', with args beginning with: " });
    const long = 'a'.repeat(200);
    const reply = run(client, ['NOPE', long, 'b']) as { error: string };
    expect(reply.error).toBe(`ERR unknown command 'NOPE', with args beginning with: '${'a'.repeat(128)}' `);
  });

  test('replaces CR and LF echoed from the client with spaces', () => {
    const { connect, run } = createInProcessServer();
    const { client } = connect();
    expect(run(client, ['NO\r\nPE', 'x\ny'])).toEqual({ error: "ERR unknown command 'NO  PE', with args beginning with: 'x y' " });
  });

  test('checks arity: exact for positive, at least for negative', () => {
    const { connect, run } = createInProcessServer();
    const { client } = connect();
    expect(run(client, ['ECHO'])).toEqual({ error: "ERR wrong number of arguments for 'echo' command" });
    expect(run(client, ['ECHO', 'a', 'b'])).toEqual({ error: "ERR wrong number of arguments for 'echo' command" });
    expect(run(client, ['CONFIG'])).toEqual({ error: "ERR wrong number of arguments for 'config' command" });
    expect(run(client, ['CONFIG', 'GET'])).toEqual({ error: "ERR wrong number of arguments for 'config|get' command" });
    expect(run(client, ['CONFIG', 'SET', 'hz'])).toEqual({ error: "ERR wrong number of arguments for 'config|set' command" });
  });

  test('a container command without a subcommand runs its own handler when its arity allows', () => {
    const { connect, run } = createInProcessServer();
    const { client } = connect();
    expect(Array.isArray(run(client, ['COMMAND']))).toBe(true);
  });

  test('refuses everything but AUTH/HELLO/QUIT/RESET with NOAUTH until authenticated', () => {
    const { connect, run } = createInProcessServer({ requirepass: 'pw' });
    const { client } = connect();
    expect(run(client, ['PING'])).toEqual({ error: 'NOAUTH Authentication required.' });
    expect(run(client, ['NOPE'])).toEqual({ error: "ERR unknown command 'NOPE', with args beginning with: " });
    expect(run(client, ['AUTH', 'pw'])).toEqual({ simple: 'OK' });
    expect(run(client, ['PING'])).toEqual({ simple: 'PONG' });
    expect(run(client, ['RESET'])).toEqual({ simple: 'RESET' });
    expect(run(client, ['PING'])).toEqual({ error: 'NOAUTH Authentication required.' });
  });

  test('queues commands in MULTI and flags the transaction on arity errors', () => {
    const { connect, run } = createInProcessServer();
    const { client } = connect();
    expect(run(client, ['MULTI'])).toEqual({ simple: 'OK' });
    expect(run(client, ['SET', 'k', 'v'])).toEqual({ simple: 'QUEUED' });
    expect(run(client, ['MULTI'])).toEqual({ error: 'ERR MULTI calls can not be nested' });
    expect(run(client, ['GET'])).toEqual({ error: "ERR wrong number of arguments for 'get' command" });
    expect(run(client, ['EXEC'])).toEqual({ error: 'EXECABORT Transaction discarded because of previous errors.' });
    expect(run(client, ['GET', 'k'])).toBeNull();
  });

  test('runs WATCH, DISCARD and SHUTDOWN rules inside MULTI as Redis does', () => {
    const { connect, run } = createInProcessServer();
    const { client } = connect();
    run(client, ['MULTI']);
    expect(run(client, ['WATCH', 'k'])).toEqual({ error: 'ERR WATCH inside MULTI is not allowed' });
    expect(run(client, ['SHUTDOWN'])).toEqual({ error: 'ERR Command not allowed inside a transaction' });
    expect(run(client, ['DISCARD'])).toEqual({ simple: 'OK' });
    expect(run(client, ['DISCARD'])).toEqual({ error: 'ERR DISCARD without MULTI' });
  });

  test('EXEC answers one array holding each queued command\'s reply, errors included', () => {
    const { connect, run } = createInProcessServer();
    const { client } = connect();
    run(client, ['MULTI']);
    run(client, ['SET', 'n', 'x']);
    run(client, ['INCR', 'n']);
    run(client, ['ECHO', 'e']);
    expect(run(client, ['EXEC'])).toEqual([{ simple: 'OK' }, { error: 'ERR value is not an integer or out of range' }, 'e']);
  });

  test('a command that throws gets ERR internal error and the connection keeps working', () => {
    const { server, connect, run } = createInProcessServer();
    server.addCommands([defineCommand({ name: 'BOOM', arity: 1, flags: [], group: 'test', summary: 'throws', run: (context) => {
      context.reply.bulk('partial output that must be dropped');
      throw new Error('boom');
    } })]);
    const { client } = connect();
    expect(run(client, ['BOOM'])).toEqual({ error: 'ERR internal error' });
    expect(run(client, ['PING'])).toEqual({ simple: 'PONG' });
  });

  test('an AssertionError in a handler is reported as a bug', () => {
    const { server, connect, run, fatalErrors } = createInProcessServer();
    server.addCommands([defineCommand({ name: 'BUG', arity: 1, flags: [], group: 'test', summary: 'asserts', run: () => {
      throw new AssertionError({ message: 'invariant broken' });
    } })]);
    const { client } = connect();
    expect(run(client, ['BUG'])).toEqual({ error: 'ERR internal error' });
    expect(fatalErrors).toHaveLength(1);
  });

  test('all replies of one read leave in one socket write', () => {
    const { connect } = createInProcessServer();
    const { client, socket } = connect();
    client.parser.feed(Buffer.from('PING\r\nPING\r\nECHO x\r\n'));
    client.processInput();
    client.flush();
    expect(socket.written).toHaveLength(1);
    expect(socket.written[0].toString()).toBe('+PONG\r\n+PONG\r\n$1\r\nx\r\n');
  });

  test('refuses denyoom commands when over maxmemory', () => {
    const { server, connect, run } = createInProcessServer();
    const { client } = connect();
    run(client, ['SET', 'k', 'v']);
    server.config.values.maxmemoryBytes = 1;
    expect(run(client, ['SET', 'k2', 'v'])).toEqual({ error: "OOM command not allowed when used memory > 'maxmemory'." });
    expect(run(client, ['GET', 'k'])).toBe('v');
  });

  test('protocol errors are answered and the connection closes after the reply', () => {
    const { connect, runRaw } = createInProcessServer();
    const { client, socket } = connect();
    expect(runRaw(client, Buffer.from('PING\r\n*1\r\nx\r\n'))).toEqual([{ simple: 'PONG' }, { error: "ERR Protocol error: expected '$', got 'x'" }]);
    expect(socket.isEnded).toBe(true);
  });
});

describe('admissionRefusal', () => {
  test('refuses the client over maxclients and non-loopback clients in protected mode', async () => {
    const { admissionRefusal } = await import('../../../src/server/server.js');
    const { defaultServerConfig } = await import('../../../src/server/config.js');
    const config = defaultServerConfig();
    expect(admissionRefusal(config, 0, '127.0.0.1')).toBeNull();
    expect(admissionRefusal(config, 0, '::ffff:127.0.0.5')).toBeNull();
    expect(admissionRefusal(config, 0, '::1')).toBeNull();
    expect(admissionRefusal(config, 10000, '127.0.0.1')).toBe('ERR max number of clients reached');
    expect(admissionRefusal(config, 0, '10.1.2.3')).toMatch(/^DENIED Redis is running in protected mode/);
    expect(admissionRefusal({ ...config, requirepass: 'pw' }, 0, '10.1.2.3')).toBeNull();
    expect(admissionRefusal({ ...config, protectedMode: false }, 0, '10.1.2.3')).toBeNull();
  });
});

describe('CommandTable byte lookup', () => {
  const table = new CommandTable(ALL_COMMANDS);
  /** The lookup the byte path replaced: latin1 text, then its lower case. */
  const byText = new Map(ALL_COMMANDS.map((spec) => [spec.name.toLowerCase(), spec]));
  const lookupByText = (name: Buffer): CommandSpec | undefined => byText.get(name.toString('latin1').toLowerCase());

  test('lookupInfo() finds every command in any ASCII case from its bytes', () => {
    for (const spec of ALL_COMMANDS) {
      for (const spelling of [spec.name, spec.name.toLowerCase(), mixedCase(spec.name)]) {
        expect(table.lookupInfo(Buffer.from(spelling, 'latin1'))?.spec).toBe(spec);
      }
    }
  });

  test('lookupInfo() answers undefined for unknown, empty, longer and non-ASCII look-alike names', () => {
    expect(table.lookupInfo(Buffer.from('NOPE'))).toBeUndefined();
    expect(table.lookupInfo(Buffer.alloc(0))).toBeUndefined();
    expect(table.lookupInfo(Buffer.from('GETT'))).toBeUndefined();
    expect(table.lookupInfo(Buffer.from('G'.repeat(1000)))).toBeUndefined();
    expect(table.lookupInfo(Buffer.from([0x47, 0x45, 0xd4]))).toBeUndefined(); // 'GE' + latin1 'Ô'
  });

  test('a command added again under the same name replaces the old one', () => {
    const own = new CommandTable(ALL_COMMANDS);
    const replacement = defineCommand({ name: 'GET', arity: 2, flags: ['readonly'], group: 'string', summary: 'test', run: () => undefined });
    expect(own.lookupInfo(Buffer.from('GET'))?.spec).not.toBe(replacement); // now the last found
    own.add(replacement);
    expect(own.lookupInfo(Buffer.from('get'))?.spec).toBe(replacement);
    expect(own.lookup('GET')).toBe(replacement);
  });

  test('the last name found is remembered without confusing names that share a prefix or a length', () => {
    const own = new CommandTable(ALL_COMMANDS);
    const spelled = (name: string): CommandSpec | undefined => own.lookupInfo(Buffer.from(name, 'latin1'))?.spec;
    for (const name of ['GET', 'get', 'GE', 'GETT', 'GETEX', 'gEt', 'SET', 'GET', 'xET', 'getdel', 'GETDEL', 'GET']) {
      expect(spelled(name), name).toBe(lookupByText(Buffer.from(name, 'latin1')));
    }
  });

  test('infoOf() precomputes full names, flags and the counters statsOf() returns', () => {
    const config = table.lookup('CONFIG')!;
    const configGet = table.lookupSubcommand(config, 'get')!;
    const info = table.infoOf(configGet);
    expect(info.name).toBe('CONFIG');
    expect(info.fullName).toBe('CONFIG|GET');
    expect(info.fullNameLower).toBe('config|get');
    expect(info.stats).toBe(table.statsOf(configGet));
    expect(table.infoOf(table.lookup('SET')!).isRefusedOnMisconf).toBe(true);
    expect(table.infoOf(table.lookup('PING')!).isRefusedOnMisconf).toBe(true);
    expect(table.infoOf(table.lookup('GET')!).isRefusedOnMisconf).toBe(false);
    expect(table.infoOf(table.lookup('EXEC')!).isQueuedInMulti).toBe(false);
    expect(table.infoOf(table.lookup('AUTH')!).isNoAuth).toBe(true);
  });

  test('byte lookup agrees with the latin1 string lookup on random names and case variants', () => {
    const names = ALL_COMMANDS.map((spec) => spec.name);
    const caseVariant = fc.tuple(fc.constantFrom(...names), fc.array(fc.boolean(), { maxLength: 32 }))
      .map(([name, flips]) => Buffer.from([...name].map((char, index) => (flips[index] ? char.toLowerCase() : char)).join(''), 'latin1'));
    const randomName = fc.uint8Array({ maxLength: 12 }).map((bytes) => Buffer.from(bytes));
    fc.assert(fc.property(fc.oneof(caseVariant, randomName), (name) => {
      expect(table.lookupInfo(name)?.spec).toBe(lookupByText(name));
    }), { numRuns: 500 });
  });
});

function mixedCase(name: string): string {
  return [...name].map((char, index) => (index % 2 === 0 ? char.toLowerCase() : char.toUpperCase())).join('');
}
