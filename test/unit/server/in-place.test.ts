import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { ArgvArgs } from '../../../src/server/command-types.js';
import type { CommandArgs } from '../../../src/server/command-types.js';
import { RequestParser, ParseStatus } from '../../../src/server/resp/request-parser.js';
import { createInProcessServer } from '../../helpers/in-process-server.js';
import type { FakeSocket } from '../../helpers/in-process-server.js';
import type { Client } from '../../../src/server/connection.js';
import { encodeCommand } from '../../helpers/resp.js';

/** A connection whose server runs the in-place handlers, or (`isInPlace` false) only `run`. */
function connect(isInPlace: boolean): { client: Client; socket: FakeSocket } {
  const inProcess = createInProcessServer();
  if (!isInPlace) {
    for (const spec of [...inProcess.server.commands.specs]) {
      if (spec.runInPlace !== undefined) inProcess.server.commands.add({ ...spec, runInPlace: undefined });
    }
  }
  return inProcess.connect();
}

/** Feeds the chunks one read at a time and returns every byte the client was sent. */
function replyBytes(connection: { client: Client; socket: FakeSocket }, chunks: readonly Buffer[]): Buffer {
  for (const chunk of chunks) {
    connection.client.parser.feed(chunk);
    connection.client.processInput();
    connection.client.flush();
  }
  return connection.socket.drain();
}

const key = fc.constantFrom('a', 'b', 'n', 'key:000000000001');
const value = fc.oneof(
  fc.constantFrom('0', '1', '-7', '9223372036854775807', 'x', '', '12a'),
  fc.string({ maxLength: 80 }),
);
const command: fc.Arbitrary<readonly string[]> = fc.oneof(
  key.map((k) => ['GET', k]),
  fc.tuple(key, value).map(([k, v]) => ['SET', k, v]),
  fc.tuple(key, value, fc.constantFrom('NX', 'XX', 'GET', 'KEEPTTL', 'EX', 'BOGUS')).map(([k, v, o]) => ['set', k, v, o]),
  key.map((k) => ['INCR', k]),
  fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 4 }).map((pairs) => ['MSET', ...pairs.flat()]),
  fc.tuple(key, value, key).map(([k, v, k2]) => ['MSET', k, v, k2]),
  fc.constantFrom(['GET'], ['GET', 'a', 'b'], ['INCR'], ['MSET', 'a'], ['SET', 'a'], ['MULTI'], ['EXEC'], ['DISCARD']),
);

describe('in-place handlers (GET, SET, INCR, MSET)', () => {
  test('answer byte for byte as the run handlers, whatever the commands and read splits', () => {
    fc.assert(fc.property(
      fc.array(command, { minLength: 1, maxLength: 40 }),
      fc.array(fc.nat(), { maxLength: 6 }),
      (commands, cuts) => {
        const bytes = Buffer.concat(commands.map((argv) => encodeCommand(argv)));
        const offsets = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let start = 0;
        for (const offset of [...offsets, bytes.length]) {
          chunks.push(bytes.subarray(start, offset));
          start = offset;
        }
        const inPlace = replyBytes(connect(true), chunks);
        const generic = replyBytes(connect(false), chunks);
        expect(inPlace.toString('latin1')).toBe(generic.toString('latin1'));
      },
    ), { numRuns: 300 });
  });

  test('GET copies a value from the heap into the reply', () => {
    const connection = connect(true);
    const reply = replyBytes(connection, [encodeCommand(['SET', 'k', 'v'.repeat(300)]), encodeCommand(['GET', 'k'])]);
    expect(reply.toString('latin1')).toBe(`+OK\r\n$300\r\n${'v'.repeat(300)}\r\n`);
  });
});

describe('RequestParser as CommandArgs', () => {
  test('describes a command in place, and one split across reads through spilled arguments', () => {
    const bytes = encodeCommand(['SET', 'key', 'value']);
    for (let split = 0; split <= bytes.length; split++) {
      const parser = new RequestParser();
      parser.feed(bytes.subarray(0, split));
      let status = parser.nextCommand();
      if (split < bytes.length) {
        expect(status).toBe(ParseStatus.Incomplete);
        parser.feed(Buffer.from(bytes.subarray(split)));
        status = parser.nextCommand();
      }
      expect(status).toBe(ParseStatus.Command);
      expect(parser.count).toBe(3);
      const texts = [0, 1, 2].map((index) =>
        Buffer.from(parser.bytesOf(index).subarray(parser.offsetOf(index), parser.offsetOf(index) + parser.lengthOf(index))).toString());
      expect(texts, `split at ${split}`).toEqual(['SET', 'key', 'value']);
      expect([0, 1, 2].map((index) => Buffer.from(parser.view(index)).toString())).toEqual(['SET', 'key', 'value']);
      expect(parser.argv().map(String)).toEqual(['SET', 'key', 'value']);
      expect(parser.nextCommand()).toBe(ParseStatus.Incomplete);
      expect(parser.count).toBe(0);
    }
  });

  test('grows its argument table past its initial size', () => {
    const argv = ['MSET', ...Array.from({ length: 100 }, (_, index) => `k${index}`)];
    const parser = new RequestParser();
    parser.feed(encodeCommand(argv));
    expect(parser.nextCommand()).toBe(ParseStatus.Command);
    expect(parser.argv().map(String)).toEqual(argv);
  });

  test('reports a protocol error through errorText and stays poisoned', () => {
    const parser = new RequestParser();
    parser.feed(Buffer.from('*1\r\n!3\r\n'));
    expect(parser.nextCommand()).toBe(ParseStatus.ProtocolError);
    expect(parser.errorText).toBe("ERR Protocol error: expected '$', got '!'");
    expect(parser.nextCommand()).toBe(ParseStatus.ProtocolError);
  });

  test('ArgvArgs describes an argv array the same way', () => {
    const args: CommandArgs = new ArgvArgs([Buffer.from('GET'), Buffer.from('k')]);
    expect(args.count).toBe(2);
    expect(Buffer.from(args.view(1)).toString()).toBe('k');
    expect(args.offsetOf(1)).toBe(0);
    expect(args.lengthOf(0)).toBe(3);
  });
});
