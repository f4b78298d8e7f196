import { afterEach, describe, expect, test } from 'vitest';
import * as net from 'node:net';
import { PassThrough } from 'node:stream';
import { once } from 'node:events';
import { readIntoBuffer } from '../../../src/server/read-into-buffer.js';
import type { ReadSink } from '../../../src/server/read-into-buffer.js';

/** A sink that records what arrived and hands out one buffer until told to replace it. */
class RecordingSink implements ReadSink {
  readonly received: string[] = [];
  readonly buffersHandedOut = new Set<Buffer>();
  nextBufferCalls = 0;
  isReplacingNext = false;
  buffer = Buffer.alloc(8);
  lastBuffer: Buffer | null = null;

  nextBuffer(): Buffer {
    this.nextBufferCalls++;
    if (this.isReplacingNext) this.buffer = Buffer.alloc(8);
    this.buffersHandedOut.add(this.buffer);
    return this.buffer;
  }

  onBytes(buffer: Buffer, byteCount: number): void {
    this.lastBuffer = buffer;
    this.received.push(buffer.toString('latin1', 0, byteCount));
  }
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A paused-accept listener whose first connection is adopted with `sink`; and a client. */
async function connectAdopted(sink: ReadSink): Promise<{ server: net.Socket; client: net.Socket; listener: net.Server }> {
  let resolveAdopted: (socket: net.Socket) => void = () => {};
  const adopted = new Promise<net.Socket>((resolve) => { resolveAdopted = resolve; });
  const listener = net.createServer({ pauseOnConnect: true }, (socket) => resolveAdopted(readIntoBuffer(socket, sink)));
  cleanups.push(() => listener.close());
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const client = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
  cleanups.push(() => client.destroy());
  const server = await adopted;
  cleanups.push(() => server.destroy());
  return { server, client, listener };
}

async function until(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 400 && !condition(); attempt++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}

describe('readIntoBuffer', () => {
  test('reads land in the sink\'s buffer, which it may hand out again, and replies go back', async () => {
    const sink = new RecordingSink();
    const { server, client } = await connectAdopted(sink);
    expect(server).toBeInstanceOf(net.Socket);
    client.write('hello');
    await until(() => sink.received.length === 1);
    client.write('world!!!');
    await until(() => sink.received.join('') === 'helloworld!!!');
    // One buffer served every read: asked for before the first read and after each one.
    expect(sink.buffersHandedOut.size).toBe(1);
    expect(sink.lastBuffer).toBe(sink.buffer);
    expect(sink.nextBufferCalls).toBe(sink.received.length + 1);
    const reply = once(client, 'data');
    server.write('+OK\r\n');
    expect(String((await reply)[0])).toBe('+OK\r\n');
  });

  test('a sink that replaces its buffer gets the next read in the new one', async () => {
    const sink = new RecordingSink();
    const { client } = await connectAdopted(sink);
    // The buffer for a read is chosen when the read before it has been handled.
    sink.isReplacingNext = true;
    client.write('one');
    await until(() => sink.received.length === 1);
    const first = sink.lastBuffer;
    client.write('two');
    await until(() => sink.received.length === 2);
    // The buffer handed out after 'one' arrived was a new one, and 'one' is still intact.
    expect(sink.lastBuffer).not.toBe(first);
    expect(first!.toString('latin1', 0, 3)).toBe('one');
  });

  test('pause stops reads, resume restarts them, and the peer closing ends the socket', async () => {
    const sink = new RecordingSink();
    const { server, client } = await connectAdopted(sink);
    server.pause();
    client.write('held');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sink.received).toEqual([]);
    server.resume();
    await until(() => sink.received.join('') === 'held');
    const closed = once(server, 'close');
    client.end();
    await closed;
  });

  test('the listener no longer counts the adopted connection once it has handed it over', async () => {
    const sink = new RecordingSink();
    const { server, listener } = await connectAdopted(sink);
    const count = await new Promise<number>((resolve, reject) => {
      listener.getConnections((error, connections) => (error ? reject(error) : resolve(connections)));
    });
    expect(count).toBe(0);
    expect(server.destroyed).toBe(false);
  });

  test('a stream without a handle is read through data events into the same sink', async () => {
    const sink = new RecordingSink();
    const stream = new PassThrough();
    const socket = readIntoBuffer(stream as unknown as net.Socket, sink);
    expect(socket).toBe(stream);
    stream.write('abc');
    await until(() => sink.received.join('') === 'abc');
  });
});
