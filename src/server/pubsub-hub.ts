/**
 * The pub/sub registry: which clients listen on which channels and patterns, and delivery of
 * PUBLISH messages in Redis's formats (RESP2 arrays, RESP3 push frames).
 * Why a separate object: subscriptions outlive commands and must be dropped when a client
 * goes away, whatever the reason; keeping both directions (channel → clients here, client →
 * channels on the Client) makes unsubscribe-all O(subscriptions of that client).
 * Invariants: `client.channels` has c ⇔ this.#channels.get(c) has client (same for patterns);
 * no empty sets are kept; a message is delivered to a client once per matching subscription
 * (a client on both a channel and a matching pattern gets two messages), as Redis does.
 * Not here: the command handlers and their replies (commands/pubsub.ts).
 */

import { globMatch } from '../store/glob.js';
import type { Client } from './connection.js';

const MESSAGE = Buffer.from('message');
const PMESSAGE = Buffer.from('pmessage');

interface PatternSubscribers {
  readonly pattern: Buffer;
  readonly clients: Set<Client>;
}

export class PubSubHub {
  readonly #channels = new Map<string, Set<Client>>();
  readonly #patterns = new Map<string, PatternSubscribers>();
  /** Called for each client that got a message, so its output is flushed soon. */
  readonly #onDelivered: (client: Client) => void;

  constructor(onDelivered: (client: Client) => void) {
    this.#onDelivered = onDelivered;
  }

  get channelCount(): number {
    return this.#channels.size;
  }

  get patternCount(): number {
    return this.#patterns.size;
  }

  /** Adds a channel subscription; false if the client already had it. */
  subscribe(client: Client, channel: Buffer): boolean {
    const name = channel.toString('latin1');
    if (client.channels.has(name)) return false;
    client.channels.add(name);
    let clients = this.#channels.get(name);
    if (clients === undefined) {
      clients = new Set();
      this.#channels.set(name, clients);
    }
    clients.add(client);
    return true;
  }

  /** Removes a channel subscription; false if the client did not have it. */
  unsubscribe(client: Client, channel: Buffer | string): boolean {
    const name = typeof channel === 'string' ? channel : channel.toString('latin1');
    if (!client.channels.delete(name)) return false;
    const clients = this.#channels.get(name);
    clients?.delete(client);
    if (clients?.size === 0) this.#channels.delete(name);
    return true;
  }

  psubscribe(client: Client, pattern: Buffer): boolean {
    const name = pattern.toString('latin1');
    if (client.patterns.has(name)) return false;
    client.patterns.add(name);
    let subscribers = this.#patterns.get(name);
    if (subscribers === undefined) {
      subscribers = { pattern: Buffer.from(pattern), clients: new Set() };
      this.#patterns.set(name, subscribers);
    }
    subscribers.clients.add(client);
    return true;
  }

  punsubscribe(client: Client, pattern: Buffer | string): boolean {
    const name = typeof pattern === 'string' ? pattern : pattern.toString('latin1');
    if (!client.patterns.delete(name)) return false;
    const subscribers = this.#patterns.get(name);
    subscribers?.clients.delete(client);
    if (subscribers?.clients.size === 0) this.#patterns.delete(name);
    return true;
  }

  /** Drops every subscription of a client that is going away (no replies). */
  removeClient(client: Client): void {
    for (const channel of [...client.channels]) this.unsubscribe(client, channel);
    for (const pattern of [...client.patterns]) this.punsubscribe(client, pattern);
  }

  /** PUBLISH: delivers to channel subscribers, then pattern subscribers; returns receivers. */
  publish(channel: Buffer, message: Buffer): number {
    let receiverCount = 0;
    const clients = this.#channels.get(channel.toString('latin1'));
    if (clients !== undefined) {
      for (const client of clients) {
        if (client.isClosed) continue;
        client.reply.pushHeader(3);
        client.reply.bulk(MESSAGE);
        client.reply.bulk(channel);
        client.reply.bulk(message);
        receiverCount++;
        this.#onDelivered(client);
      }
    }
    for (const subscribers of this.#patterns.values()) {
      if (!globMatch(subscribers.pattern, channel)) continue;
      for (const client of subscribers.clients) {
        if (client.isClosed) continue;
        client.reply.pushHeader(4);
        client.reply.bulk(PMESSAGE);
        client.reply.bulk(subscribers.pattern);
        client.reply.bulk(channel);
        client.reply.bulk(message);
        receiverCount++;
        this.#onDelivered(client);
      }
    }
    return receiverCount;
  }

  /** PUBSUB CHANNELS [pattern]: active channels (with at least one subscriber). */
  channels(pattern: Buffer | null): Buffer[] {
    const names: Buffer[] = [];
    for (const name of this.#channels.keys()) {
      const channel = Buffer.from(name, 'latin1');
      if (pattern === null || globMatch(pattern, channel)) names.push(channel);
    }
    return names;
  }

  /** PUBSUB NUMSUB: subscribers of one channel (patterns not counted, as in Redis). */
  subscriberCount(channel: Buffer): number {
    return this.#channels.get(channel.toString('latin1'))?.size ?? 0;
  }
}
