/**
 * Connection commands: PING, ECHO, QUIT, RESET, SELECT, HELLO, AUTH, and MONITOR (it turns
 * the connection into a feed of every command the server runs).
 * Why here: they act on the connection (protocol version, auth, selected db, name), not on
 * keys; their replies and errors are Redis 7's (HELLO's map has Redis's seven fields).
 * Invariants: AUTH/HELLO compare passwords in constant time; a failed AUTH never leaves the
 * client more authenticated than before.
 * Not here: per-connection state itself (connection.ts).
 */

import { createHash, timingSafeEqual } from 'node:crypto';
import type { CommandContext, CommandSpec } from '../command-types.js';
import type { Client } from '../connection.js';
import {
  AUTH_NOT_CONFIGURED_ERROR,
  CLIENT_NAME_INVALID_ERROR,
  DB_INDEX_OUT_OF_RANGE_ERROR,
  HELLO_NOAUTH_ERROR,
  HELLO_PROTOCOL_NOT_INTEGER_ERROR,
  NOPROTO_ERROR,
  NOT_INTEGER_ERROR,
  SYNTAX_ERROR,
  WRONGPASS_ERROR,
  helloSyntaxError,
  wrongArityError,
} from '../errors.js';
import { defineCommand } from './define.js';
import { clientOf, isValidClientName, parseIntArgument } from './common.js';

/** The Redis version we are compatible with, reported by HELLO and INFO (clients check it). */
export const REDIS_COMPATIBLE_VERSION = '7.2.0';

const PONG_BULK = Buffer.from('pong');
const EMPTY = Buffer.alloc(0);

function pingCommand(context: CommandContext, argv: readonly Buffer[]): void {
  if (argv.length > 2) {
    context.reply.error(wrongArityError('ping'));
    return;
  }
  const client = clientOf(context);
  if (client.subscriptionCount > 0 && client.reply.protocol === 2) {
    client.reply.arrayHeader(2);
    client.reply.bulk(PONG_BULK);
    client.reply.bulk(argv.length === 2 ? argv[1] : EMPTY);
    return;
  }
  if (argv.length === 2) context.reply.bulk(argv[1]);
  else context.reply.simple('PONG');
}

function echoCommand(context: CommandContext, argv: readonly Buffer[]): void {
  context.reply.bulk(argv[1]);
}

function quitCommand(context: CommandContext): void {
  const client = clientOf(context);
  context.reply.simple('OK');
  client.closeAfterReply();
}

/** RESET: back to a fresh connection's state (Redis's clearClientConnectionState). */
function resetCommand(context: CommandContext): void {
  const client = clientOf(context);
  const server = client.server;
  client.multiQueue = null;
  client.isExecAborted = false;
  server.watches.unwatchAll(client);
  server.pubsub.removeClient(client);
  server.monitors.delete(client);
  client.db = 0;
  client.reply.protocol = 2;
  client.replyMode = 'on';
  client.isReplySkipNext = false;
  client.isNoEvict = false;
  client.isNoTouch = false;
  client.user = 'default';
  client.setAuthenticated(server.config.values.requirepass === '');
  context.reply.simple('RESET');
}

function selectCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const index = parseIntArgument(argv[1]);
  if (index === null || index < -2147483648 || index > 2147483647) {
    context.reply.error(NOT_INTEGER_ERROR);
    return;
  }
  if (index < 0 || index >= clientOf(context).server.config.values.databases) {
    context.reply.error(DB_INDEX_OUT_OF_RANGE_ERROR);
    return;
  }
  context.db = index;
  context.reply.simple('OK');
}

function digestOf(value: Buffer | string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Redis's ACLAuthenticateUser for the default user only (no ACL users yet). */
export function authenticate(client: Client, user: Buffer, password: Buffer): boolean {
  if (user.toString('utf8') !== 'default') return false;
  const requirepass = client.server.config.values.requirepass;
  const isAccepted = requirepass === '' || timingSafeEqual(digestOf(password), digestOf(requirepass));
  if (isAccepted) {
    client.user = 'default';
    client.setAuthenticated(true);
  }
  return isAccepted;
}

function authCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const client = clientOf(context);
  if (argv.length > 3) {
    context.reply.error(SYNTAX_ERROR);
    return;
  }
  if (argv.length === 2 && client.server.config.values.requirepass === '') {
    context.reply.error(AUTH_NOT_CONFIGURED_ERROR);
    return;
  }
  const user = argv.length === 2 ? Buffer.from('default') : argv[1];
  const password = argv.length === 2 ? argv[1] : argv[2];
  if (authenticate(client, user, password)) {
    context.reply.simple('OK');
  } else {
    client.server.logger.verbose(`Failed AUTH from ${client.remoteAddress}`);
    context.reply.error(WRONGPASS_ERROR);
  }
}

function helloCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const client = clientOf(context);
  let version = 0;
  if (argv.length >= 2) {
    const parsed = parseIntArgument(argv[1]);
    if (parsed === null) {
      context.reply.error(HELLO_PROTOCOL_NOT_INTEGER_ERROR);
      return;
    }
    if (parsed < 2 || parsed > 3) {
      context.reply.error(NOPROTO_ERROR);
      return;
    }
    version = parsed;
  }
  let credentials: [Buffer, Buffer] | null = null;
  let name: Buffer | null = null;
  for (let index = 2; index < argv.length; index++) {
    const moreArgumentCount = argv.length - 1 - index;
    const option = argv[index].toString('latin1').toLowerCase();
    if (option === 'auth' && moreArgumentCount >= 2) {
      credentials = [argv[index + 1], argv[index + 2]];
      index += 2;
    } else if (option === 'setname' && moreArgumentCount >= 1) {
      name = argv[index + 1];
      index++;
    } else {
      context.reply.error(helloSyntaxError(argv[index].toString('latin1')));
      return;
    }
  }
  if (credentials !== null && !authenticate(client, credentials[0], credentials[1])) {
    context.reply.error(WRONGPASS_ERROR);
    return;
  }
  if (!client.isAuthenticated) {
    context.reply.error(HELLO_NOAUTH_ERROR);
    return;
  }
  if (name !== null) {
    if (!isValidClientName(name)) {
      context.reply.error(CLIENT_NAME_INVALID_ERROR);
      return;
    }
    client.name = name.toString('latin1');
  }
  if (version !== 0) client.reply.protocol = version as 2 | 3;
  writeHelloMap(client);
}

/** MONITOR: from now on this connection receives a line per command the server runs. */
function monitorCommand(context: CommandContext): void {
  const client = clientOf(context);
  if (client.server.monitors.has(client)) return;
  client.server.monitors.add(client);
  context.reply.simple('OK');
}

function writeHelloMap(client: Client): void {
  const reply = client.reply;
  reply.mapHeader(7);
  reply.bulk('server');
  reply.bulk('redis');
  reply.bulk('version');
  reply.bulk(REDIS_COMPATIBLE_VERSION);
  reply.bulk('proto');
  reply.integer(reply.protocol);
  reply.bulk('id');
  reply.integer(client.id);
  reply.bulk('mode');
  reply.bulk('standalone');
  reply.bulk('role');
  reply.bulk('master');
  reply.bulk('modules');
  reply.arrayHeader(0);
}

export const CONNECTION_COMMANDS: readonly CommandSpec[] = [
  defineCommand({ name: 'PING', arity: -1, flags: ['fast'], group: 'connection', summary: 'Returns the server\'s liveliness response.', run: pingCommand }),
  defineCommand({ name: 'ECHO', arity: 2, flags: ['fast'], group: 'connection', summary: 'Returns the given string.', run: echoCommand }),
  defineCommand({ name: 'QUIT', arity: -1, flags: ['no_auth', 'fast', 'allow_busy', 'loading', 'stale'], group: 'connection', summary: 'Closes the connection.', run: quitCommand }),
  defineCommand({ name: 'RESET', arity: 1, flags: ['no_auth', 'fast', 'allow_busy', 'loading', 'stale', 'noscript'], group: 'connection', summary: 'Resets the connection.', run: resetCommand }),
  defineCommand({ name: 'SELECT', arity: 2, flags: ['loading', 'stale', 'fast'], group: 'connection', summary: 'Changes the selected database.', run: selectCommand }),
  defineCommand({ name: 'AUTH', arity: -2, flags: ['no_auth', 'fast', 'noscript', 'loading', 'stale', 'allow_busy'], group: 'connection', summary: 'Authenticates the connection.', run: authCommand }),
  defineCommand({ name: 'MONITOR', arity: 1, flags: ['admin', 'noscript', 'loading', 'stale', 'no_multi'], group: 'server', summary: 'Listens for all requests received by the server in real-time.', run: monitorCommand }),
  defineCommand({ name: 'HELLO', arity: -1, flags: ['no_auth', 'fast', 'noscript', 'loading', 'stale', 'allow_busy'], group: 'connection', summary: 'Handshakes with the Redis server.', run: helloCommand }),
];
