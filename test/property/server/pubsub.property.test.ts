/**
 * Model-based property: SUBSCRIBE / UNSUBSCRIBE / PSUBSCRIBE / PUNSUBSCRIBE / PUBLISH across
 * three clients through the real dispatch path, against a model of who listens to what.
 * Checks every subscription frame's count, PUBLISH's receiver count (one per matching channel
 * or pattern subscription, as Redis counts), the exact messages each client receives and
 * PUBSUB NUMSUB/NUMPAT. Patterns are simple (`n*`, `?ews`, exact) so the model can match them
 * with a tiny glob of its own. Clients speak RESP3, so every frame is a push.
 */

import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { createInProcessServer } from '../../helpers/in-process-server.js';
import type { InProcessServer } from '../../helpers/in-process-server.js';
import type { Client } from '../../../src/server/connection.js';
import type { FakeSocket } from '../../helpers/in-process-server.js';
import { decodeAll, readable } from '../../helpers/resp.js';

const CLIENT_COUNT = 3;

interface Model {
  channels: Set<string>[];
  patterns: Set<string>[];
}

interface Real {
  harness: InProcessServer;
  clients: { client: Client; socket: FakeSocket }[];
}

function modelMatch(pattern: string, channel: string): boolean {
  const expression = new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return expression.test(channel);
}

function countOf(model: Model, index: number): number {
  return model.channels[index].size + model.patterns[index].size;
}

/** Runs argv on client `index` and returns every frame it received (replies and messages). */
function runAll(real: Real, index: number, argv: string[]): unknown[] {
  return real.harness.runRaw(real.clients[index].client, Buffer.from(`${argv.join(' ')}\r\n`));
}

class Subscribe implements fc.Command<Model, Real> {
  constructor(readonly index: number, readonly channel: string, readonly isPattern: boolean) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    const set = this.isPattern ? model.patterns[this.index] : model.channels[this.index];
    set.add(this.channel);
    const kind = this.isPattern ? 'psubscribe' : 'subscribe';
    expect(runAll(real, this.index, [kind.toUpperCase(), this.channel])).toEqual([{ push: [kind, this.channel, countOf(model, this.index)] }]);
  }
  toString(): string { return `client${this.index} ${this.isPattern ? 'PSUBSCRIBE' : 'SUBSCRIBE'} ${this.channel}`; }
}

class Unsubscribe implements fc.Command<Model, Real> {
  constructor(readonly index: number, readonly channel: string, readonly isPattern: boolean) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    const set = this.isPattern ? model.patterns[this.index] : model.channels[this.index];
    set.delete(this.channel);
    const kind = this.isPattern ? 'punsubscribe' : 'unsubscribe';
    expect(runAll(real, this.index, [kind.toUpperCase(), this.channel])).toEqual([{ push: [kind, this.channel, countOf(model, this.index)] }]);
  }
  toString(): string { return `client${this.index} ${this.isPattern ? 'PUNSUBSCRIBE' : 'UNSUBSCRIBE'} ${this.channel}`; }
}

class Publish implements fc.Command<Model, Real> {
  constructor(readonly index: number, readonly channel: string, readonly message: string) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    const expected: unknown[][] = model.channels.map(() => []);
    let receivers = 0;
    model.channels.forEach((channels, index) => {
      if (channels.has(this.channel)) {
        expected[index].push({ push: ['message', this.channel, this.message] });
        receivers++;
      }
    });
    model.patterns.forEach((patterns, index) => {
      for (const pattern of [...patterns].filter((candidate) => modelMatch(candidate, this.channel))) {
        expected[index].push({ push: ['pmessage', pattern, this.channel, this.message] });
        receivers++;
      }
    });
    const publisherFrames = runAll(real, this.index, ['PUBLISH', this.channel, this.message]);
    // The publisher's own messages (if it listens) come before PUBLISH's reply, as in Redis.
    expect(publisherFrames.at(-1)).toBe(receivers);
    real.clients.forEach(({ client, socket }, index) => {
      client.flush();
      const frames = index === this.index ? publisherFrames.slice(0, -1) : decodeAll(socket.drain()).values.map(readable);
      const sortedFrames = [...frames].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      const sortedExpected = [...expected[index]].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      expect(sortedFrames, `client${index}`).toEqual(sortedExpected);
    });
  }
  toString(): string { return `client${this.index} PUBLISH ${this.channel} ${this.message}`; }
}

class Introspect implements fc.Command<Model, Real> {
  constructor(readonly channel: string) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    const subscribers = model.channels.filter((channels) => channels.has(this.channel)).length;
    const patterns = new Set(model.patterns.flatMap((set) => [...set])).size;
    expect(real.harness.run(real.clients[0].client, ['PUBSUB', 'NUMSUB', this.channel])).toEqual([this.channel, subscribers]);
    expect(real.harness.run(real.clients[0].client, ['PUBSUB', 'NUMPAT'])).toBe(patterns);
  }
  toString(): string { return `PUBSUB NUMSUB ${this.channel} / NUMPAT`; }
}

const index = fc.integer({ min: 0, max: CLIENT_COUNT - 1 });
const channel = fc.constantFrom('news', 'nets', 'sport');
const pattern = fc.constantFrom('n*', '?ews', 'sport', '*');
const message = fc.constantFrom('m1', 'm2');
const commands = fc.commands([
  fc.tuple(index, channel).map(([i, c]) => new Subscribe(i, c, false)),
  fc.tuple(index, pattern).map(([i, p]) => new Subscribe(i, p, true)),
  fc.tuple(index, channel).map(([i, c]) => new Unsubscribe(i, c, false)),
  fc.tuple(index, pattern).map(([i, p]) => new Unsubscribe(i, p, true)),
  fc.tuple(index, channel, message).map(([i, c, m]) => new Publish(i, c, m)),
  channel.map((c) => new Introspect(c)),
], { maxCommands: 50, size: 'max' });

describe('pub/sub (model-based)', () => {
  test('deliveries, counts and introspection match a model of subscriptions', () => {
    fc.assert(fc.property(commands, (sequence) => {
      const harness = createInProcessServer();
      const clients = Array.from({ length: CLIENT_COUNT }, () => harness.connect());
      for (const { client } of clients) harness.run(client, ['HELLO', '3']);
      fc.modelRun(() => ({
        model: { channels: clients.map(() => new Set<string>()), patterns: clients.map(() => new Set<string>()) },
        real: { harness, clients },
      }), sequence);
    }), { numRuns: 100 });
  });
});
