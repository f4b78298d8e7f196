/**
 * A raw-socket RESP client for precise protocol tests: send exact bytes or an argv, read
 * decoded replies (test/helpers/resp.ts), observe the server closing the connection.
 */

import net from 'node:net';
import { decodeReply, encodeCommand } from './resp.js';
import type { RespValue } from './resp.js';

export const REPLY_TIMEOUT_MS = 10_000;

export class RawClient {
  readonly socket: net.Socket;
  #buffer = Buffer.alloc(0);
  #waiters: (() => void)[] = [];
  #isClosed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake();
    });
    socket.on('close', () => {
      this.#isClosed = true;
      this.#wake();
    });
    socket.on('error', () => {
      this.#isClosed = true;
      this.#wake();
    });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host }, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Bytes received and not yet decoded. */
  get pendingBytes(): Buffer {
    return this.#buffer;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter();
  }

  #waitForData(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`No reply within ${REPLY_TIMEOUT_MS} ms; have ${JSON.stringify(this.#buffer.toString('latin1'))}`)), REPLY_TIMEOUT_MS);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  writeRaw(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  /** The next reply (waits for it); throws if the connection closes first. */
  async read(): Promise<RespValue> {
    for (;;) {
      const decoded = decodeReply(this.#buffer);
      if (decoded !== null) {
        this.#buffer = this.#buffer.subarray(decoded.nextOffset);
        return decoded.value;
      }
      if (this.#isClosed) throw new Error(`Connection closed; undecoded bytes: ${JSON.stringify(this.#buffer.toString('latin1'))}`);
      await this.#waitForData();
    }
  }

  async send(argv: readonly (string | Uint8Array)[]): Promise<RespValue> {
    this.socket.write(encodeCommand(argv));
    return this.read();
  }

  /** Resolves once the server has closed the connection. */
  async waitForClose(): Promise<void> {
    while (!this.#isClosed) await this.#waitForData();
  }

  close(): void {
    this.socket.destroy();
  }
}
