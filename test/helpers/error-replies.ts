/**
 * Redis 7's error replies as the in-process command runner records them (`{ error: text }`),
 * written out literally: tests compare against this independent copy of Redis's texts rather
 * than importing src/server/errors.ts, so a changed text in the server fails a test.
 */

export const WRONGTYPE = { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' };
export const NOT_INTEGER = { error: 'ERR value is not an integer or out of range' };
export const NOT_FLOAT = { error: 'ERR value is not a valid float' };
export const SYNTAX = { error: 'ERR syntax error' };
export const OVERFLOW = { error: 'ERR increment or decrement would overflow' };
export const NAN_OR_INFINITY = { error: 'ERR increment would produce NaN or Infinity' };
export const TOO_LARGE = { error: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)' };
export const DB_OUT_OF_RANGE = { error: 'ERR DB index is out of range' };
export const SAME_OBJECT = { error: 'ERR source and destination objects are the same' };

/** `ERR invalid expire time in '<command>' command`. */
export function invalidExpire(command: string): { error: string } {
  return { error: `ERR invalid expire time in '${command}' command` };
}
