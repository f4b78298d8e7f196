/**
 * In-place forms (CommandSpec.runInPlace) of the string commands redis-benchmark hammers: GET,
 * SET without options, INCR and MSET.
 * Why: issue 5's throughput target wants a hot path that allocates nothing per command beyond
 * what the store's API needs. These read their arguments straight from the request bytes as
 * Uint8Array views (one small view object per key or value, the store takes Uint8Array; no
 * Buffer subarrays, no argv array) and write their reply into the connection's output buffer
 * (GET copies the value from the heap with RespReplyWriter.bulkFrom, no closure).
 * Invariants: each makes exactly the store call its `run` twin in strings.ts makes and writes
 * the same bytes (test/unit/server/in-place.test.ts runs both on the same commands); a call it
 * does not cover (SET with options, MSET with an odd pair count) returns false having written
 * nothing, and dispatch runs the `run` handler.
 * Not here: option parsing and every other string command (strings.ts).
 */

import { fail } from 'node:assert/strict';

import type { CommandArgs, CommandContext, InPlaceContext } from '../command-types.js';
import { STRING_REF_MISSING, STRING_REF_WRONG_TYPE } from '../../store/store.js';
import type { IncrResult, MsetResult } from '../../store/store.js';
import { replyStoreFailure } from './common.js';

const MSET_OPTIONS = { nx: false } as const;

/** GET key. */
export function getInPlace(context: InPlaceContext, args: CommandArgs): boolean {
  const { store, reply } = context;
  // lookupStringRef: lookupString's answer as a number, without a result object.
  const ref = store.lookupStringRef(context.db, args.view(1));
  if (ref === STRING_REF_MISSING) {
    reply.nullBulk();
  } else if (ref === STRING_REF_WRONG_TYPE) {
    replyStoreFailure(context, 'wrongType');
  } else {
    // The ref is valid until the next store call; bulkFrom copies before returning.
    reply.bulkFrom(store, ref, store.stringLength(ref));
  }
  return true;
}

/** SET key value, without options (those go to setCommand). */
export function setInPlace(context: InPlaceContext, args: CommandArgs): boolean {
  if (args.count !== 3) return false;
  const result = context.store.set(context.db, args.view(1), args.view(2));
  switch (result.status) {
    case 'ok':
      context.reply.simple('OK');
      return true;
    case 'notSet':
      // Only NX/XX refuse a SET, and this form has no options.
      context.reply.nullBulk();
      return true;
    default:
      replyStoreFailure(context, result.status);
      return true;
  }
}

/** INCR key. */
export function incrInPlace(context: InPlaceContext, args: CommandArgs): boolean {
  replyIncrResult(context, context.store.incrBy(context.db, args.view(1), 1));
  return true;
}

/** MSET key value [key value ...] (an odd pair count gets msetCommand's arity error). */
export function msetInPlace(context: InPlaceContext, args: CommandArgs): boolean {
  const count = args.count;
  if (count % 2 === 0) return false;
  const pairs: Uint8Array[] = new Array<Uint8Array>(count - 1);
  for (let index = 1; index < count; index++) pairs[index - 1] = args.view(index);
  replyMsetResult(context, context.store.mset(context.db, pairs, MSET_OPTIONS), false);
  return true;
}

/** The reply to INCR/DECR/INCRBY/DECRBY's store result (shared with strings.ts). */
export function replyIncrResult(context: CommandContext, result: IncrResult): void {
  if (result.status === 'ok') context.reply.integer(result.value);
  else replyStoreFailure(context, result.status);
}

/** The reply to MSET's (`nx` false) or MSETNX's store result (shared with strings.ts). */
export function replyMsetResult(context: CommandContext, result: MsetResult, nx: boolean): void {
  switch (result.status) {
    case 'ok':
      if (nx) context.reply.integer(1);
      else context.reply.simple('OK');
      return;
    case 'notSet':
      if (!nx) fail('MSET without NX cannot be refused');
      context.reply.integer(0);
      return;
    default:
      replyStoreFailure(context, result.status);
  }
}
