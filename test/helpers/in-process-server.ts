/**
 * A server without sockets, for unit tests of dispatch and commands: a real heap, store and
 * Server (never started), and clients whose "socket" records what would be written.
 * `run(client, argv)` feeds the encoded command through the client's parser and dispatch, so
 * the path is the production one from parser to reply bytes.
 */

import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { createHeap } from '../../src/cow/paged-heap.js';
import { Store } from '../../src/store/store.js';
import { LiveConfig, buildServerConfig } from '../../src/server/config.js';
import type { ConfigDirective } from '../../src/server/config.js';
import { Client, ClientInput } from '../../src/server/connection.js';
import { Logger } from '../../src/server/logger.js';
import { ALL_COMMANDS } from '../../src/server/registry.js';
import { Server } from '../../src/server/server.js';
import { decodeAll, encodeCommand, readable } from './resp.js';

/** Just enough of net.Socket for a Client: records writes, counts nothing as pending. */
export class FakeSocket extends EventEmitter {
  readonly written: Buffer[] = [];
  remoteAddress: string;
  remotePort = 50000;
  localAddress = '127.0.0.1';
  localPort = 6379;
  writableLength = 0;
  destroyed = false;
  isEnded = false;

  constructor(remoteAddress = '127.0.0.1') {
    super();
    this.remoteAddress = remoteAddress;
  }

  write(bytes: Buffer): boolean {
    this.written.push(Buffer.from(bytes));
    return true;
  }
  end(): void {
    this.isEnded = true;
  }
  destroy(): void {
    this.destroyed = true;
  }
  pause(): void {}
  resume(): void {}
  setNoDelay(): void {}
  setKeepAlive(): void {}

  /** Takes every byte written so far. */
  drain(): Buffer {
    const bytes = Buffer.concat(this.written);
    this.written.length = 0;
    return bytes;
  }
}

export interface InProcessServer {
  readonly server: Server;
  readonly store: Store;
  connect(remoteAddress?: string): { client: Client; socket: FakeSocket; input: ClientInput };
  /** Runs one command and returns its decoded, readable reply (undefined if none). */
  run(client: Client, argv: readonly (string | Uint8Array)[]): unknown;
  /** Runs raw request bytes and returns every decoded reply. */
  runRaw(client: Client, bytes: Buffer): unknown[];
  fatalErrors: Error[];
}

export function createInProcessServer(options: Record<string, string> = {}): InProcessServer {
  const directives: ConfigDirective[] = Object.entries(options).map(([name, value]) => ({ name, args: [value], origin: 'test' }));
  const built = buildServerConfig(directives);
  if (built.status !== 'ok') throw new Error(built.message);
  const config = built.config;
  const heap = createHeap({ pageSizeBytes: config.pageSizeBytes, maxMemoryBytes: config.maxmemoryBytes });
  const store = Store.create(heap, { databases: config.databases });
  const fatalErrors: Error[] = [];
  const server = new Server({
    config: new LiveConfig(config, null),
    store,
    logger: new Logger('nothing', ''),
    commands: ALL_COMMANDS,
    version: '0.0.0-test',
    onFatal: (error) => fatalErrors.push(error),
  });
  let nextId = 1;
  const sockets = new Map<Client, FakeSocket>();
  const runRaw = (client: Client, bytes: Buffer): unknown[] => {
    const socket = sockets.get(client)!;
    client.parser.feed(bytes);
    client.processInput();
    client.flush();
    return decodeAll(socket.drain()).values.map(readable);
  };
  return {
    server,
    store,
    fatalErrors,
    connect(remoteAddress = '127.0.0.1') {
      const socket = new FakeSocket(remoteAddress);
      const input = new ClientInput();
      const client = new Client({ id: nextId++, socket: socket as unknown as Socket, input, server, store, nowMs: Date.now() });
      server.clients.set(client.id, client);
      sockets.set(client, socket);
      return { client, socket, input };
    },
    run(client, argv) {
      return runRaw(client, encodeCommand(argv))[0];
    },
    runRaw,
  };
}
