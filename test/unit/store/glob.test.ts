/** Unit tests of the Redis glob matcher port (stringmatchlen). */
import { describe, expect, test } from 'vitest';
import { globMatch, isMatchAll } from '../../../src/store/glob.js';

function match(pattern: string, subject: string, isNocase = false): boolean {
  return globMatch(Buffer.from(pattern, 'latin1'), Buffer.from(subject, 'latin1'), isNocase);
}

describe('globMatch()', () => {
  test.each([
    ['h?llo', 'hello', true], ['h?llo', 'hallo', true], ['h?llo', 'hllo', false],
    ['h*llo', 'hllo', true], ['h*llo', 'heeeello', true], ['h*llo', 'hellox', false],
    ['h[ae]llo', 'hello', true], ['h[ae]llo', 'hallo', true], ['h[ae]llo', 'hillo', false],
    ['h[^e]llo', 'hallo', true], ['h[^e]llo', 'hbllo', true], ['h[^e]llo', 'hello', false],
    ['h[a-b]llo', 'hallo', true], ['h[a-b]llo', 'hbllo', true], ['h[a-b]llo', 'hcllo', false],
    ['h[b-a]llo', 'hallo', true],
    ['h\\*llo', 'h*llo', true], ['h\\*llo', 'hello', false],
    ['[\\]]', ']', true], ['[\\]]', 'a', false],
    ['[abc', 'a', true], ['[abc', 'd', false],
    ['*', 'anything', true], ['a*', 'a', true], ['a*b*', 'ab', true], ['a**b', 'axxb', true],
    ['*foo*', 'xfooy', true], ['*foo*', 'xfoy', false],
    ['', '', true], ['', 'a', false], ['a', '', false],
    ['\\', '\\', true], ['a\\', 'a\\', true],
    ['user:[0-9]*', 'user:1234', true], ['user:[0-9]*', 'user:x', false],
  ])('%j matches %j: %s', (pattern, subject, expected) => {
    expect(match(pattern, subject)).toBe(expected);
  });

  test('folds ASCII case only when nocase is set', () => {
    expect(match('HELLO', 'hello')).toBe(false);
    expect(match('HELLO', 'hello', true)).toBe(true);
    expect(match('h[A-C]llo', 'hbllo', true)).toBe(true);
    expect(match('h[A-C]llo', 'hbllo')).toBe(false);
  });

  test('compares bytes, not UTF-16 code units', () => {
    expect(globMatch(Buffer.from([0xff, 0x00]), Buffer.from([0xff, 0x00]))).toBe(true);
    expect(globMatch(Buffer.from('?'), Buffer.from([0xc3]))).toBe(true);
  });

  test('gives up quickly on an abusive pattern instead of backtracking exponentially', () => {
    const pattern = `${'a*'.repeat(40)}b`;
    expect(match(pattern, 'a'.repeat(60))).toBe(false);
  });

  test('fails beyond the nesting limit, as Redis does', () => {
    expect(match(`${'*a'.repeat(1100)}`, 'a'.repeat(1100))).toBe(false);
  });

  test('isMatchAll() recognizes the lone star only', () => {
    expect(isMatchAll(Buffer.from('*'))).toBe(true);
    expect(isMatchAll(Buffer.from('**'))).toBe(false);
  });
});
