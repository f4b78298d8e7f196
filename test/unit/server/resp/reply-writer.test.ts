import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { RespReplyWriter, formatDouble } from '../../../../src/server/resp/reply-writer.js';

function encode(protocol: 2 | 3, write: (writer: RespReplyWriter) => void): string {
  const writer = new RespReplyWriter(8);
  writer.protocol = protocol;
  write(writer);
  return writer.take().toString('latin1');
}

describe('RespReplyWriter', () => {
  test('encodes the RESP2 scalar types', () => {
    expect(encode(2, (w) => w.simple('OK'))).toBe('+OK\r\n');
    expect(encode(2, (w) => w.simple('PONG'))).toBe('+PONG\r\n');
    expect(encode(2, (w) => w.error('ERR bad'))).toBe('-ERR bad\r\n');
    expect(encode(2, (w) => w.integer(0))).toBe(':0\r\n');
    expect(encode(2, (w) => w.integer(-7))).toBe(':-7\r\n');
    expect(encode(2, (w) => w.integer(1234567890123))).toBe(':1234567890123\r\n');
    expect(encode(2, (w) => w.integer(-9223372036854775808n))).toBe(':-9223372036854775808\r\n');
    expect(encode(2, (w) => w.bulk('héllo'))).toBe('$6\r\nh\u00c3\u00a9llo\r\n');
    expect(encode(2, (w) => w.bulk(Buffer.alloc(0)))).toBe('$0\r\n\r\n');
    expect(encode(2, (w) => w.nullBulk())).toBe('$-1\r\n');
    expect(encode(2, (w) => w.nullArray())).toBe('*-1\r\n');
  });

  test('degrades RESP3 types to their RESP2 forms', () => {
    expect(encode(2, (w) => w.mapHeader(2))).toBe('*4\r\n');
    expect(encode(2, (w) => w.setHeader(3))).toBe('*3\r\n');
    expect(encode(2, (w) => w.pushHeader(3))).toBe('*3\r\n');
    expect(encode(2, (w) => w.double(1.5))).toBe('$3\r\n1.5\r\n');
    expect(encode(2, (w) => w.boolean(true))).toBe(':1\r\n');
    expect(encode(2, (w) => w.verbatim('txt'))).toBe('$3\r\ntxt\r\n');
  });

  test('encodes the RESP3 types', () => {
    expect(encode(3, (w) => w.nullBulk())).toBe('_\r\n');
    expect(encode(3, (w) => w.nullArray())).toBe('_\r\n');
    expect(encode(3, (w) => w.mapHeader(2))).toBe('%2\r\n');
    expect(encode(3, (w) => w.setHeader(3))).toBe('~3\r\n');
    expect(encode(3, (w) => w.pushHeader(3))).toBe('>3\r\n');
    expect(encode(3, (w) => w.double(-0.25))).toBe(',-0.25\r\n');
    expect(encode(3, (w) => w.double(Infinity))).toBe(',inf\r\n');
    expect(encode(3, (w) => w.boolean(false))).toBe('#f\r\n');
    expect(encode(3, (w) => w.verbatim('a:b'))).toBe('=7\r\ntxt:a:b\r\n');
  });

  test('bulkFill lets the caller write the body in place', () => {
    expect(encode(2, (w) => w.bulkFill(3, (target, offset) => target.write('abc', offset, 'latin1')))).toBe('$3\r\nabc\r\n');
  });

  test('uses shared headers and hand-written digits that agree with String()', () => {
    fc.assert(fc.property(fc.integer({ min: -1e15, max: 1e15 }), (value) => {
      expect(encode(2, (w) => w.integer(value))).toBe(`:${value}\r\n`);
      if (value >= 0) {
        expect(encode(2, (w) => w.arrayHeader(value))).toBe(`*${value}\r\n`);
      }
    }), { numRuns: 300 });
  });

  test('grows past its initial size and keeps earlier replies intact', () => {
    const writer = new RespReplyWriter(4);
    writer.simple('OK');
    writer.bulk(Buffer.alloc(10_000, 0x61));
    writer.integer(5);
    const text = writer.take().toString('latin1');
    expect(text.startsWith('+OK\r\n$10000\r\n')).toBe(true);
    expect(text.endsWith('\r\n:5\r\n')).toBe(true);
  });

  test('release() after a queued write switches to a fresh buffer instead of overwriting', () => {
    const writer = new RespReplyWriter();
    writer.simple('first');
    const sent = writer.take();
    writer.release(true);
    writer.simple('second');
    expect(sent.toString()).toBe('+first\r\n');
    expect(writer.take().toString()).toBe('+second\r\n');
  });

  test('truncate() drops replies written after a mark', () => {
    const writer = new RespReplyWriter();
    writer.simple('kept');
    const mark = writer.length;
    writer.simple('dropped');
    writer.truncate(mark);
    expect(writer.take().toString()).toBe('+kept\r\n');
  });

  test('formats doubles as shortest round-trip text with inf, -inf and nan', () => {
    expect([formatDouble(3), formatDouble(0.1), formatDouble(-Infinity), formatDouble(NaN)]).toEqual(['3', '0.1', '-inf', 'nan']);
  });
});
