/**
 * Helpers shared by the server-side command families (connection, client, server, pub/sub,
 * transactions): reaching the Client behind a CommandContext, Redis's integer argument rule,
 * client-name validation, HELP replies.
 * Why: each is needed by several families; one definition keeps their behaviour identical.
 */

import type { CommandContext } from '../command-types.js';
import { Client } from '../connection.js';
import { parseStrictInteger } from '../resp/request-parser.js';

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
