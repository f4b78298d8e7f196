/**
 * The server: listeners, the client registry, server-wide state (stats, pub/sub, WATCH, pause)
 * and the lifecycle (start, background cron, graceful shutdown).
 * One event loop runs every command (Redis's model: each command is atomic without locks);
 * the cron runs at `hz` and does what Redis's serverCron does for us: active expiry within a
 * time budget, idle-client timeouts, soft output-limit checks, incremental rehash when idle.
 *
 * Extension points for other layers (the snapshot work plugs in here, not through globals):
 * - `addCommands(specs)`: more command families (SAVE, BGSAVE...).
 * - `addBeforeShutdownHook(hook)`: runs before the listeners close (save on shutdown).
 * - `setInfoSection(name, producer)`: replaces or adds an INFO section (persistence...).
 * - `persistence`: fields the snapshot layer keeps current (lastSaveTimeMs, changes, status).
 * Invariants: only main.ts exits the process: fatal conditions are reported through
 * `onFatal`/`onShutdown` callbacks; the server never throws out of a socket callback.
 * Not here: the protocol (resp/), per-connection flow (connection.ts), checks (dispatch.ts).
 */

import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import type { CommandArgs, CommandSpec } from './command-types.js';
import type { Store } from '../store/store.js';
import { Client, ClientInput, isLoopbackAddress } from './connection.js';
import type { CloseReason } from './connection.js';
import { CommandTable, dispatchCommand, shortNameOf } from './dispatch.js';
import type { DispatchOutcome } from './dispatch.js';
import type { LiveConfig, ServerConfig } from './config.js';
import type { Logger } from './logger.js';
import { PubSubHub } from './pubsub-hub.js';
import { WatchRegistry } from './watch-registry.js';
import { readIntoBuffer } from './read-into-buffer.js';
import { KeyPrefetch } from './key-prefetch.js';
import type { SpecLookup } from './key-prefetch.js';
import { MAX_CLIENTS_ERROR, PROTECTED_MODE_DENIED_ERROR } from './errors.js';
import type { SnapshotService } from '../snapshot/snapshot-service.js';

/** Share of each cron period the active expiry cycle may use (Redis: 25%). */
export const ACTIVE_EXPIRE_BUDGET_SHARE = 0.25;
/** Hash buckets rehashed per cron tick while idle (Redis: 1 ms of incremental rehash). */
export const REHASH_BUCKETS_PER_CRON = 1000;
/** Milliseconds a graceful shutdown waits for clients' output to drain before closing. */
export const SHUTDOWN_DRAIN_MS_MAX = 2000;
/** Longest delay setTimeout accepts. */
const TIMER_DELAY_MS_MAX = 2_147_483_647;

export interface ServerStats {
  connectionsReceived: number;
  commandsProcessed: number;
  rejectedConnections: number;
  rejectedCalls: number;
  protocolErrors: number;
  outputBufferLimitDisconnections: number;
  queryBufferLimitDisconnections: number;
  /** Bytes read from clients (stat_net_input_bytes). */
  netInputBytes: number;
  /** Bytes of replies handed to sockets (stat_net_output_bytes). */
  netOutputBytes: number;
  /** Error replies sent (total_error_replies). */
  errorReplies: number;
}

function emptyStats(): ServerStats {
  return {
    connectionsReceived: 0, commandsProcessed: 0, rejectedConnections: 0, rejectedCalls: 0,
    protocolErrors: 0, outputBufferLimitDisconnections: 0, queryBufferLimitDisconnections: 0, netInputBytes: 0, netOutputBytes: 0, errorReplies: 0,
  };
}

/** What the snapshot layer reports, for LASTSAVE, INFO persistence and MISCONF. */
export interface PersistenceState {
  /** LASTSAVE: until a snapshot exists, the start time (as Redis after start-up without RDB). */
  lastSaveTimeMs: number;
  /** Server.changeCount when the last snapshot began (rdb_changes_since_last_save). */
  changeCountAtLastSave: number;
  /** Last background save failed: with stop-writes-on-bgsave-error, writes are refused. */
  isLastBackgroundSaveFailed: boolean;
}

export type ShutdownSaveMode = 'default' | 'save' | 'nosave';

export interface ShutdownRequest {
  readonly saveMode: ShutdownSaveMode;
  readonly reason: 'command' | 'signal';
}

export type ShutdownHookOutcome = { readonly status: 'ok' } | { readonly status: 'error'; readonly message: string };
export type BeforeShutdownHook = (request: ShutdownRequest) => Promise<ShutdownHookOutcome> | ShutdownHookOutcome;

/** One INFO section: ordered `field:value` pairs. */
export type InfoSectionProducer = () => readonly (readonly [string, string | number])[];

export type PauseMode = 'write' | 'all';

export interface ServerOptions {
  readonly config: LiveConfig;
  readonly store: Store;
  readonly logger: Logger;
  readonly commands: readonly CommandSpec[];
  /** cowkv's version (INFO server, HELLO). */
  readonly version: string;
  /** An AssertionError in a handler: a bug. main.ts logs and exits. */
  readonly onFatal?: (error: Error) => void;
  /** The server finished shutting down (SHUTDOWN command or signal). main.ts exits. */
  readonly onShutdown?: () => void;
  /**
   * Persistence (src/snapshot): SAVE/BGSAVE, save rules on the cron tick, the save before
   * shutdown, MISCONF, LASTSAVE and INFO persistence. Absent in tests that need none.
   */
  readonly snapshots?: SnapshotService;
}

/**
 * Whether a new connection is refused, and with which error: maxclients (Redis:
 * "max number of clients reached"), then protected mode (no requirepass and a client that is
 * not on a loopback address gets Redis's DENIED text). Null = accept.
 */
export function admissionRefusal(config: ServerConfig, clientCount: number, remoteAddress: string | undefined): string | null {
  if (clientCount >= config.maxclients) return MAX_CLIENTS_ERROR;
  if (config.protectedMode && config.requirepass === '' && !isLoopbackAddress(remoteAddress)) return PROTECTED_MODE_DENIED_ERROR;
  return null;
}

/** Redis's sdscatrepr: a double-quoted string with C escapes, \xHH for other bytes. */
export function quoteForMonitor(argument: Buffer): string {
  let text = '"';
  for (const byte of argument) {
    switch (byte) {
      case 0x5c: text += '\\\\'; break;
      case 0x22: text += '\\"'; break;
      case 0x0a: text += '\\n'; break;
      case 0x0d: text += '\\r'; break;
      case 0x09: text += '\\t'; break;
      case 0x07: text += '\\a'; break;
      case 0x08: text += '\\b'; break;
      default:
        text += byte >= 0x20 && byte <= 0x7e ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
    }
  }
  return `${text}"`;
}

export class Server {
  readonly config: LiveConfig;
  readonly store: Store;
  readonly logger: Logger;
  readonly commands: CommandTable;
  readonly version: string;
  readonly clients = new Map<number, Client>();
  readonly pubsub: PubSubHub;
  readonly watches: WatchRegistry;
  readonly postponedClients = new Set<Client>();
  /** Clients that ran MONITOR: they get a line per executed command. */
  readonly monitors = new Set<Client>();
  readonly startTimeMs: number;
  readonly persistence: PersistenceState;
  readonly infoSections = new Map<string, InfoSectionProducer>();
  readonly snapshots: SnapshotService | null;
  stats: ServerStats = emptyStats();
  /** Port actually listened on (after start). */
  port = 0;
  isShuttingDown = false;
  /** Keyspace modifications since start (Redis's server.dirty). */
  changeCount = 0;
  /** DEBUG SET-ACTIVE-EXPIRE 0 turns the active expiry cycle off (tests of lazy expiry). */
  isActiveExpireEnabled = true;

  #nextClientId = 1;
  #listeners: net.Server[] = [];
  #cronTimer: NodeJS.Timeout | null = null;
  #cronTickCount = 0;
  /** Ops/s samples, Redis's trackInstantaneousMetric: 16 samples, one per cron tick. */
  #opsSamples: number[] = [];
  #opsSampleCommands = 0;
  #opsSampleTimeMs = 0;
  #pauseMode: PauseMode | null = null;
  #pauseUntilMs = 0;
  #pauseTimer: NodeJS.Timeout | null = null;
  #pendingWrites = new Set<Client>();
  #isFlushScheduled = false;
  #beforeShutdownHooks: BeforeShutdownHook[] = [];
  #cronHooks: ((nowMs: number) => void)[] = [];
  #oomCheckedAtMs = -1;
  #isOverMaxmemory = false;
  readonly #onFatal: (error: Error) => void;
  readonly #onShutdown: () => void;
  readonly #keyPrefetch = new KeyPrefetch();
  readonly #specLookup: SpecLookup = (bytes, offset, length) => this.commands.lookupInfoAt(bytes, offset, length)?.spec;

  constructor(options: ServerOptions) {
    this.config = options.config;
    this.store = options.store;
    this.logger = options.logger;
    this.version = options.version;
    this.commands = new CommandTable(options.commands);
    this.pubsub = new PubSubHub((client) => this.markPendingWrite(client));
    this.watches = new WatchRegistry(options.store);
    this.startTimeMs = Date.now();
    this.persistence = { lastSaveTimeMs: this.startTimeMs, changeCountAtLastSave: 0, isLastBackgroundSaveFailed: false };
    // The store has one modification listener: it counts changes (Redis's server.dirty, for
    // save rules and INFO) and invalidates WATCHes while anyone watches.
    this.snapshots = options.snapshots ?? null;
    const snapshots = this.snapshots;
    const store = options.store;
    store.setModificationListener((db, key, swappedWith) => {
      // Before a flush or swap (see ModificationListener). As in Redis, a flush counts the keys
      // it removes and a swap counts one.
      const changes = key === null && swappedWith === -1 ? store.dbSize(db) : 1;
      this.changeCount += changes;
      snapshots?.noteChanges(changes);
      if (this.watches.watchedKeyCount === 0) return;
      if (key !== null) {
        this.watches.touchKey(db, key);
      } else if (swappedWith === -1 || swappedWith === undefined) {
        this.watches.touchDb(db, -1);
      } else {
        this.watches.touchDb(db, swappedWith);
        this.watches.touchDb(swappedWith, db);
      }
    });
    this.#onFatal = options.onFatal ?? ((error) => { throw error; });
    this.#onShutdown = options.onShutdown ?? (() => undefined);
    this.#registerConfigHooks();
    if (snapshots !== null) this.#wireSnapshots(snapshots);
  }

  #wireSnapshots(snapshots: SnapshotService): void {
    this.addCronHook((nowMs) => {
      snapshots.tick(nowMs);
    });
    this.addBeforeShutdownHook(async (request) => {
      const outcome = await snapshots.beforeShutdown(request.saveMode);
      switch (outcome.status) {
        case 'ok': return { status: 'ok' };
        case 'failed': return { status: 'error', message: `Error trying to save the DB: ${outcome.message}` };
        case 'alreadyInProgress': return { status: 'error', message: 'A snapshot is still in progress' };
      }
    });
    this.setInfoSection('persistence', () => snapshots.infoFields());
  }

  /** LASTSAVE in ms: the last successful snapshot, or the start time before any. */
  lastSaveTimeMs(): number {
    return this.snapshots?.lastSaveTimeMs ?? this.persistence.lastSaveTimeMs;
  }

  // ---- extension points ---------------------------------------------------------------------

  addCommands(specs: readonly CommandSpec[]): void {
    for (const spec of specs) this.commands.add(spec);
  }

  addBeforeShutdownHook(hook: BeforeShutdownHook): void {
    this.#beforeShutdownHooks.push(hook);
  }

  /** Runs `hook` on every cron tick (hz per second), e.g. to check `save` rules. */
  addCronHook(hook: (nowMs: number) => void): void {
    this.#cronHooks.push(hook);
  }

  setInfoSection(name: string, producer: InfoSectionProducer): void {
    this.infoSections.set(name.toLowerCase(), producer);
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /** Listens on every bind address; resolves with the port (the real one when port is 0). */
  async start(): Promise<number> {
    const { bind, port } = this.config.values;
    let actualPort = port;
    for (const address of bind) {
      const isOptional = address.startsWith('-');
      const host = isOptional ? address.slice(1) : address;
      try {
        actualPort = await this.#listen(host, actualPort);
      } catch (error) {
        if (isOptional) {
          this.logger.warning(`Could not listen on optional address ${host}:${actualPort}: ${(error as Error).message}`);
          continue;
        }
        await this.#closeListeners();
        throw new Error(`Could not create server TCP listening socket ${host}:${port}: ${(error as Error).message}`);
      }
    }
    this.port = actualPort;
    // `--port 0` asked for any free port: CONFIG GET port and INFO report the one we got.
    this.config.values.port = actualPort;
    this.#startCron();
    this.logger.notice(`Server initialized`);
    this.logger.notice(`Ready to accept connections tcp port=${actualPort}`);
    return actualPort;
  }

  #listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      // Accepted paused: #onConnection moves each socket's handle to one that reads into a
      // buffer of the connection's own (read-into-buffer.ts) before any byte is read.
      const listener = net.createServer({ pauseOnConnect: true }, (socket) => this.#onConnection(socket));
      listener.once('error', reject);
      listener.listen({ host, port, backlog: 511 }, () => {
        listener.off('error', reject);
        listener.on('error', (error) => this.logger.warning(`Listener error on ${host}: ${error.message}`));
        this.#listeners.push(listener);
        resolve((listener.address() as AddressInfo).port);
      });
    });
  }

  async #closeListeners(): Promise<void> {
    const listeners = this.#listeners;
    this.#listeners = [];
    await Promise.all(listeners.map((listener) => new Promise<void>((resolve) => listener.close(() => resolve()))));
  }

  /**
   * Graceful shutdown (SHUTDOWN, SIGTERM, SIGINT): before-shutdown hooks (e.g. save) unless
   * NOSAVE; a failing hook aborts a SHUTDOWN command (Redis) but not a signal. Then listeners
   * close, pending replies are flushed, clients are closed, and onShutdown is called.
   * Returns an error message when the shutdown was aborted.
   */
  async shutdown(request: ShutdownRequest): Promise<string | null> {
    if (this.isShuttingDown) return null;
    this.isShuttingDown = true;
    this.logger.warning(`User requested shutdown...`);
    for (const hook of this.#beforeShutdownHooks) {
      let outcome: ShutdownHookOutcome;
      try {
        outcome = await hook(request);
      } catch (error) {
        outcome = { status: 'error', message: (error as Error).message };
      }
      if (outcome.status === 'error') {
        this.logger.warning(`Error before shutdown: ${outcome.message}`);
        if (request.reason === 'command' && request.saveMode !== 'nosave') {
          this.isShuttingDown = false;
          this.logger.warning('Errors trying to shut down the server. Check the logs for more information.');
          return outcome.message;
        }
      }
    }
    this.#stopCron();
    // net.Server.close() completes once the listener stops and every connection it counts is
    // gone; it counts none of ours (read-into-buffer.ts takes each over), so the clients are
    // waited for below, and the listeners last.
    const listenersClosed = this.#closeListeners();
    const clients = [...this.clients.values()];
    const closed = clients.map((client) => new Promise<void>((resolve) => {
      if (client.socket.destroyed) resolve();
      else client.socket.once('close', () => resolve());
    }));
    for (const client of clients) client.endAfterFlush('shutdown');
    // Replies (e.g. to SHUTDOWN's MULTI neighbours) get a bounded chance to reach clients.
    let drainTimer: NodeJS.Timeout | null = null;
    await Promise.race([
      Promise.all(closed),
      new Promise<void>((resolve) => { drainTimer = setTimeout(resolve, SHUTDOWN_DRAIN_MS_MAX); }),
    ]);
    if (drainTimer !== null) clearTimeout(drainTimer);
    for (const client of clients) client.socket.destroy();
    await listenersClosed;
    this.logger.warning('cowkv is now ready to exit, bye bye...');
    this.#onShutdown();
    return null;
  }

  /** Error replies by their prefix ('ERR', 'WRONGTYPE'...): INFO errorstats. */
  readonly errorCounts = new Map<string, number>();

  /** Counts one error reply (Redis's afterErrorReply: total_error_replies and errorstats). */
  countErrorReply(text: string): void {
    this.stats.errorReplies++;
    const space = text.indexOf(' ');
    const prefix = space === -1 ? text : text.slice(0, space);
    this.errorCounts.set(prefix, (this.errorCounts.get(prefix) ?? 0) + 1);
  }

  /** CONFIG RESETSTAT. */
  resetStats(): void {
    this.errorCounts.clear();
    this.stats = emptyStats();
    this.commands.resetStats();
    this.#opsSamples = [];
  }

  // ---- connections --------------------------------------------------------------------------

  #onConnection(accepted: net.Socket): void {
    const input = new ClientInput();
    const socket = readIntoBuffer(accepted, input);
    socket.on('error', (error) => this.logger.verbose(`Socket error before accept: ${error.message}`));
    if (this.isShuttingDown) {
      socket.destroy();
      return;
    }
    const refusal = admissionRefusal(this.config.values, this.clients.size, socket.remoteAddress);
    if (refusal !== null) {
      this.stats.rejectedConnections++;
      this.logger.verbose(`Refused connection from ${socket.remoteAddress}: ${refusal}`);
      socket.end(`-${refusal}\r\n`);
      return;
    }
    const client = new Client({ id: this.#nextClientId++, socket, input, server: this, store: this.store, nowMs: Date.now() });
    const { tcpKeepaliveSeconds } = this.config.values;
    socket.setNoDelay(true);
    if (tcpKeepaliveSeconds > 0) socket.setKeepAlive(true, tcpKeepaliveSeconds * 1000);
    this.clients.set(client.id, client);
    this.stats.connectionsReceived++;
    client.attach();
    this.logger.verbose(`Accepted ${client.remoteAddress}`);
  }

  /** Called by a Client exactly once when it closes: drop it from every registry. */
  onClientClosed(client: Client, reason: CloseReason): void {
    this.clients.delete(client.id);
    this.postponedClients.delete(client);
    this.monitors.delete(client);
    this.#pendingWrites.delete(client);
    this.pubsub.removeClient(client);
    this.watches.unwatchAll(client);
    if (reason === 'queryBufferLimit') this.stats.queryBufferLimitDisconnections++;
    this.logger.verbose(`Client closed connection ${client.describe()} (${reason})`);
  }

  /**
   * Touches the hash chains of the keys of `current` and of the requests after it in
   * buffer[offset..] (key-prefetch.ts), when there are at least two; returns where the scan
   * stopped. Changes nothing.
   */
  prefetchKeys(db: number, current: CommandArgs, buffer: Buffer, offset: number): number {
    const batch = this.#keyPrefetch;
    const end = batch.collect(this.#specLookup, current, buffer, offset, buffer.length);
    if (batch.count >= 2) this.store.prefetchKeys(db, batch);
    return end;
  }

  /** Runs one command for a client (dispatch.ts does the work). */
  dispatch(client: Client, args: CommandArgs): DispatchOutcome {
    return dispatchCommand(this, client, args);
  }

  /**
   * Redis's replicationFeedMonitors: `+<sec.usec> [<db> <addr>] "arg" ...` to every monitor.
   * Admin and skip_monitor commands are not shown, as in Redis.
   */
  feedMonitors(client: Client, argv: readonly Buffer[]): void {
    const nowUs = Math.floor((performance.timeOrigin + performance.now()) * 1000);
    const seconds = Math.floor(nowUs / 1_000_000);
    const micros = String(nowUs - seconds * 1_000_000).padStart(6, '0');
    const line = `${seconds}.${micros} [${client.db} ${client.remoteAddress}] ${argv.map(quoteForMonitor).join(' ')}`;
    for (const monitor of this.monitors) {
      if (monitor.isClosed) continue;
      monitor.reply.simple(line);
      this.markPendingWrite(monitor);
    }
  }

  /** A client got output outside its own read (pub/sub message): flush it soon, once. */
  markPendingWrite(client: Client): void {
    this.#pendingWrites.add(client);
    if (this.#isFlushScheduled) return;
    this.#isFlushScheduled = true;
    queueMicrotask(() => this.#flushPendingWrites());
  }

  #flushPendingWrites(): void {
    this.#isFlushScheduled = false;
    const clients = [...this.#pendingWrites];
    this.#pendingWrites.clear();
    const nowMs = Date.now();
    for (const client of clients) {
      client.flush();
      client.checkOutputLimits(nowMs);
    }
  }

  /** An AssertionError reached dispatch: a bug. Logged here; main.ts exits. */
  onBug(error: Error, commandName: string): void {
    this.logger.warning(`=== COWKV BUG REPORT START === assertion failed while running '${commandName}': ${error.stack ?? error.message}`);
    this.#onFatal(error);
  }

  // ---- checks used by dispatch ----------------------------------------------------------------

  /** Over maxmemory: the heap cannot take one more page, or the config limit is below use. */
  isOverMaxmemory(): boolean {
    const maxmemoryBytes = this.config.values.maxmemoryBytes;
    if (maxmemoryBytes === 0) return false;
    const nowMs = Date.now();
    if (nowMs !== this.#oomCheckedAtMs) {
      this.#oomCheckedAtMs = nowMs;
      this.#isOverMaxmemory = this.usedMemoryBytes() >= maxmemoryBytes || !this.store.heap.canAllocate(this.store.heap.pageSizeBytes);
    }
    return this.#isOverMaxmemory;
  }

  /** Bytes of heap pages holding data (our used_memory). */
  usedMemoryBytes(): number {
    const stats = this.store.heap.stats();
    return stats.heapBytes - stats.bytesFree;
  }

  /** MISCONF: the last background save failed and stop-writes-on-bgsave-error is on. */
  isWriteRefusedForPersistence(): boolean {
    if (this.snapshots !== null) return this.snapshots.isWriteBlocked();
    return this.persistence.isLastBackgroundSaveFailed && this.config.values.stopWritesOnBgsaveError;
  }

  // ---- CLIENT PAUSE -------------------------------------------------------------------------

  get pauseMode(): PauseMode | null {
    return this.#pauseMode;
  }

  /** CLIENT PAUSE: holds commands (all, or writes only) until `untilMs` or CLIENT UNPAUSE. */
  pause(mode: PauseMode, untilMs: number): void {
    // Redis: a new pause never shortens or weakens one in force.
    if (this.#pauseMode === 'all' && mode === 'write') mode = 'all';
    this.#pauseMode = mode;
    this.#pauseUntilMs = Math.max(this.#pauseUntilMs, untilMs);
    if (this.#pauseTimer !== null) clearTimeout(this.#pauseTimer);
    this.#armPauseTimer();
  }

  /** setTimeout takes at most 2^31-1 ms; a longer pause re-arms itself. */
  #armPauseTimer(): void {
    const remainingMs = this.#pauseUntilMs - Date.now();
    this.#pauseTimer = setTimeout(() => {
      if (this.#pauseUntilMs - Date.now() > 0) this.#armPauseTimer();
      else this.unpause();
    }, Math.min(TIMER_DELAY_MS_MAX, Math.max(0, remainingMs)));
  }

  unpause(): void {
    if (this.#pauseTimer !== null) clearTimeout(this.#pauseTimer);
    this.#pauseTimer = null;
    this.#pauseMode = null;
    this.#pauseUntilMs = 0;
    const clients = [...this.postponedClients];
    this.postponedClients.clear();
    for (const client of clients) client.resume();
  }

  /** Whether `spec` must wait for the pause to end (CLIENT UNPAUSE itself never waits). */
  isPausedFor(client: Client, spec: CommandSpec): boolean {
    if (this.#pauseMode === null) return false;
    const parent = this.commands.parentOf(spec);
    if (parent?.name === 'CLIENT' && ['UNPAUSE', 'PAUSE'].includes(shortNameOf(spec))) return false;
    if (this.#pauseMode === 'all') return true;
    if (spec.flags.includes('write') || spec.name === 'PUBLISH') return true;
    if (spec.name === 'EXEC' && client.multiQueue !== null) {
      return client.multiQueue.some((argv) => this.commands.lookup(argv[0])?.flags.includes('write') ?? false);
    }
    return false;
  }

  // ---- cron ---------------------------------------------------------------------------------

  #startCron(): void {
    this.#stopCron();
    const periodMs = Math.max(1, Math.floor(1000 / this.config.values.hz));
    this.#cronTimer = setInterval(() => this.#cron(periodMs), periodMs);
  }

  #stopCron(): void {
    if (this.#cronTimer !== null) clearInterval(this.#cronTimer);
    this.#cronTimer = null;
  }

  #cron(periodMs: number): void {
    try {
      this.#cronTickCount++;
      const nowMs = Date.now();
      if (this.#pauseMode === null) {
        if (this.isActiveExpireEnabled) this.store.activeExpireCycle(periodMs * ACTIVE_EXPIRE_BUDGET_SHARE);
        if (this.config.values.activerehashing && !this.store.heap.isEpochOpen) {
          this.store.rehashStep(REHASH_BUCKETS_PER_CRON);
        }
      }
      this.#sampleOps(nowMs);
      for (const hook of this.#cronHooks) hook(nowMs);
      const ticksPerSecond = Math.max(1, Math.round(1000 / periodMs));
      if (this.#cronTickCount % ticksPerSecond === 0) this.#clientsCron(nowMs);
    } catch (error) {
      this.logger.warning(`Background task failed: ${(error as Error)?.stack ?? String(error)}`);
      if (error instanceof Error && error.name === 'AssertionError') this.#onFatal(error);
    }
  }

  /** instantaneous_ops_per_sec: mean of the last 16 per-tick rates. */
  get instantaneousOpsPerSecond(): number {
    if (this.#opsSamples.length === 0) return 0;
    return Math.round(this.#opsSamples.reduce((sum, sample) => sum + sample, 0) / this.#opsSamples.length);
  }

  #sampleOps(nowMs: number): void {
    const commands = this.stats.commandsProcessed;
    if (this.#opsSampleTimeMs > 0 && nowMs > this.#opsSampleTimeMs) {
      this.#opsSamples.push(((commands - this.#opsSampleCommands) * 1000) / (nowMs - this.#opsSampleTimeMs));
      if (this.#opsSamples.length > 16) this.#opsSamples.shift();
    }
    this.#opsSampleCommands = commands;
    this.#opsSampleTimeMs = nowMs;
  }

  /** Once a second: idle timeouts and soft output-buffer limits. */
  #clientsCron(nowMs: number): void {
    const timeoutMs = this.config.values.timeoutSeconds * 1000;
    for (const client of [...this.clients.values()]) {
      if (timeoutMs > 0 && client.subscriptionCount === 0 && !this.postponedClients.has(client)
        && nowMs - client.lastInteractionMs > timeoutMs) {
        this.logger.verbose('Closing idle client');
        client.close('idle');
        continue;
      }
      client.checkOutputLimits(nowMs);
    }
  }

  // ---- config hooks -------------------------------------------------------------------------

  #registerConfigHooks(): void {
    this.config.onChange('hz', () => {
      if (this.#cronTimer !== null) this.#startCron();
      return null;
    });
    this.config.onChange('loglevel', (values) => {
      this.logger.level = values.loglevel;
      return null;
    });
    this.config.onChange('proto-max-bulk-len', (values) => {
      for (const client of this.clients.values()) client.parser.bulkBytesMax = values.protoMaxBulkLenBytes;
      return null;
    });
  }
}
