/**
 * Crash safety through the real process: SIGKILL at random moments during a BGSAVE always
 * leaves a loadable snapshot, and it is either the previous one or the new one, whole.
 * Each trial starts from the file the previous trial left, changes the data (so the two
 * candidates have different digests), sends BGSAVE, kills the server after a random delay and
 * restarts it on the same directory. Temp files of the killed writer are removed at start-up.
 * The delays come from a seeded generator; the seed is in every failure message, and
 * SNAPSHOT_CRASH_SEED=<seed> replays a run.
 */

import * as fs from 'node:fs';

import { describe, expect, test } from 'vitest';

import type { RawClient } from '../helpers/raw-client.js';
import { makeDataDirectory } from '../helpers/server-process.js';
import { pipeline, stopServersAfterEach, waitForBackgroundSave } from '../fixtures/snapshot/server-runs.js';

const TRIAL_COUNT = 20;
/** About 3 MB of pages: a save takes tens of milliseconds, so many kills land inside it. */
const FILL_KEY_COUNT = 10_000;
const VALUE_BYTES = 300;
const OVERWRITE_KEY_COUNT = 500;
/** Kill delays are uniform in [0, this times the first BGSAVE's duration]: before, inside, after. */
const KILL_DELAY_SAVE_DURATION_FACTOR = 1.5;
/** Each trial restarts a server and digests the keyspace twice: about a second each here. */
const TRIAL_TIMEOUT_MS = 180_000;

const serverRuns = stopServersAfterEach();

function start(directory: string): ReturnType<typeof serverRuns.start> {
  return serverRuns.start(['--dir', directory, '--save', '']);
}

/** DEBUG DIGEST's hex text. */
async function digestOf(client: RawClient): Promise<string> {
  const reply = await client.send(['DEBUG', 'DIGEST']);
  return (reply as { simple: string }).simple;
}

/** mulberry32: small, seeded, good enough for delays. */
function randomGenerator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('SIGKILL during a background save', () => {
  test('always leaves the previous snapshot or the new one, loadable and whole', async () => {
    const seed = Number(process.env['SNAPSHOT_CRASH_SEED'] ?? Date.now() % 2 ** 31);
    const random = randomGenerator(seed);
    const directory = makeDataDirectory();
    let { server, client } = await start(directory);
    await pipeline(client, Array.from({ length: FILL_KEY_COUNT }, (_, index) => ['SET', `key:${index}`, `${index}:`.padEnd(VALUE_BYTES, 'v')]));
    // The first snapshot, timed: later kills are spread over about this long.
    const saveStartMs = performance.now();
    expect(await client.send(['BGSAVE'])).toEqual({ simple: 'Background saving started' });
    expect((await waitForBackgroundSave(client)).get('rdb_last_bgsave_status')).toBe('ok');
    const killDelayMsMax = (performance.now() - saveStartMs) * KILL_DELAY_SAVE_DURATION_FACTOR;
    let previousDigest = await digestOf(client);
    const outcomes = { previous: 0, next: 0 };

    for (let trial = 0; trial < TRIAL_COUNT; trial += 1) {
      const context = `seed ${seed}, trial ${trial}`;
      const overwrites = Array.from({ length: OVERWRITE_KEY_COUNT }, () => {
        const index = Math.floor(random() * FILL_KEY_COUNT);
        return ['SET', `key:${index}`, `${index}:trial-${trial}:`.padEnd(VALUE_BYTES, 't')];
      });
      await pipeline(client, [...overwrites, ['SET', 'trial', String(trial)]]);
      const nextDigest = await digestOf(client);
      expect(nextDigest, context).not.toEqual(previousDigest);
      expect(await client.send(['BGSAVE']), context).toEqual({ simple: 'Background saving started' });
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * killDelayMsMax)));
      server.child.kill('SIGKILL');
      await server.exited();
      client.close();

      ({ server, client } = await start(directory));
      const digest = await digestOf(client);
      expect([previousDigest, nextDigest], `${context}: the loaded snapshot is neither`).toContain(digest);
      if (digest === nextDigest) outcomes.next += 1;
      else outcomes.previous += 1;
      expect(fs.readdirSync(directory).filter((name) => name.startsWith('temp-')), `${context}: temp files left`).toEqual([]);
      previousDigest = digest;
    }
    expect(outcomes.previous + outcomes.next).toBe(TRIAL_COUNT);
    console.log(`snapshot crash trials (seed ${seed}, kill delays up to ${Math.round(killDelayMsMax)} ms): ${outcomes.previous} kept the previous snapshot, ${outcomes.next} had the new one`);
  }, TRIAL_TIMEOUT_MS);
});
