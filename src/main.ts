#!/usr/bin/env -S node --single-threaded-gc --min-semi-space-size=16
/**
 * Entry point: argv → validated config → heap and store → server; the only place that exits.
 * Exits: 0 after a clean shutdown (SHUTDOWN, SIGINT, SIGTERM) or --help/--version; 1 for an
 * invalid configuration, a failure to listen, or a bug (an AssertionError or an uncaught
 * exception: logged, then exit, as TigerBeetle does: a bug must not keep serving).
 * Start-up log lines are Redis's, including `Ready to accept connections tcp port=<n>`, which
 * test/helpers/server-process.ts parses to learn an ephemeral port.
 * Start-up loads `dir/dbfilename` through the snapshot service when the file exists (a
 * refused file stops start-up: we never overwrite data we could not read); otherwise the
 * store starts empty on a fresh heap.
 */

import { writeSync, writeFileSync, rmSync } from 'node:fs';
import { parseCommandLine } from './cli.js';
import { createHeap } from './cow/paged-heap.js';
import type { PagedHeap } from './cow/paged-heap.js';
import { Store } from './store/store.js';
import { LiveConfig } from './server/config.js';
import type { ServerConfig } from './server/config.js';
import { SnapshotService } from './snapshot/snapshot-service.js';
import { Logger } from './server/logger.js';
import { ALL_COMMANDS } from './server/registry.js';
import { Server } from './server/server.js';
import { warmUpCommandPath } from './server/warm-up.js';
import { readPackageVersion } from './server/version.js';
import { missingServerNodeFlags } from './server/launch-profile.js';

function exitWith(code: number, message: string): never {
  if (message !== '') writeSync(code === 0 ? 1 : 2, message.endsWith('\n') ? message : `${message}\n`);
  process.exit(code);
}

function createSnapshotService(live: LiveConfig, logger: Logger, heapOf: () => PagedHeap, storeOf: () => Store): SnapshotService {
  return new SnapshotService({
    settings: () => ({
      directory: live.values.dir,
      fileName: live.values.dbfilename,
      checksums: live.values.rdbchecksum,
      saveRules: live.values.save,
      stopWritesOnBgsaveError: live.values.stopWritesOnBgsaveError,
      strategy: live.values.snapshotStrategy,
    }),
    heap: heapOf,
    keyCountsPerDb: () => storeOf().keyCountsPerDb(),
    log: (level, message) => logger.log(level, message),
  });
}

/** The snapshot file's heap and store if there is one, else a fresh heap and empty store. */
function loadOrCreateStore(config: ServerConfig, snapshots: SnapshotService, logger: Logger): { heap: PagedHeap; store: Store } {
  const loaded = snapshots.load({ heapOptions: { maxMemoryBytes: config.maxmemoryBytes }, storeOptions: { databases: config.databases } });
  switch (loaded.status) {
    case 'ok':
      return { heap: loaded.heap, store: loaded.store };
    case 'missing': {
      const heap = createHeap({ pageSizeBytes: config.pageSizeBytes, maxMemoryBytes: config.maxmemoryBytes });
      return { heap, store: Store.create(heap, { databases: config.databases }) };
    }
    case 'invalid':
      logger.warning('Fatal error loading the DB, check server logs. Exiting.');
      return exitWith(1, loaded.message);
  }
}

async function main(): Promise<void> {
  const version = readPackageVersion();
  const outcome = await parseCommandLine(process.argv.slice(2), version);
  if (outcome.kind === 'exit') exitWith(outcome.code, outcome.output);
  const { config, configFilePath } = outcome;
  const logger = new Logger(config.loglevel, config.logfile);
  logger.notice('oO0OoO0OoO0Oo cowkv is starting oO0OoO0OoO0Oo');
  logger.notice(`cowkv version=${version}, bits=64, pid=${process.pid}, just started`);
  logger.notice(configFilePath === null ? 'Warning: no config file specified, using the default config.' : `Configuration loaded from ${configFilePath}`);
  const missingFlags = missingServerNodeFlags();
  if (missingFlags.length > 0) logger.notice(`Warning: node was started without ${missingFlags.join(' ')}; GC pauses may be longer (npm start and the cowkv command pass them).`);

  const live = new LiveConfig(config, configFilePath);
  let heap: PagedHeap | null = null;
  let store: Store | null = null;
  const snapshots = createSnapshotService(live, logger, () => heap!, () => store!);
  ({ heap, store } = loadOrCreateStore(config, snapshots, logger));
  const server = new Server({
    config: live,
    store,
    snapshots,
    logger,
    commands: ALL_COMMANDS,
    version,
    onFatal: (error) => {
      logger.warning(`Exiting because of a bug: ${error.stack ?? error.message}`);
      process.exit(1);
    },
    onShutdown: () => {
      if (config.pidfile !== '') rmSync(config.pidfile, { force: true });
      process.exit(0);
    },
  });

  process.on('uncaughtException', (error) => {
    logger.warning(`Uncaught exception, exiting: ${error.stack ?? error.message}`);
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger.warning(`Unhandled rejection, exiting: ${(reason as Error)?.stack ?? String(reason)}`);
    process.exit(1);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      logger.warning(`Received ${signal} scheduling shutdown...`);
      void server.shutdown({ saveMode: 'default', reason: 'signal' });
    });
  }

  if (config.warmupCommands > 0) {
    const warmed = await warmUpCommandPath({ config, commands: ALL_COMMANDS, version, commandCount: config.warmupCommands });
    const summary = `Warmed up the command path: ${warmed.commandCount} commands in ${warmed.durationMs} ms`;
    if (warmed.problem === null) logger.verbose(summary);
    else logger.warning(`${summary}; stopped: ${warmed.problem}`);
  }
  try {
    await server.start();
  } catch (error) {
    logger.warning((error as Error).message);
    process.exit(1);
  }
  if (config.pidfile !== '') writeFileSync(config.pidfile, `${process.pid}\n`);
}

main().catch((error: unknown) => {
  exitWith(1, `cowkv failed to start: ${(error as Error)?.stack ?? String(error)}`);
});
