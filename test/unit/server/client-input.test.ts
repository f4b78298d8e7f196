import { describe, expect, test } from 'vitest';
import type { ClientInput } from '../../../src/server/connection.js';
import { ARGV_COPY_BYTES_MAX } from '../../../src/server/resp/request-parser.js';
import { createInProcessServer } from '../../helpers/in-process-server.js';
import type { FakeSocket } from '../../helpers/in-process-server.js';
import { decodeAll, encodeCommand, readable } from '../../helpers/resp.js';

/** One socket read as read-into-buffer.ts delivers it: into the buffer the input handed out. */
function read(input: ClientInput, socket: FakeSocket, bytes: Buffer, buffer: Buffer): { replies: unknown[]; next: Buffer } {
  bytes.copy(buffer);
  input.onBytes(buffer, bytes.length);
  return { replies: decodeAll(socket.drain()).values.map(readable), next: input.nextBuffer() };
}

describe('ClientInput: the read buffer a connection reuses', () => {
  test('in-place commands and MULTI queueing keep reusing one buffer, and EXEC runs what was queued', () => {
    const { socket, input } = createInProcessServer().connect();
    const first = input.nextBuffer();
    const set = read(input, socket, encodeCommand(['SET', 'a', 'first']), first);
    expect(set.replies).toEqual([{ simple: 'OK' }]);
    expect(set.next).toBe(first);
    // MULTI runs through an argv handler; its argv is small, so a copy, and the buffer stays.
    const multi = read(input, socket, encodeCommand(['MULTI']), set.next);
    expect(multi.replies).toEqual([{ simple: 'OK' }]);
    const queueBuffer = multi.next;
    expect(queueBuffer).toBe(first);
    let buffer = queueBuffer;
    for (const argv of [['SET', 'b', 'queued-value'], ['INCR', 'counter'], ['GET', 'a']]) {
      const result = read(input, socket, encodeCommand(argv), buffer);
      expect(result.replies).toEqual([{ simple: 'QUEUED' }]);
      buffer = result.next;
      expect(buffer).toBe(queueBuffer);
    }
    // Each queued command's read overwrote the one before it: the queue holds copies.
    const exec = read(input, socket, encodeCommand(['EXEC']), buffer);
    expect(exec.replies).toEqual([[{ simple: 'OK' }, 1, 'first']]);
    expect(read(input, socket, encodeCommand(['GET', 'b']), exec.next).replies).toEqual(['queued-value']);
  });

  test('a request cut between reads gets a fresh buffer, and its first part is kept', () => {
    const { socket, input } = createInProcessServer().connect();
    const bytes = encodeCommand(['SET', 'split-key', 'split-value']);
    const first = input.nextBuffer();
    const head = read(input, socket, bytes.subarray(0, 20), first);
    expect(head.replies).toEqual([]);
    expect(head.next).not.toBe(first);
    const tail = read(input, socket, bytes.subarray(20), head.next);
    expect(tail.replies).toEqual([{ simple: 'OK' }]);
    expect(read(input, socket, encodeCommand(['GET', 'split-key']), tail.next).replies).toEqual(['split-value']);
  });

  test('a request trickled in small reads pins at most one read buffer, and arrives whole', () => {
    const { socket, input } = createInProcessServer().connect();
    const value = Buffer.alloc(100_000, 'v');
    const bytes = encodeCommand(['SET', 'trickled', value]);
    const handedOut = new Set<Buffer>();
    let buffer = input.nextBuffer();
    for (let offset = 0; offset < bytes.length; offset += 10) {
      handedOut.add(buffer);
      const result = read(input, socket, bytes.subarray(offset, offset + 10), buffer);
      expect(result.replies).toEqual(offset + 10 >= bytes.length ? [{ simple: 'OK' }] : []);
      buffer = result.next;
    }
    // The first read started the request in place; every later one was copied to its size.
    expect(handedOut.size).toBe(2);
    expect(read(input, socket, encodeCommand(['STRLEN', 'trickled']), buffer).replies).toEqual([100_000]);
  });

  test('a command run from a small argv (ECHO) keeps the buffer; one from a large argv gets a fresh one', () => {
    const { socket, input } = createInProcessServer().connect();
    const first = input.nextBuffer();
    const echo = read(input, socket, encodeCommand(['ECHO', 'hello']), first);
    expect(echo.replies).toEqual(['hello']);
    expect(echo.next).toBe(first);
    const large = 'x'.repeat(ARGV_COPY_BYTES_MAX);
    const bigEcho = read(input, socket, encodeCommand(['ECHO', large]), first);
    expect(bigEcho.replies).toEqual([large]);
    expect(bigEcho.next).not.toBe(first);
  });
});

describe('Client: when a read’s keys are prefetched', () => {
  /** Runs `bytes` as one read and returns the key batches passed to store.prefetchKeys. */
  function prefetchedBatches(bytes: Buffer): { batches: string[][]; replies: unknown[] } {
    const { store, connect } = createInProcessServer();
    const { socket, input } = connect();
    const batches: string[][] = [];
    const prefetchKeys = store.prefetchKeys.bind(store);
    store.prefetchKeys = (db, keys) => {
      const batch: string[] = [];
      for (let index = 0; index < keys.count; index++) {
        const bytesOfKey = keys.bytesOf(index);
        batch.push(Buffer.from(bytesOfKey.buffer, bytesOfKey.byteOffset + keys.offsetOf(index), keys.lengthOf(index)).toString());
      }
      batches.push(batch);
      prefetchKeys(db, keys);
    };
    const { replies } = read(input, socket, bytes, input.nextBuffer());
    return { batches, replies };
  }

  test('a pipeline: one batch holds the first command’s keys and those of the commands after it', () => {
    const pipeline = Buffer.concat([encodeCommand(['SET', 'a', '1']), encodeCommand(['GET', 'b']), encodeCommand(['INCR', 'c'])]);
    const { batches, replies } = prefetchedBatches(pipeline);
    expect(batches).toEqual([['a', 'b', 'c']]);
    expect(replies).toEqual([{ simple: 'OK' }, null, 1]);
  });

  test('a command alone in its read: prefetched when it names several keys, not otherwise', () => {
    expect(prefetchedBatches(encodeCommand(['MSET', 'k1', 'v', 'k2', 'v'])).batches).toEqual([['k1', 'k2']]);
    expect(prefetchedBatches(encodeCommand(['MGET', 'k1', 'k2', 'k3'])).batches).toEqual([['k1', 'k2', 'k3']]);
    expect(prefetchedBatches(encodeCommand(['SET', 'k', 'v'])).batches).toEqual([]);
    expect(prefetchedBatches(encodeCommand(['GET', 'k'])).batches).toEqual([]);
  });

  test('a long pipeline is prefetched in batches, each starting past the last one’s end', () => {
    const gets = Array.from({ length: 40 }, (_, index) => encodeCommand(['GET', `key-${index}`]));
    const { batches, replies } = prefetchedBatches(Buffer.concat(gets));
    expect(replies).toHaveLength(40);
    // Each batch is the command about to run plus at most 16 commands after it.
    expect(batches.map((batch) => batch.length)).toEqual([17, 17, 6]);
    expect(batches.flat()).toEqual(Array.from({ length: 40 }, (_, index) => `key-${index}`));
  });
});
