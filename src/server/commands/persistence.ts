/**
 * Persistence commands: SAVE and BGSAVE [SCHEDULE], mapped onto the snapshot service
 * (src/snapshot/snapshot-service.ts), which decides everything about snapshots; this file only
 * turns its outcomes into Redis's replies.
 * Replies (Redis 7): SAVE → +OK, or -ERR (failed), or "ERR Background save already in
 * progress"; BGSAVE → "+Background saving started", SCHEDULE while one runs → "+Background
 * saving scheduled" (we start it at the next cron tick), else the in-progress error.
 * Not here: LASTSAVE (commands/server.ts reads Server.lastSaveTimeMs), SHUTDOWN's save
 * (server.ts before-shutdown hook), INFO persistence (the service's fields).
 */

import type { CommandContext, CommandSpec } from '../command-types.js';
import { BGSAVE_IN_PROGRESS_ERROR, SYNTAX_ERROR } from '../errors.js';
import type { Client } from '../connection.js';
import type { SnapshotService } from '../../snapshot/snapshot-service.js';
import { clientOf } from './common.js';
import { defineCommand } from './define.js';

const SNAPSHOTS_DISABLED_ERROR = 'ERR snapshots are not available on this server';
const SAVE_FAILED_ERROR = 'ERR';

function snapshotsOf(context: CommandContext): { client: Client; snapshots: SnapshotService } | null {
  const client = clientOf(context);
  const snapshots = client.server.snapshots;
  if (snapshots === null) {
    context.reply.error(SNAPSHOTS_DISABLED_ERROR);
    return null;
  }
  return { client, snapshots };
}

function saveCommand(context: CommandContext): void {
  const found = snapshotsOf(context);
  if (found === null) return;
  const outcome = found.snapshots.save();
  switch (outcome.status) {
    case 'ok':
      context.reply.simple('OK');
      return;
    case 'alreadyInProgress':
      context.reply.error(BGSAVE_IN_PROGRESS_ERROR);
      return;
    case 'failed':
      found.client.server.logger.warning(`SAVE failed: ${outcome.message}`);
      context.reply.error(SAVE_FAILED_ERROR);
  }
}

function bgsaveCommand(context: CommandContext, argv: readonly Buffer[]): void {
  let isSchedule = false;
  if (argv.length === 2 && argv[1].toString('latin1').toLowerCase() === 'schedule') isSchedule = true;
  else if (argv.length > 1) {
    context.reply.error(SYNTAX_ERROR);
    return;
  }
  const found = snapshotsOf(context);
  if (found === null) return;
  const { client, snapshots } = found;
  if (snapshots.isBackgroundSaveInProgress) {
    if (!isSchedule) {
      context.reply.error(BGSAVE_IN_PROGRESS_ERROR);
      return;
    }
    void snapshots.waitForBackgroundSave().then(() => snapshots.bgsave());
    context.reply.simple('Background saving scheduled');
    return;
  }
  const outcome = snapshots.bgsave();
  switch (outcome.status) {
    case 'started':
      context.reply.simple('Background saving started');
      return;
    case 'alreadyInProgress':
      context.reply.error(BGSAVE_IN_PROGRESS_ERROR);
      return;
    case 'failed':
      client.server.logger.warning(`BGSAVE failed: ${outcome.message}`);
      context.reply.error(SAVE_FAILED_ERROR);
  }
}

const group = 'server';
export const PERSISTENCE_COMMANDS: readonly CommandSpec[] = [
  defineCommand({ name: 'SAVE', arity: 1, flags: ['admin', 'noscript', 'no_multi'], group, summary: 'Synchronously saves the database(s) to disk.', run: saveCommand }),
  defineCommand({ name: 'BGSAVE', arity: -1, flags: ['admin', 'noscript'], group, summary: 'Asynchronously saves the database(s) to disk.', run: bgsaveCommand }),
];
