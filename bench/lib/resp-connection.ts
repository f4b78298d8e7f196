/**
 * A minimal RESP2 client for the snapshot benchmark: encodes commands, parses replies, and keeps
 * a FIFO of pending requests so commands can be pipelined on one socket.
 * Why our own: the bench must work the same against cowkv and redis-server, must not add a
 * client library's own buffering or timers to the latencies it measures, and must be able to
 * pipeline hundreds of thousands of SETs without one promise per command (see `sendBatch`).
 * Invariants: replies arrive in request order (RESP without pushes), so the oldest pending
 * request owns the next reply; a batch waits for exactly as many replies as it sent commands.
 * Not here: what the benchmark sends (see client-process.ts and run-target.ts).
 */
import { createConnection, type Socket } from 'node:net';

import { encodeCommand } from '../../src/server/resp/request-encoder.js';

/** A parsed reply: error replies are values (`{ error }`), never exceptions. */
export type RespValue = string | number | Buffer | null | RespError | RespValue[];

export interface RespError {
  readonly error: string;
}

// The encoder is the server's own (its start-up warm-up is a client too).
export { encodeCommand };

const CRLF = Buffer.from('\r\n', 'latin1');

type ParseResult = { status: 'value'; value: RespValue; endOffset: number } | { status: 'incomplete' };

/** Parses one reply starting at `offset`, or says more bytes are needed. */
export function parseReply(buffer: Buffer, offset: number): ParseResult {
  const lineEnd = buffer.indexOf(CRLF, offset);
  if (lineEnd < 0) return { status: 'incomplete' };
  const line = buffer.toString('latin1', offset + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (buffer[offset]) {
    case 0x2b: // '+'
      return { status: 'value', value: line, endOffset: afterLine };
    case 0x2d: // '-'
      return { status: 'value', value: { error: line }, endOffset: afterLine };
    case 0x3a: // ':'
      return { status: 'value', value: Number(line), endOffset: afterLine };
    case 0x24: { // '$'
      const lengthBytes = Number(line);
      if (lengthBytes < 0) return { status: 'value', value: null, endOffset: afterLine };
      if (buffer.length < afterLine + lengthBytes + 2) return { status: 'incomplete' };
      return { status: 'value', value: buffer.subarray(afterLine, afterLine + lengthBytes), endOffset: afterLine + lengthBytes + 2 };
    }
    case 0x2a: { // '*'
      const count = Number(line);
      if (count < 0) return { status: 'value', value: null, endOffset: afterLine };
      const items: RespValue[] = [];
      let cursor = afterLine;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, cursor);
        if (item.status === 'incomplete') return item;
        items.push(item.value);
        cursor = item.endOffset;
      }
      return { status: 'value', value: items, endOffset: cursor };
    }
    default:
      throw new Error(`Unexpected RESP reply byte 0x${buffer[offset].toString(16)} at offset ${offset}`);
  }
}

interface Pending {
  remaining: number;
  last: RespValue;
  errorCount: number;
  resolve: (reply: { last: RespValue; errorCount: number }) => void;
}

/** One socket to a server, requests answered in order. */
export class RespConnection {
  #socket: Socket;
  #input: Buffer = Buffer.alloc(0);
  #pending: Pending[] = [];
  #closedError: Error | null = null;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (error) => this.#fail(error));
    socket.on('close', () => this.#fail(new Error('connection closed')));
  }

  static async open(host: string, port: number): Promise<RespConnection> {
    const socket = createConnection({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    return new RespConnection(socket);
  }

  /** Sends one command and resolves with its reply (an error reply is a `{ error }` value). */
  async command(argv: ReadonlyArray<string | Buffer>): Promise<RespValue> {
    return (await this.sendBatch(encodeCommand(argv), 1)).last;
  }

  /** Writes pre-encoded commands; resolves once all `commandCount` replies have arrived. */
  sendBatch(encoded: Buffer, commandCount: number): Promise<{ last: RespValue; errorCount: number }> {
    if (this.#closedError !== null) return Promise.reject(this.#closedError);
    return new Promise((resolve) => {
      this.#pending.push({ remaining: commandCount, last: null, errorCount: 0, resolve });
      this.#socket.write(encoded);
    });
  }

  close(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#input = this.#input.length === 0 ? chunk : Buffer.concat([this.#input, chunk]);
    let offset = 0;
    while (offset < this.#input.length && this.#pending.length > 0) {
      const parsed = parseReply(this.#input, offset);
      if (parsed.status === 'incomplete') break;
      offset = parsed.endOffset;
      const head = this.#pending[0];
      head.last = parsed.value;
      if (isError(parsed.value)) head.errorCount += 1;
      head.remaining -= 1;
      if (head.remaining === 0) {
        this.#pending.shift();
        head.resolve({ last: head.last, errorCount: head.errorCount });
      }
    }
    this.#input = offset === this.#input.length ? Buffer.alloc(0) : this.#input.subarray(offset);
  }

  #fail(error: Error): void {
    if (this.#closedError !== null) return;
    this.#closedError = error;
    // Pending requests get an error value, so callers see a result instead of hanging.
    for (const pending of this.#pending) pending.resolve({ last: { error: error.message }, errorCount: pending.errorCount + 1 });
    this.#pending = [];
  }
}

export function isError(value: RespValue): value is RespError {
  return typeof value === 'object' && value !== null && !Buffer.isBuffer(value) && !Array.isArray(value);
}

/** `INFO` text as a field → value map (`# Section` headers and blank lines skipped). */
export function parseInfo(reply: RespValue): Map<string, string> {
  const fields = new Map<string, string>();
  const text = Buffer.isBuffer(reply) ? reply.toString('utf8') : typeof reply === 'string' ? reply : '';
  for (const line of text.split('\r\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** A numeric INFO field, or null when the server does not have it. */
export function infoNumber(fields: Map<string, string>, name: string): number | null {
  const text = fields.get(name);
  if (text === undefined) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}
