/**
 * Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH with Redis 7's semantics.
 * - While in MULTI, dispatch queues every command but EXEC/DISCARD/MULTI/WATCH/QUIT/RESET and
 *   answers +QUEUED; a command refused while queueing (unknown, arity, OOM...) flags the
 *   transaction and EXEC answers EXECABORT.
 * - WATCH uses the store's modification listener (watch-registry.ts): a modified key, or a
 *   flushed/swapped db, makes EXEC answer a null array. A watched key that existed at WATCH
 *   and is gone at EXEC (e.g. expired) also fails EXEC, as Redis 7's isWatchedKeyExpired.
 * Invariants: EXEC and DISCARD always leave the client out of MULTI with no watched keys;
 * queued commands run back to back inside one EXEC call, so nothing interleaves.
 * Not here: the queueing decision (dispatch.ts).
 */

import type { CommandContext, CommandSpec } from '../command-types.js';
import type { Client } from '../connection.js';
import { callCommand } from '../dispatch.js';
import {
  DISCARD_WITHOUT_MULTI_ERROR,
  EXECABORT_ERROR,
  EXEC_WITHOUT_MULTI_ERROR,
  INTERNAL_ERROR,
  MULTI_NESTED_ERROR,
  WATCH_INSIDE_MULTI_ERROR,
} from '../errors.js';
import { clientOf } from './common.js';
import { defineCommand } from './define.js';

function discardTransaction(client: Client): void {
  client.multiQueue = null;
  client.isExecAborted = false;
  client.server.watches.unwatchAll(client);
}

function multiCommand(context: CommandContext): void {
  const client = clientOf(context);
  if (client.isInMulti) {
    context.reply.error(MULTI_NESTED_ERROR);
    return;
  }
  client.multiQueue = [];
  client.isExecAborted = false;
  context.reply.simple('OK');
}

function execCommand(context: CommandContext): void {
  const client = clientOf(context);
  const queue = client.multiQueue;
  if (queue === null) {
    context.reply.error(EXEC_WITHOUT_MULTI_ERROR);
    return;
  }
  if (client.isExecAborted) {
    discardTransaction(client);
    context.reply.error(EXECABORT_ERROR);
    return;
  }
  if (client.isWatchDirty || client.server.watches.hasVanishedKey(client)) {
    discardTransaction(client);
    context.reply.nullArray();
    return;
  }
  // Out of MULTI before running, so the queued commands execute instead of queueing again.
  client.multiQueue = null;
  client.server.watches.unwatchAll(client);
  const server = client.server;
  context.reply.arrayHeader(queue.length);
  for (const argv of queue) {
    let spec = server.commands.lookup(argv[0]);
    if (spec !== undefined && spec.subcommands !== undefined && spec.subcommands.length > 0) {
      spec = server.commands.lookupSubcommand(spec, argv[1]);
    }
    // Queueing validated the name and arity, so the spec exists.
    if (spec === undefined) {
      context.reply.error(INTERNAL_ERROR);
      continue;
    }
    client.lastCommandName = server.commands.fullNameOf(spec).toLowerCase();
    callCommand(server, client, spec, argv);
  }
}

function discardCommand(context: CommandContext): void {
  const client = clientOf(context);
  if (!client.isInMulti) {
    context.reply.error(DISCARD_WITHOUT_MULTI_ERROR);
    return;
  }
  discardTransaction(client);
  context.reply.simple('OK');
}

function watchCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const client = clientOf(context);
  if (client.isInMulti) {
    context.reply.error(WATCH_INSIDE_MULTI_ERROR);
    return;
  }
  for (let index = 1; index < argv.length; index++) client.server.watches.watch(client, client.db, argv[index]);
  context.reply.simple('OK');
}

function unwatchCommand(context: CommandContext): void {
  const client = clientOf(context);
  client.server.watches.unwatchAll(client);
  context.reply.simple('OK');
}

const group = 'transactions';
export const TRANSACTION_COMMANDS: readonly CommandSpec[] = [
  defineCommand({ name: 'MULTI', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], group, summary: 'Starts a transaction.', run: multiCommand }),
  defineCommand({ name: 'EXEC', arity: 1, flags: ['noscript', 'loading', 'stale', 'skip_monitor'], group, summary: 'Executes all commands in a transaction.', run: execCommand }),
  defineCommand({ name: 'DISCARD', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], group, summary: 'Discards a transaction.', run: discardCommand }),
  defineCommand({ name: 'WATCH', arity: -2, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], group, summary: 'Monitors changes to keys to determine the execution of a transaction.', run: watchCommand, keys: [1, -1, 1] }),
  defineCommand({ name: 'UNWATCH', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], group, summary: 'Forgets about watched keys of a transaction.', run: unwatchCommand }),
];
