/**
 * Persistence commands: SAVE and BGSAVE [SCHEDULE] [STRATEGY cow|stw|copy], mapped onto the snapshot service
 * (src/snapshot/snapshot-service.ts), which decides everything about snapshots; this file only
 * turns its outcomes into Redis's replies.
 * Replies (Redis 7): SAVE → +OK, or -ERR (failed), or "ERR Background save already in
 * progress"; BGSAVE → "+Background saving started", SCHEDULE while one runs → "+Background
 * saving scheduled" (we start it as soon as the running one has ended), else the in-progress
 * error.
 * `STRATEGY <name>` is cowkv's own option: the strategy for this one snapshot, overriding
 * `snapshot-strategy` (so each can be compared on the same data). Redis clients never send it,
 * and an unknown option is Redis's syntax error, so no Redis client sees a difference.
 * Not here: LASTSAVE (commands/server.ts reads Server.lastSaveTimeMs), SHUTDOWN's save
 * (server.ts before-shutdown hook), INFO persistence (the service's fields).
 */

import type { CommandContext, CommandSpec } from '../command-types.js';
import { BGSAVE_IN_PROGRESS_ERROR, SYNTAX_ERROR } from '../errors.js';
import type { Client } from '../connection.js';
import type { SnapshotService } from '../../snapshot/snapshot-service.js';
import { parseStrategyName, type SnapshotStrategyName } from '../../snapshot/strategy.js';
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

/** BGSAVE's options: [SCHEDULE] [STRATEGY name], in any order, each at most once. */
function parseBgsaveOptions(argv: readonly Buffer[]): { isSchedule: boolean; strategy: SnapshotStrategyName | undefined } | null {
  let isSchedule = false;
  let strategy: SnapshotStrategyName | undefined;
  for (let index = 1; index < argv.length; index++) {
    const option = argv[index].toString('latin1').toLowerCase();
    if (option === 'schedule' && !isSchedule) {
      isSchedule = true;
    } else if (option === 'strategy' && strategy === undefined && index + 1 < argv.length) {
      const parsed = parseStrategyName(argv[index + 1].toString('latin1'));
      if (parsed === null) return null;
      strategy = parsed;
      index += 1;
    } else {
      return null;
    }
  }
  return { isSchedule, strategy };
}

function bgsaveCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const options = parseBgsaveOptions(argv);
  if (options === null) {
    context.reply.error(SYNTAX_ERROR);
    return;
  }
  const { isSchedule, strategy } = options;
  const bgsaveOptions = strategy === undefined ? {} : { strategy };
  const found = snapshotsOf(context);
  if (found === null) return;
  const { client, snapshots } = found;
  if (snapshots.isBackgroundSaveInProgress) {
    if (!isSchedule) {
      context.reply.error(BGSAVE_IN_PROGRESS_ERROR);
      return;
    }
    void snapshots.waitForBackgroundSave().then(() => snapshots.bgsave(bgsaveOptions));
    context.reply.simple('Background saving scheduled');
    return;
  }
  const outcome = snapshots.bgsave(bgsaveOptions);
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
