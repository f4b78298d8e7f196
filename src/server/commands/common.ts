/**
 * Helpers shared by the command families: reaching the Client behind a CommandContext, Redis's
 * integer argument rule, client-name validation, HELP replies, the common key positions of
 * command rows, and the error reply for each store failure status (string and keyspace).
 * Why: each is needed by several families; one definition keeps their behaviour identical.
 * Invariants: a store failure status has one error reply, whatever the command; a handler's
 * switch over a store result handles its own success statuses and passes the rest to
 * replyStoreFailure, whose parameter type keeps the switch exhaustive (a status that is neither
 * handled nor a StoreFailureStatus fails tsc).
 */

import { fail } from 'node:assert/strict';

import type { CommandContext } from '../command-types.js';
import { Client } from '../connection.js';
import {
  NAN_OR_INFINITY_ERROR,
  NOT_FLOAT_ERROR,
  NOT_INTEGER_ERROR,
  OOM_ERROR,
  OVERFLOW_ERROR,
  STRING_TOO_LARGE_ERROR,
  WRONG_TYPE_ERROR,
} from '../errors.js';
import { parseStrictInteger } from '../resp/request-parser.js';

// Redis's key positions (firstKey, lastKey, keyStep) most command rows spread in; a family
// keeps its rarer shapes (e.g. MSET's key/value pairs) next to its own table.
export const NO_KEYS = { firstKey: 0, lastKey: 0, keyStep: 0 } as const;
export const ONE_KEY = { firstKey: 1, lastKey: 1, keyStep: 1 } as const;
export const TWO_KEYS = { firstKey: 1, lastKey: 2, keyStep: 1 } as const;
export const ALL_KEYS = { firstKey: 1, lastKey: -1, keyStep: 1 } as const;

/** The Client behind a CommandContext (every context the server builds is one). */
export function clientOf(context: CommandContext): Client {
  if (!(context instanceof Client)) throw new TypeError('This command needs a server connection');
  return context;
}

/** An integer argument by Redis's string2ll rules, or null. */
export function parseIntArgument(argument: Buffer): number | null {
  return parseStrictInteger(argument, 0, argument.length);
}

/** Redis: names and lib attributes are printable ASCII without spaces (33..126). */
export function isValidClientName(name: Uint8Array): boolean {
  for (const byte of name) if (byte < 33 || byte > 126) return false;
  return true;
}

/** Writes a HELP reply: an array of status lines, as Redis's addReplyHelp. */
export function writeHelp(context: CommandContext, lines: readonly string[]): void {
  context.reply.arrayHeader(lines.length);
  for (const line of lines) context.reply.simple(line);
}

/** Compile-time exhaustiveness: a store result status a switch does not handle fails tsc. */
export function unreachable(value: never): never {
  return fail(`unexpected store result ${JSON.stringify(value)}`);
}

/**
 * The store result statuses that answer the same error whichever command got them. Not here:
 * statuses whose reply depends on the command ('missing', 'notSet', 'exists').
 */
export type StoreFailureStatus =
  | 'wrongType'
  | 'outOfMemory'
  | 'tooLarge'
  | 'notInteger'
  | 'overflow'
  | 'notFloat'
  | 'nanOrInfinity';

/** Writes the error reply for a store failure status (Redis's texts, from errors.ts). */
export function replyStoreFailure(context: CommandContext, status: StoreFailureStatus): void {
  switch (status) {
    case 'wrongType':
      context.reply.error(WRONG_TYPE_ERROR);
      return;
    case 'outOfMemory':
      context.reply.error(OOM_ERROR);
      return;
    case 'tooLarge':
      context.reply.error(STRING_TOO_LARGE_ERROR);
      return;
    case 'notInteger':
      context.reply.error(NOT_INTEGER_ERROR);
      return;
    case 'overflow':
      context.reply.error(OVERFLOW_ERROR);
      return;
    case 'notFloat':
      context.reply.error(NOT_FLOAT_ERROR);
      return;
    case 'nanOrInfinity':
      context.reply.error(NAN_OR_INFINITY_ERROR);
      return;
    default:
      unreachable(status);
  }
}
