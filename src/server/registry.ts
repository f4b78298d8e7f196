/**
 * The command registry: every command family's table, concatenated in one place.
 * Registering a command = adding its row to its family's table; a unit test checks that names
 * are unique (test/unit/server/registry.test.ts).
 * Families written elsewhere: strings and keyspace (data commands). Families added at start-up
 * by other layers (e.g. snapshot commands) go through Server.addCommands.
 */

import type { CommandSpec } from './command-types.js';
import { CLIENT_COMMANDS } from './commands/client.js';
import { CONNECTION_COMMANDS } from './commands/connection.js';
import { KEYSPACE_COMMANDS } from './commands/keyspace.js';
import { PERSISTENCE_COMMANDS } from './commands/persistence.js';
import { PUBSUB_COMMANDS } from './commands/pubsub.js';
import { SERVER_COMMANDS } from './commands/server.js';
import { STRING_COMMANDS } from './commands/strings.js';
import { TRANSACTION_COMMANDS } from './commands/transactions.js';

/** Every built-in command, family by family. */
export const ALL_COMMANDS: readonly CommandSpec[] = [
  ...CONNECTION_COMMANDS,
  ...SERVER_COMMANDS,
  ...CLIENT_COMMANDS,
  ...TRANSACTION_COMMANDS,
  ...PUBSUB_COMMANDS,
  ...PERSISTENCE_COMMANDS,
  ...STRING_COMMANDS,
  ...KEYSPACE_COMMANDS,
];
