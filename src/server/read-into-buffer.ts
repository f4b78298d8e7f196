/**
 * Re-wraps a socket the listener accepted so that its reads land in a buffer the connection
 * owns (Node's `onread` option), instead of a new Buffer per read pushed through the stream
 * layer and its `data` event.
 * Why: at one command per read, Node's stream path (allocate a 64 KiB backing store, shrink it,
 * wrap it, push it, emit it) is a measurable share of the server's CPU per request; reading
 * into a reused buffer skips all of it, and makes no garbage per read. Node offers `onread`
 * only when a Socket is constructed, and net.Server constructs the sockets it accepts, so the
 * listener accepts paused (`pauseOnConnect`) and this module moves the accepted socket's
 * handle into a new Socket built with `onread`.
 * Invariants: the accepted Socket gives up its handle before it is destroyed (destroying it
 * closes nothing, and the listener's connection count drops as for any closed socket); the
 * new Socket owns the handle from then on, with Node's usual `end`, `close`, `error`, pause and
 * resume behaviour; `nextBuffer()` is asked for the buffer of each next read right after the
 * previous read's callback has returned, so a sink may hand back the same buffer whenever
 * nothing from the last read is still referenced.
 * Depends on `Socket._handle` (undocumented, long-standing, used the same way by Node's own
 * cluster and child_process handle passing) and on `onread` being honoured for a Socket built
 * around a handle. Either way the returned socket's `data` events also feed the sink: with
 * `onread` in force Node never emits them, and without it (no handle, or a Node that ignored
 * the option) the bytes still arrive, through the stream path.
 */

import * as net from 'node:net';

/** What receives a connection's bytes. */
export interface ReadSink {
  /** The buffer the next read lands in (called before the first read and after each one). */
  nextBuffer(): Buffer;
  /** `buffer[0 .. byteCount)` arrived; the bytes stay valid until nextBuffer() replaces them. */
  onBytes(buffer: Buffer, byteCount: number): void;
}

type HandleOwner = { _handle?: unknown };

/** The options net.Socket's constructor accepts for an existing handle (not in @types/node). */
interface HandleSocketOptions extends net.SocketConstructorOpts {
  handle: unknown;
  onread: { buffer: () => Uint8Array; callback: (byteCount: number, buffer: Uint8Array) => boolean | void };
}

/** The socket to use from now on for `accepted` (which must not be used afterwards). */
export function readIntoBuffer(accepted: net.Socket, sink: ReadSink): net.Socket {
  const owner = accepted as unknown as HandleOwner;
  const handle = owner._handle;
  let socket = accepted;
  if (handle !== null && handle !== undefined) {
    owner._handle = null;
    accepted.destroy();
    const options: HandleSocketOptions = {
      handle,
      onread: {
        buffer: () => sink.nextBuffer(),
        callback: (byteCount, buffer) => {
          sink.onBytes(buffer as Buffer, byteCount);
        },
      },
    };
    socket = new net.Socket(options);
  }
  socket.on('data', (chunk: Buffer) => sink.onBytes(chunk, chunk.length));
  return socket;
}
