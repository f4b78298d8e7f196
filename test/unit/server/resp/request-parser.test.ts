import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import {
  INLINE_REQUEST_BYTES_MAX,
  ARGV_COPY_BYTES_MAX,
  RequestParser,
  parseStrictInteger,
  splitInlineArguments,
} from '../../../../src/server/resp/request-parser.js';
import type { ParseResult } from '../../../../src/server/resp/request-parser.js';
import { encodeCommand } from '../../../helpers/resp.js';

type Outcome = string[] | { error: string };

/** Feeds `chunks` one by one, draining after each, and returns every command / the error. */
function parseChunks(chunks: readonly Buffer[], options: { isAuthRequired?: boolean; bulkBytesMax?: number } = {}): Outcome[] {
  const parser = new RequestParser({ bulkBytesMax: options.bulkBytesMax });
  parser.isAuthRequired = options.isAuthRequired ?? false;
  const outcomes: Outcome[] = [];
  for (const chunk of chunks) {
    parser.feed(chunk);
    for (;;) {
      const result: ParseResult = parser.next();
      if (result.kind === 'incomplete') break;
      if (result.kind === 'protocolError') {
        outcomes.push({ error: result.text });
        return outcomes;
      }
      outcomes.push(result.argv.map((argument) => argument.toString('latin1')));
    }
  }
  return outcomes;
}

function whole(bytes: Buffer, options?: { isAuthRequired?: boolean; bulkBytesMax?: number }): Outcome[] {
  return parseChunks([bytes], options);
}

function byteByByte(bytes: Buffer): Outcome[] {
  const chunks: Buffer[] = [];
  for (let index = 0; index < bytes.length; index++) chunks.push(bytes.subarray(index, index + 1));
  return parseChunks(chunks);
}

/** Asserts the same outcome whole, byte by byte, and split in two at every offset. */
function expectEverySplit(bytes: Buffer, expected: Outcome[]): void {
  expect(whole(bytes)).toEqual(expected);
  expect(byteByByte(bytes)).toEqual(expected);
  for (let offset = 1; offset < bytes.length; offset++) {
    expect(parseChunks([bytes.subarray(0, offset), bytes.subarray(offset)]), `split at ${offset}`).toEqual(expected);
  }
}

const SHAPES: [string, Buffer, Outcome[]][] = [
  ['a multibulk command', encodeCommand(['SET', 'key', 'value']), [['SET', 'key', 'value']]],
  ['an empty bulk argument', encodeCommand(['SET', 'k', '']), [['SET', 'k', '']]],
  ['binary bytes with CRLF inside a bulk', encodeCommand(['SET', 'k', 'a\r\nb\u0000c']), [['SET', 'k', 'a\r\nb\u0000c']]],
  ['pipelined commands', Buffer.concat([encodeCommand(['PING']), encodeCommand(['GET', 'a']), Buffer.from('PING\r\n')]), [['PING'], ['GET', 'a'], ['PING']]],
  ['an inline command', Buffer.from('SET key value\r\n'), [['SET', 'key', 'value']]],
  ['an inline command ending with LF only', Buffer.from('GET key\n'), [['GET', 'key']]],
  ['inline double quotes with escapes', Buffer.from('SET "a b" "x\\n\\x41\\"y"\r\n'), [['SET', 'a b', 'x\nA"y']]],
  ['inline single quotes', Buffer.from("SET 'a \"b' 'it\\'s'\r\n"), [['SET', 'a "b', "it's"]]],
  ['inline extra blanks', Buffer.from('  GET \t key  \r\n'), [['GET', 'key']]],
  ['an empty inline line (skipped)', Buffer.from('\r\nPING\r\n'), [['PING']]],
  ['*0 (skipped)', Buffer.from('*0\r\nPING\r\n'), [['PING']]],
  ['*-10 (skipped)', Buffer.from('*-10\r\nPING\r\n'), [['PING']]],
  ['*-1 (skipped)', Buffer.concat([Buffer.from('*-1\r\n'), encodeCommand(['ECHO', 'x'])]), [['ECHO', 'x']]],
];

describe('RequestParser', () => {
  for (const [name, bytes, expected] of SHAPES) {
    test(`parses ${name} the same whole, byte by byte and split at every offset`, () => {
      expectEverySplit(bytes, expected);
    });
  }

  test('next() waits for the rest of a split bulk string', () => {
    const parser = new RequestParser();
    parser.feed(Buffer.from('*2\r\n$4\r\nECHO\r\n$5\r\nhel'));
    expect(parser.next().kind).toBe('incomplete');
    parser.feed(Buffer.from('lo\r\n'));
    const result = parser.next();
    expect(result.kind).toBe('command');
    if (result.kind === 'command') expect(result.argv.map(String)).toEqual(['ECHO', 'hello']);
  });

  test('argv over the copy limit, inside one chunk, are zero-copy views of that chunk', () => {
    const chunk = encodeCommand(['SET', 'key', 'value']);
    const parser = new RequestParser({ argvCopyBytesMax: 0 });
    parser.feed(chunk);
    const result = parser.next();
    expect(result.kind).toBe('command');
    if (result.kind !== 'command') return;
    for (const argument of result.argv) expect(argument.buffer).toBe(chunk.buffer);
    expect(result.argv[2].byteOffset).toBe(chunk.byteOffset + chunk.indexOf('value'));
  });

  test('bufferedBytes counts bytes not yet consumed by a complete command', () => {
    const parser = new RequestParser();
    parser.feed(Buffer.from('*1\r\n$4\r\nPI'));
    expect(parser.next().kind).toBe('incomplete');
    expect(parser.bufferedBytes).toBe(10);
    parser.feed(Buffer.from('NG\r\n'));
    expect(parser.next().kind).toBe('command');
    expect(parser.bufferedBytes).toBe(0);
  });

  test('a large bulk arriving in many small chunks parses to the same bytes', () => {
    const value = Buffer.alloc(200_000, 0x61);
    const bytes = encodeCommand(['SET', 'k', value]);
    const chunks: Buffer[] = [];
    for (let offset = 0; offset < bytes.length; offset += 1000) chunks.push(bytes.subarray(offset, offset + 1000));
    const outcomes = parseChunks(chunks);
    expect(outcomes).toHaveLength(1);
    expect((outcomes[0] as string[])[2]).toBe(value.toString('latin1'));
  });

  describe('malformed requests get Redis\'s errors', () => {
    const cases: [string, Buffer, string][] = [
      ['a multibulk count over INT_MAX', Buffer.from('*3000000000\r\n'), 'ERR Protocol error: invalid multibulk length'],
      ['a non-numeric multibulk count', Buffer.from('*abc\r\n'), 'ERR Protocol error: invalid multibulk length'],
      ['an empty multibulk count', Buffer.from('*\r\n'), 'ERR Protocol error: invalid multibulk length'],
      ['a multibulk count with a plus sign', Buffer.from('*+1\r\n'), 'ERR Protocol error: invalid multibulk length'],
      ['a bulk without $', Buffer.from('*1\r\nPING\r\n'), "ERR Protocol error: expected '$', got 'P'"],
      ['a negative bulk length', Buffer.from('*1\r\n$-10\r\n'), 'ERR Protocol error: invalid bulk length'],
      ['a bulk length with leading zeros', Buffer.from('*1\r\n$04\r\nPING\r\n'), 'ERR Protocol error: invalid bulk length'],
      ['unbalanced double quotes', Buffer.from('SET "abc\r\n'), 'ERR Protocol error: unbalanced quotes in request'],
      ['unbalanced single quotes', Buffer.from("SET 'abc\r\n"), 'ERR Protocol error: unbalanced quotes in request'],
      ['a closing quote followed by a letter', Buffer.from('SET "a"b\r\n'), 'ERR Protocol error: unbalanced quotes in request'],
    ];
    for (const [name, bytes, text] of cases) {
      test(`${name}`, () => {
        expect(whole(bytes)).toEqual([{ error: text }]);
        expect(byteByByte(bytes)).toEqual([{ error: text }]);
      });
    }

    test('a bulk longer than proto-max-bulk-len is refused', () => {
      expect(whole(Buffer.from('*1\r\n$2000\r\n'), { bulkBytesMax: 1000 })).toEqual([{ error: 'ERR Protocol error: invalid bulk length' }]);
    });

    test('an inline request over 64 KiB without a newline is refused', () => {
      const bytes = Buffer.alloc(INLINE_REQUEST_BYTES_MAX + 1, 0x61);
      expect(whole(bytes)).toEqual([{ error: 'ERR Protocol error: too big inline request' }]);
    });

    test('an inline request over 64 KiB is refused even when its newline came with it', () => {
      const bytes = Buffer.concat([Buffer.alloc(INLINE_REQUEST_BYTES_MAX + 1, 0x61), Buffer.from('\r\n')]);
      expect(whole(bytes)).toEqual([{ error: 'ERR Protocol error: too big inline request' }]);
    });

    test('a multibulk header over 64 KiB without CR is refused', () => {
      const bytes = Buffer.concat([Buffer.from('*'), Buffer.alloc(INLINE_REQUEST_BYTES_MAX + 1, 0x31)]);
      expect(whole(bytes)).toEqual([{ error: 'ERR Protocol error: too big mbulk count string' }]);
    });

    test('a bulk header over 64 KiB without CR is refused', () => {
      const bytes = Buffer.concat([Buffer.from('*1\r\n$'), Buffer.alloc(INLINE_REQUEST_BYTES_MAX + 1, 0x31)]);
      expect(whole(bytes)).toEqual([{ error: 'ERR Protocol error: too big bulk count string' }]);
    });

    test('an unauthenticated client may not announce more than 10 arguments', () => {
      expect(whole(Buffer.from('*11\r\n'), { isAuthRequired: true })).toEqual([{ error: 'ERR Protocol error: unauthenticated multibulk length' }]);
      expect(whole(Buffer.from('*10\r\n'), { isAuthRequired: true })).toEqual([]);
    });

    test('an unauthenticated client may not announce a bulk over 16 KiB', () => {
      expect(whole(Buffer.from('*1\r\n$16385\r\n'), { isAuthRequired: true })).toEqual([{ error: 'ERR Protocol error: unauthenticated bulk length' }]);
    });

    test('after a protocol error the parser keeps answering the same error', () => {
      const parser = new RequestParser();
      parser.feed(Buffer.from('*x\r\n'));
      const first = parser.next();
      parser.feed(encodeCommand(['PING']));
      expect(parser.next()).toEqual(first);
    });
  });

  test('random bytes never make the parser throw', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => {
      const parser = new RequestParser({ bulkBytesMax: 1 << 20 });
      for (const chunk of chunks) {
        parser.feed(Buffer.from(chunk));
        for (let step = 0; step < 100; step++) {
          const result = parser.next();
          if (result.kind !== 'command') break;
        }
      }
    }), { numRuns: 300 });
  });

  test('random RESP-ish bytes (headers, digits, CRLF) never make the parser throw', () => {
    const token = fc.constantFrom('*', '$', '-', '0', '1', '3', '9', '\r', '\n', '\r\n', 'a', '"', "'", '\\', ' ', '\u0000');
    fc.assert(fc.property(fc.array(token, { maxLength: 80 }), fc.integer({ min: 1, max: 7 }), (tokens, step) => {
      const bytes = Buffer.from(tokens.join(''), 'latin1');
      const parser = new RequestParser();
      for (let offset = 0; offset < bytes.length; offset += step) {
        parser.feed(bytes.subarray(offset, offset + step));
        for (let count = 0; count < 100 && parser.next().kind === 'command'; count++);
      }
    }), { numRuns: 300 });
  });

  test('random valid requests split at random points round-trip', () => {
    const argument = fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes));
    const command = fc.array(argument, { minLength: 1, maxLength: 6 });
    fc.assert(fc.property(fc.array(command, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 6 }), (commands, cuts) => {
      const bytes = Buffer.concat(commands.map((argv) => encodeCommand(argv)));
      const offsets = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
      const chunks: Buffer[] = [];
      let previous = 0;
      for (const offset of [...offsets, bytes.length]) {
        chunks.push(bytes.subarray(previous, offset));
        previous = offset;
      }
      const parsed = parseChunks(chunks);
      expect(parsed).toEqual(commands.map((argv) => argv.map((item) => item.toString('latin1'))));
    }), { numRuns: 200 });
  });
});

describe('splitInlineArguments (sdssplitargs)', () => {
  function split(text: string): string[] | null {
    const bytes = Buffer.from(text, 'latin1');
    return splitInlineArguments(bytes, 0, bytes.length)?.map((argument) => argument.toString('latin1')) ?? null;
  }

  test('splits on blanks and keeps quoted blanks', () => {
    expect(split('a  b\t"c d"')).toEqual(['a', 'b', 'c d']);
  });

  test('joins a quoted part to the word before it', () => {
    expect(split('foo"bar"')).toEqual(['foobar']);
  });

  test('decodes \\x escapes only with two hex digits', () => {
    expect(split('"\\x41\\x4"')).toEqual(['Ax4']);
  });

  test('ends the line at a NUL byte like a C string', () => {
    expect(split('a b\u0000c d')).toEqual(['a', 'b']);
  });

  test('returns an empty list for a blank line', () => {
    expect(split('   ')).toEqual([]);
  });

  test('returns null for an unterminated quote', () => {
    expect(split('"abc')).toBeNull();
  });
});

describe('parseStrictInteger (string2ll)', () => {
  const parse = (text: string): number | null => parseStrictInteger(Buffer.from(text), 0, text.length);
  test('accepts canonical integers', () => {
    expect([parse('0'), parse('7'), parse('-42'), parse('2147483647')]).toEqual([0, 7, -42, 2147483647]);
  });
  test('refuses signs, leading zeros, blanks and empty text', () => {
    expect([parse('+1'), parse('01'), parse('-0'), parse(' 1'), parse(''), parse('-'), parse('1a')]).toEqual([null, null, null, null, null, null, null]);
  });
});

describe('header lines longer than the in-JS scan', () => {
  test('a header line whose CR lies past the first 24 bytes is still found, whole or split', () => {
    const input = Buffer.from(`*1\r\n$${'1'.repeat(30)}\r\n`);
    const expected = [{ error: 'ERR Protocol error: invalid bulk length' }];
    expect(parseChunks([input])).toEqual(expected);
    for (let cut = 1; cut < input.length; cut++) {
      expect(parseChunks([input.subarray(0, cut), input.subarray(cut)])).toEqual(expected);
    }
  });

  test('a long header line without its CR yet waits for more bytes', () => {
    const parser = new RequestParser();
    parser.feed(Buffer.from(`*${' '.repeat(40)}`));
    expect(parser.next().kind).toBe('incomplete');
  });
});

describe('releaseInput: when a connection may reuse its read buffer', () => {
  /** Runs every complete command in place (copying its arguments out), as GET/SET's handlers do. */
  function runInPlace(parser: RequestParser): string[][] {
    const commands: string[][] = [];
    while (parser.nextCommand() === 1 /* ParseStatus.Command */) {
      const argv: string[] = [];
      for (let index = 0; index < parser.count; index++) argv.push(Buffer.from(parser.view(index)).toString('latin1'));
      commands.push(argv);
    }
    return commands;
  }

  test('whole requests run in place release the chunk', () => {
    const parser = new RequestParser();
    parser.feed(Buffer.concat([encodeCommand(['SET', 'k', 'v']), encodeCommand(['GET', 'k'])]));
    expect(runInPlace(parser)).toEqual([['SET', 'k', 'v'], ['GET', 'k']]);
    expect(parser.releaseInput()).toBe(true);
  });

  test('a request cut anywhere holds the chunk until it is complete', () => {
    const bytes = encodeCommand(['SET', 'key', 'value']);
    for (let cut = 1; cut < bytes.length; cut++) {
      const parser = new RequestParser();
      parser.feed(Buffer.from(bytes.subarray(0, cut)));
      expect(runInPlace(parser)).toEqual([]);
      expect(parser.releaseInput(), `cut at ${cut}`).toBe(false);
      parser.feed(Buffer.from(bytes.subarray(cut)));
      expect(runInPlace(parser)).toEqual([['SET', 'key', 'value']]);
    }
  });

  test('a small argv is a copy: the chunk is released and the copy survives its reuse', () => {
    const parser = new RequestParser();
    const chunk = encodeCommand(['EXPIRE', 'some-key', '100']);
    parser.feed(chunk);
    expect(parser.nextCommand()).toBe(1);
    const kept = parser.argv();
    expect(parser.nextCommand()).toBe(0);
    expect(parser.releaseInput()).toBe(true);
    chunk.fill(0xee);
    expect(kept.map(String)).toEqual(['EXPIRE', 'some-key', '100']);
  });

  test('an argv over the copy limit is lent: it holds the chunk once, then the record starts afresh', () => {
    const big = 'v'.repeat(ARGV_COPY_BYTES_MAX);
    const lending = new RequestParser();
    lending.feed(encodeCommand(['ECHO', big]));
    expect(lending.nextCommand()).toBe(1);
    expect(lending.argv()[1].length).toBe(big.length);
    expect(lending.nextCommand()).toBe(0);
    expect(lending.releaseInput()).toBe(false);
    const parser = new RequestParser({ argvCopyBytesMax: 0 });
    parser.feed(encodeCommand(['MULTI']));
    expect(parser.nextCommand()).toBe(1);
    const kept = parser.argv();
    expect(parser.nextCommand()).toBe(0);
    expect(parser.releaseInput()).toBe(false);
    expect(kept.map(String)).toEqual(['MULTI']);
    parser.feed(encodeCommand(['PING']));
    expect(runInPlace(parser)).toEqual([['PING']]);
    expect(parser.releaseInput()).toBe(true);
  });

  test('inline requests release the chunk (their arguments are copies)', () => {
    const parser = new RequestParser();
    parser.feed(Buffer.from('SET a "b c"\r\n'));
    expect(parser.next()).toEqual({ kind: 'command', argv: [Buffer.from('SET'), Buffer.from('a'), Buffer.from('b c')] });
    expect(parser.nextCommand()).toBe(0);
    expect(parser.releaseInput()).toBe(true);
  });

  // Model: a connection that reads into one small buffer and overwrites it whenever
  // releaseInput() allows. Every command must come out as it was sent, including argv arrays
  // kept until the end (as MULTI keeps them), which a wrong "released" would have overwritten.
  test('reusing the buffer whenever released never changes a command or a kept argv', () => {
    const argument = fc.uint8Array({ maxLength: 24 }).map((bytes) => Buffer.from(bytes));
    const command = fc.record({ argv: fc.array(argument, { minLength: 1, maxLength: 5 }), keepsArgv: fc.boolean() });
    // A random copy limit: argv of either kind (copied or lent) must survive.
    fc.assert(fc.property(fc.array(command, { minLength: 1, maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 48 }), { minLength: 1, maxLength: 16 }), fc.integer({ min: 0, max: 64 }), (commands, readSizes, argvCopyBytesMax) => {
      const bytes = Buffer.concat(commands.map((item) => encodeCommand(item.argv)));
      const parser = new RequestParser({ argvCopyBytesMax });
      let readBuffer = Buffer.alloc(48);
      let reuseCount = 0;
      const outcomes: (Buffer[] | string[])[] = [];
      let commandIndex = 0;
      for (let offset = 0, read = 0; offset < bytes.length; read++) {
        const size = Math.min(readSizes[read % readSizes.length], bytes.length - offset);
        bytes.copy(readBuffer, 0, offset, offset + size);
        offset += size;
        parser.feed(readBuffer.subarray(0, size));
        while (parser.nextCommand() === 1) {
          if (commands[commandIndex++].keepsArgv) {
            outcomes.push(parser.argv());
          } else {
            const argv: string[] = [];
            for (let index = 0; index < parser.count; index++) argv.push(Buffer.from(parser.view(index)).toString('latin1'));
            outcomes.push(argv);
          }
        }
        if (parser.releaseInput()) {
          readBuffer.fill(0xee);
          reuseCount++;
        } else {
          readBuffer = Buffer.alloc(48);
        }
      }
      const seen = outcomes.map((argv) => argv.map((item) => (typeof item === 'string' ? item : item.toString('latin1'))));
      expect(seen).toEqual(commands.map((item) => item.argv.map((argumentBytes) => argumentBytes.toString('latin1'))));
      if (commands.every((item) => !item.keepsArgv) && readSizes.every((size) => size >= 48)) {
        expect(reuseCount).toBeGreaterThan(0);
      }
    }), { numRuns: 300 });
  });
});
