/**
 * Redis's glob matcher (util.c stringmatchlen), ported byte for byte: KEYS, SCAN MATCH and the
 * other pattern commands must accept and reject exactly the keys Redis does.
 * Syntax: `*` any run, `?` one byte, `[abc]` `[^abc]` `[a-z]` classes (a reversed range is
 * swapped, `\` escapes inside a class, an unterminated class runs to the end of the pattern),
 * `\x` a literal x. Case folding (nocase) is ASCII only, like tolower() in the C locale.
 * Why a port and not a RegExp: RegExp would differ on every corner (unterminated classes,
 * escapes, bytes that are not UTF-8) and can blow up on abusive patterns.
 * Invariants: like Redis, recursion is bounded (nesting > 1000 fails the match) and a failed
 * `*` suffix search stops all longer `*` retries (skipLongerMatches), so matching is
 * polynomial, not exponential. Range comparisons use signed chars, as C on x86 does.
 */

/** Nesting depth at which Redis gives up on a pattern (protection against abusive patterns). */
export const GLOB_NESTING_MAX = 1000;

const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const BACKSLASH = 0x5c;
const CARET = 0x5e;
const DASH = 0x2d;

/** True if `subject` matches the glob `pattern` (Redis's stringmatchlen). */
export function globMatch(pattern: Uint8Array, subject: Uint8Array, isNocase = false): boolean {
  const state = { skipLongerMatches: false };
  return matchFrom(pattern, 0, subject, 0, isNocase, state, 0);
}

/** True if the pattern is `*` only, so a caller can skip matching entirely. */
export function isMatchAll(pattern: Uint8Array): boolean {
  return pattern.length === 1 && pattern[0] === STAR;
}

function lower(byte: number): number {
  return byte >= 0x41 && byte <= 0x5a ? byte + 32 : byte;
}

function signed(byte: number): number {
  return byte > 127 ? byte - 256 : byte;
}

function matchFrom(
  pattern: Uint8Array, patternStart: number, subject: Uint8Array, subjectStart: number,
  isNocase: boolean, state: { skipLongerMatches: boolean }, nesting: number,
): boolean {
  if (nesting > GLOB_NESTING_MAX) return false;
  let p = patternStart;
  let s = subjectStart;
  // C reads the terminating NUL past the end; at() does the same.
  const at = (index: number): number => (index < pattern.length ? pattern[index] : 0);
  while (p < pattern.length && s < subject.length) {
    switch (pattern[p]) {
      case STAR: {
        while (p + 1 < pattern.length && pattern[p + 1] === STAR) p++;
        if (p + 1 === pattern.length) return true;
        while (s < subject.length) {
          if (matchFrom(pattern, p + 1, subject, s, isNocase, state, nesting + 1)) return true;
          if (state.skipLongerMatches) return false;
          s++;
        }
        state.skipLongerMatches = true;
        return false;
      }
      case QUESTION:
        s++;
        break;
      case OPEN_BRACKET: {
        p++;
        const isNegated = at(p) === CARET;
        if (isNegated) p++;
        let isMatch = false;
        const byte = subject[s];
        for (;;) {
          if (at(p) === BACKSLASH && pattern.length - p >= 2) {
            p++;
            if (pattern[p] === byte) isMatch = true;
          } else if (at(p) === CLOSE_BRACKET) {
            break;
          } else if (p >= pattern.length) {
            p--;
            break;
          } else if (pattern.length - p >= 3 && pattern[p + 1] === DASH) {
            let start = signed(pattern[p]);
            let end = signed(pattern[p + 2]);
            let c = signed(byte);
            if (start > end) [start, end] = [end, start];
            if (isNocase) {
              start = lower(start);
              end = lower(end);
              c = lower(c);
            }
            p += 2;
            if (c >= start && c <= end) isMatch = true;
          } else if (isNocase ? lower(pattern[p]) === lower(byte) : pattern[p] === byte) {
            isMatch = true;
          }
          p++;
        }
        if (isNegated) isMatch = !isMatch;
        if (!isMatch) return false;
        s++;
        break;
      }
      case BACKSLASH:
        if (pattern.length - p >= 2) p++;
        if (!literalEquals(pattern[p], subject[s], isNocase)) return false;
        s++;
        break;
      default:
        if (!literalEquals(pattern[p], subject[s], isNocase)) return false;
        s++;
        break;
    }
    p++;
    if (s === subject.length) {
      while (at(p) === STAR && p < pattern.length) p++;
      break;
    }
  }
  return p >= pattern.length && s === subject.length;
}

function literalEquals(patternByte: number, subjectByte: number, isNocase: boolean): boolean {
  return isNocase ? lower(patternByte) === lower(subjectByte) : patternByte === subjectByte;
}
