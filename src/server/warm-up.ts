/**
 * Start-up warm-up of the command path: before the real server listens, a throwaway Server
 * over a scratch heap and store (never the real keyspace) is started on an ephemeral loopback
 * port, and one in-process client sends it pipelined batches of the commands tools hammer
 * first (SET, GET, INCR, MSET, plus DEL and EXISTS), through real sockets, until
 * `warmup-commands` commands have been answered. Then the throwaway server is shut down.
 *
 * Why: V8 compiles functions at their first call and optimizes them after many, so a fresh
 * server ran its first commands in the interpreter. Under redis-benchmark -c 50 -P 16 the first
 * batch of each connection waited 41, 52, ... up to 326 ms while the first 800 or so commands
 * ran cold, which was the longest latency of the whole run (GC pauses were at most 23 ms). The
 * code and its type feedback are per function, not per server, so warming a throwaway server
 * warms the real one.
 *
 * Invariants: nothing here touches the real store, config, stats or snapshot service; every
 * reply is checked byte for byte against what Redis answers, and a mismatch is reported (the
 * caller logs it) rather than thrown; the throwaway server's listener, cron and client are all
 * closed before warmUpCommandPath resolves, and it never waits longer than WARM_UP_TIME_MAX_MS.
 * Not here: deciding whether to warm up (main.ts reads `warmup-commands`, 0 by default because
 * 50,000 commands cost 0.6-0.7 s of start-up).
 */

import * as net from 'node:net';

import { createHeap } from '../cow/paged-heap.js';
import { Store } from '../store/store.js';
import type { CommandSpec } from './command-types.js';
import { LiveConfig, type ServerConfig } from './config.js';
import { Logger } from './logger.js';
import { encodeCommand } from './resp/request-encoder.js';
import { Server } from './server.js';

/** The warm-up gives up (and reports it) after this long, whatever `warmup-commands` asks. */
export const WARM_UP_TIME_MAX_MS = 3_000;
/** Commands in one pipelined batch (redis-benchmark's -P 16). */
const BATCH_COMMAND_COUNT = 16;
/** Keys the batches cycle through, so SETs overwrite as well as insert. */
const WARM_UP_KEY_COUNT = 1_000;
const VALUE = Buffer.alloc(64, 'x');

export interface WarmUpReport {
  readonly commandCount: number;
  readonly durationMs: number;
  /** Why the warm-up stopped early or a reply was not Redis's (null when all went well). */
  readonly problem: string | null;
}

/**
 * Batch `index` (16 commands) and the exact bytes Redis answers to it, given that every earlier
 * batch ran. Batches come in cycles of WARM_UP_KEY_COUNT / 4; INCR counters count the cycles.
 */
export function warmUpBatch(index: number): { readonly request: Buffer; readonly reply: Buffer } {
  const requests: Buffer[] = [];
  const replies: string[] = [];
  const cycle = Math.floor(index / (WARM_UP_KEY_COUNT / 4));
  for (let slot = 0; slot < 4; slot++) {
    const key = `warmup:key:${(index * 4 + slot) % WARM_UP_KEY_COUNT}`;
    requests.push(encodeCommand(['SET', key, VALUE]));
    replies.push('+OK\r\n');
    requests.push(encodeCommand(['GET', key]));
    replies.push(`$${VALUE.length}\r\n${VALUE.toString('latin1')}\r\n`);
    requests.push(encodeCommand(['INCR', `warmup:counter:${(index * 4 + slot) % WARM_UP_KEY_COUNT}`]));
    replies.push(`:${cycle + 1}\r\n`);
  }
  const msetParts: (string | Buffer)[] = ['MSET'];
  for (let pair = 0; pair < 10; pair++) msetParts.push(`warmup:mset:${(index + pair) % WARM_UP_KEY_COUNT}`, VALUE);
  requests.push(encodeCommand(msetParts));
  replies.push('+OK\r\n');
  const gone = `warmup:gone:${index}`;
  requests.push(encodeCommand(['EXISTS', gone]));
  replies.push(':0\r\n');
  requests.push(encodeCommand(['DEL', gone]));
  replies.push(':0\r\n');
  requests.push(encodeCommand(['PING']));
  replies.push('+PONG\r\n');
  return { request: Buffer.concat(requests), reply: Buffer.from(replies.join(''), 'latin1') };
}

/** Where two replies first differ, with some bytes of each from there. */
function describeDifference(expected: Buffer, actual: Buffer): string {
  let offset = 0;
  while (offset < expected.length && offset < actual.length && expected[offset] === actual[offset]) offset++;
  const show = (bytes: Buffer): string => JSON.stringify(bytes.subarray(offset, offset + 60).toString('latin1'));
  return `at byte ${offset} expected ${show(expected)}, got ${show(actual)}`;
}

/** Sends batches on one connection, each after the previous one's replies, and checks them. */
function runBatches(port: number, batchCount: number, deadlineMs: number): Promise<{ batches: number; problem: string | null }> {
  return new Promise((resolve) => {
    const socket = net.createConnection({ host: '127.0.0.1', port });
    let batches = 0;
    let expected: Buffer = Buffer.alloc(0);
    let received: Buffer[] = [];
    let receivedBytes = 0;
    let isDone = false;
    // Also ends a batch whose replies stop short of what Redis would send.
    const deadline = setTimeout(() => finish(`stopped after ${WARM_UP_TIME_MAX_MS} ms`), Math.max(0, deadlineMs - Date.now()));
    const finish = (problem: string | null): void => {
      if (isDone) return;
      isDone = true;
      clearTimeout(deadline);
      socket.destroy();
      resolve({ batches, problem });
    };
    const sendNext = (): void => {
      if (batches >= batchCount) return finish(null);
      if (Date.now() > deadlineMs) return finish(`stopped after ${WARM_UP_TIME_MAX_MS} ms`);
      const batch = warmUpBatch(batches);
      expected = batch.reply;
      received = [];
      receivedBytes = 0;
      socket.write(batch.request);
    };
    socket.setNoDelay(true);
    socket.on('connect', sendNext);
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      receivedBytes += chunk.length;
      if (receivedBytes < expected.length) return;
      const reply = Buffer.concat(received);
      if (!reply.equals(expected)) return finish(`batch ${batches}: ${describeDifference(expected, reply)}`);
      batches += 1;
      sendNext();
    });
    socket.on('error', (error) => finish(`socket error: ${error.message}`));
    socket.on('close', () => finish(batches >= batchCount ? null : 'connection closed by the warm-up server'));
  });
}

/**
 * Runs about `commandCount` commands (whole batches of 16) through a throwaway server built like
 * the real one from `config` (same page size, databases and limits), then shuts it down.
 */
export async function warmUpCommandPath(options: {
  readonly config: ServerConfig;
  readonly commands: readonly CommandSpec[];
  readonly version: string;
  readonly commandCount: number;
}): Promise<WarmUpReport> {
  const startMs = Date.now();
  const batchCount = Math.ceil(options.commandCount / BATCH_COMMAND_COUNT);
  if (batchCount === 0) return { commandCount: 0, durationMs: 0, problem: null };
  const heap = createHeap({ pageSizeBytes: options.config.pageSizeBytes, maxMemoryBytes: 0 });
  const store = Store.create(heap, { databases: options.config.databases });
  const config = new LiveConfig({
    ...options.config,
    port: 0,
    bind: ['127.0.0.1'],
    requirepass: '',
    maxmemoryBytes: 0,
    save: [],
    loglevel: 'nothing',
    logfile: '',
    pidfile: '',
  }, null);
  const server = new Server({ config, store, logger: new Logger('nothing', ''), commands: options.commands, version: options.version });
  let outcome: { batches: number; problem: string | null };
  try {
    const port = await server.start();
    outcome = await runBatches(port, batchCount, startMs + WARM_UP_TIME_MAX_MS);
  } catch (error) {
    outcome = { batches: 0, problem: (error as Error).message };
  } finally {
    await server.shutdown({ saveMode: 'nosave', reason: 'signal' });
  }
  return { commandCount: outcome.batches * BATCH_COMMAND_COUNT, durationMs: Date.now() - startMs, problem: outcome.problem };
}
