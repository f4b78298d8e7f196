/**
 * KeyPrefetch: which keys it collects from a read's bytes (the command about to run, then the
 * complete multibulk requests after it), where it stops, and that no input makes it read
 * outside its range or throw. The store side (prefetchKeys changes nothing) is checked in
 * test/unit/store/store.test.ts and the store model property.
 * Replay a property failure with the seed and path fast-check prints.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ArgvArgs } from '../../../src/server/command-types.js';
import type { CommandSpec } from '../../../src/server/command-types.js';
import { CommandTable } from '../../../src/server/dispatch.js';
import { KeyPrefetch, PREFETCH_COMMANDS_MAX, isKeyPosition } from '../../../src/server/key-prefetch.js';
import type { SpecLookup } from '../../../src/server/key-prefetch.js';
import { ALL_COMMANDS } from '../../../src/server/registry.js';
import { PREFETCH_KEYS_MAX } from '../../../src/store/store.js';

const table = new CommandTable(ALL_COMMANDS);
const lookup: SpecLookup = (bytes, offset, length) => table.lookupInfoAt(bytes, offset, length)?.spec;

function encode(argv: readonly string[]): Buffer {
  return Buffer.concat([
    Buffer.from(`*${argv.length}\r\n`),
    ...argv.map((arg) => Buffer.concat([Buffer.from(`$${Buffer.byteLength(arg)}\r\n`), Buffer.from(arg), Buffer.from('\r\n')])),
  ]);
}

function args(argv: readonly string[]): ArgvArgs {
  return new ArgvArgs(argv.map((arg) => Buffer.from(arg)));
}

function keysOf(batch: KeyPrefetch): string[] {
  const keys: string[] = [];
  for (let index = 0; index < batch.count; index++) {
    const bytes = batch.bytesOf(index);
    keys.push(Buffer.from(bytes.buffer, bytes.byteOffset + batch.offsetOf(index), batch.lengthOf(index)).toString());
  }
  return keys;
}

/** The keys of `argv` by the command table's positions (the model the scan must agree with). */
function modelKeys(argv: readonly string[]): string[] {
  const spec = table.lookup(argv[0]);
  if (spec === undefined) return [];
  return argv.filter((_, index) => index > 0 && isKeyPosition(spec, index, argv.length));
}

function spec(firstKey: number, lastKey: number, keyStep: number): CommandSpec {
  return { firstKey, lastKey, keyStep } as CommandSpec;
}

describe('isKeyPosition', () => {
  test('follows Redis first/last/step positions, with a negative last counted from the end', () => {
    const positions = (s: CommandSpec, count: number): number[] =>
      Array.from({ length: count }, (_, index) => index).filter((index) => isKeyPosition(s, index, count));
    expect(positions(spec(1, 1, 1), 3)).toEqual([1]);
    expect(positions(spec(1, -1, 1), 4)).toEqual([1, 2, 3]);
    expect(positions(spec(1, -1, 2), 7)).toEqual([1, 3, 5]);
    expect(positions(spec(1, -2, 1), 4)).toEqual([1, 2]);
    expect(positions(spec(0, 0, 0), 3)).toEqual([]);
  });
});

describe('KeyPrefetch.collect', () => {
  test('collects the current command’s keys, then those of the requests after it, by the command table', () => {
    const rest = Buffer.concat([
      encode(['GET', 'a']), encode(['mset', 'b', '1', 'c', '2']), encode(['PING']), encode(['SET', 'd', 'v', 'EX', '10']),
      encode(['NOSUCHCOMMAND', 'x']), encode(['del', 'e', 'f']),
    ]);
    const batch = new KeyPrefetch();
    const end = batch.collect(lookup, args(['GET', 'k']), rest, 0, rest.length);
    expect(keysOf(batch)).toEqual(['k', 'a', 'b', 'c', 'd', 'e', 'f']);
    expect(end).toBe(rest.length);
  });

  test('reads from the given offset, and stops before an incomplete request, an inline one or a bad header', () => {
    const whole = encode(['GET', 'a']);
    const cases: Array<[Buffer, string]> = [
      [Buffer.concat([whole, encode(['GET', 'b']).subarray(0, 12)]), 'incomplete'],
      [Buffer.concat([whole, Buffer.from('GET b\r\n')]), 'inline'],
      [Buffer.concat([whole, Buffer.from('*2\r\n$3\r\nGET\r\n$x\r\n')]), 'bad bulk header'],
      [Buffer.concat([whole, Buffer.from('*2\r\n$3\r\nGETXX$1\r\nb\r\n')]), 'bulk not ended by CRLF'],
      [Buffer.concat([whole, Buffer.from('*0\r\n'), encode(['GET', 'b'])]), 'empty multibulk'],
      [Buffer.concat([whole, Buffer.from('*99999999999\r\n')]), 'huge count'],
    ];
    for (const [bytes, what] of cases) {
      const prefix = Buffer.from('junk');
      const buffer = Buffer.concat([prefix, bytes]);
      const batch = new KeyPrefetch();
      const end = batch.collect(lookup, args(['PING']), buffer, prefix.length, buffer.length);
      expect(keysOf(batch), what).toEqual(['a']);
      expect(end, what).toBe(prefix.length + whole.length);
    }
  });

  test('takes at most PREFETCH_KEYS_MAX keys, ending before the command that did not fit', () => {
    const msetArgv = ['MSET', ...Array.from({ length: 10 }, (_, index) => [`k${index}`, 'v']).flat()];
    const one = encode(msetArgv);
    const rest = Buffer.concat(Array.from({ length: 5 }, () => one));
    const batch = new KeyPrefetch();
    const end = batch.collect(lookup, args(['GET', 'first']), rest, 0, rest.length);
    expect(batch.count).toBe(PREFETCH_KEYS_MAX);
    // 1 + 3 * 10 keys fit whole; the fourth MSET's first key fills the batch, and the scan ends
    // before that MSET so the next batch starts with it.
    expect(end).toBe(3 * one.length);
  });

  test(`reads at most ${PREFETCH_COMMANDS_MAX} commands ahead`, () => {
    const rest = Buffer.concat(Array.from({ length: PREFETCH_COMMANDS_MAX + 5 }, () => encode(['PING'])));
    const batch = new KeyPrefetch();
    expect(batch.collect(lookup, args(['PING']), rest, 0, rest.length)).toBe(PREFETCH_COMMANDS_MAX * encode(['PING']).length);
  });

  test('property: on a pipeline of real commands cut anywhere, it collects the model’s keys of the whole requests before the cut', () => {
    const nameArb = fc.constantFrom('GET', 'set', 'MSET', 'mget', 'DEL', 'PING', 'INCR', 'EXISTS', 'SELECT', 'NOPE', 'RENAME');
    const argArb = fc.string({ unit: 'binary-ascii', maxLength: 12 });
    const requestArb = fc.tuple(nameArb, fc.array(argArb, { maxLength: 6 })).map(([name, rest]) => [name, ...rest]);
    fc.assert(fc.property(fc.array(requestArb, { maxLength: 25 }), fc.nat(), (requests, cutSeed) => {
      const encoded = requests.map(encode);
      const whole = Buffer.concat(encoded);
      const cut = whole.length === 0 ? 0 : cutSeed % (whole.length + 1);
      const buffer = whole.subarray(0, cut);
      const batch = new KeyPrefetch();
      const end = batch.collect(lookup, args(['PING']), buffer, 0, buffer.length);
      // The model: whole requests before the cut, within the command and key budgets.
      const expected: string[] = [];
      let expectedEnd = 0;
      for (let index = 0; index < requests.length && index < PREFETCH_COMMANDS_MAX; index++) {
        if (expected.length >= PREFETCH_KEYS_MAX || expectedEnd + encoded[index].length > cut) break;
        const keys = modelKeys(requests[index]);
        if (expected.length + keys.length > PREFETCH_KEYS_MAX) {
          expected.push(...keys.slice(0, PREFETCH_KEYS_MAX - expected.length));
          break;
        }
        expected.push(...keys);
        expectedEnd += encoded[index].length;
      }
      expect(keysOf(batch).map((key) => Buffer.from(key).toString('latin1'))).toEqual(expected.map((key) => Buffer.from(key).toString('latin1')));
      expect(end).toBe(expectedEnd);
    }), { numRuns: 300 });
  });

  test('property: random bytes never throw, and every range lies inside [start, end)', () => {
    const chunkArb = fc.oneof(
      fc.uint8Array({ maxLength: 30 }),
      fc.constantFrom('*', '$', '\r\n', '*2\r\n', '$3\r\nGET\r\n', '$1\r\nk\r\n', '-1', '999999999999').map((text) => new Uint8Array(Buffer.from(text))),
    );
    fc.assert(fc.property(fc.array(chunkArb, { maxLength: 30 }), fc.nat(), fc.nat(), (chunks, startSeed, endSeed) => {
      const buffer = Buffer.concat(chunks);
      const end = endSeed % (buffer.length + 1);
      const start = startSeed % (end + 1);
      const batch = new KeyPrefetch();
      const stoppedAt = batch.collect(lookup, args(['PING']), buffer, start, end);
      expect(stoppedAt).toBeGreaterThanOrEqual(start);
      expect(stoppedAt).toBeLessThanOrEqual(end);
      expect(batch.count).toBeLessThanOrEqual(PREFETCH_KEYS_MAX);
      for (let index = 0; index < batch.count; index++) {
        expect(batch.offsetOf(index)).toBeGreaterThanOrEqual(start);
        expect(batch.offsetOf(index) + batch.lengthOf(index)).toBeLessThanOrEqual(end);
      }
    }), { numRuns: 500 });
  });
});
