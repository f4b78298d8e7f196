/**
 * Pub/sub commands: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH and PUBSUB
 * CHANNELS/NUMSUB/NUMPAT/SHARDCHANNELS/SHARDNUMSUB/HELP.
 * Replies are Redis's: one `subscribe`/`unsubscribe` frame per channel, with the client's
 * subscription count; RESP2 arrays or RESP3 push frames (ReplyWriter.pushHeader decides).
 * Patterns use Redis's glob matcher (src/store/glob.ts), like Redis's stringmatchlen.
 * Sharded pub/sub (SSUBSCRIBE...) is cluster-only in spirit; SHARD* introspection answers as an
 * instance without shard channels does.
 * Not here: the registry and delivery (pubsub-hub.ts).
 */

import type { CommandContext, CommandSpec } from '../command-types.js';
import type { Client } from '../connection.js';
import { clientOf, writeHelp } from './common.js';
import { containerCommand, defineCommand } from './define.js';

const SUBSCRIBE = Buffer.from('subscribe');
const UNSUBSCRIBE = Buffer.from('unsubscribe');
const PSUBSCRIBE = Buffer.from('psubscribe');
const PUNSUBSCRIBE = Buffer.from('punsubscribe');

function writeSubscriptionFrame(client: Client, kind: Buffer, name: Buffer | null): void {
  client.reply.pushHeader(3);
  client.reply.bulk(kind);
  if (name === null) client.reply.nullBulk();
  else client.reply.bulk(name);
  client.reply.integer(client.subscriptionCount);
}

function subscribeCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const client = clientOf(context);
  for (let index = 1; index < argv.length; index++) {
    client.server.pubsub.subscribe(client, argv[index]);
    writeSubscriptionFrame(client, SUBSCRIBE, argv[index]);
  }
}

function psubscribeCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const client = clientOf(context);
  for (let index = 1; index < argv.length; index++) {
    client.server.pubsub.psubscribe(client, argv[index]);
    writeSubscriptionFrame(client, PSUBSCRIBE, argv[index]);
  }
}

function unsubscribeCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const client = clientOf(context);
  const hub = client.server.pubsub;
  if (argv.length === 1) {
    const channels = [...client.channels];
    if (channels.length === 0) writeSubscriptionFrame(client, UNSUBSCRIBE, null);
    for (const channel of channels) {
      hub.unsubscribe(client, channel);
      writeSubscriptionFrame(client, UNSUBSCRIBE, Buffer.from(channel, 'latin1'));
    }
    return;
  }
  for (let index = 1; index < argv.length; index++) {
    hub.unsubscribe(client, argv[index]);
    writeSubscriptionFrame(client, UNSUBSCRIBE, argv[index]);
  }
}

function punsubscribeCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const client = clientOf(context);
  const hub = client.server.pubsub;
  if (argv.length === 1) {
    const patterns = [...client.patterns];
    if (patterns.length === 0) writeSubscriptionFrame(client, PUNSUBSCRIBE, null);
    for (const pattern of patterns) {
      hub.punsubscribe(client, pattern);
      writeSubscriptionFrame(client, PUNSUBSCRIBE, Buffer.from(pattern, 'latin1'));
    }
    return;
  }
  for (let index = 1; index < argv.length; index++) {
    hub.punsubscribe(client, argv[index]);
    writeSubscriptionFrame(client, PUNSUBSCRIBE, argv[index]);
  }
}

function publishCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const receiverCount = clientOf(context).server.pubsub.publish(argv[1], argv[2]);
  context.reply.integer(receiverCount);
}

function channelsCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const channels = clientOf(context).server.pubsub.channels(argv.length === 3 ? argv[2] : null);
  context.reply.arrayHeader(channels.length);
  for (const channel of channels) context.reply.bulk(channel);
}

function numsubCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const hub = clientOf(context).server.pubsub;
  // Redis answers a flat array here, in RESP3 too.
  context.reply.arrayHeader((argv.length - 2) * 2);
  for (let index = 2; index < argv.length; index++) {
    context.reply.bulk(argv[index]);
    context.reply.integer(hub.subscriberCount(argv[index]));
  }
}

function numpatCommand(context: CommandContext): void {
  context.reply.integer(clientOf(context).server.pubsub.patternCount);
}

function shardchannelsCommand(context: CommandContext): void {
  context.reply.arrayHeader(0);
}

function shardnumsubCommand(context: CommandContext, argv: readonly Buffer[]): void {
  context.reply.arrayHeader((argv.length - 2) * 2);
  for (let index = 2; index < argv.length; index++) {
    context.reply.bulk(argv[index]);
    context.reply.integer(0);
  }
}

const PUBSUB_HELP_LINES = [
  'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
  'HELP',
  '    Print this help.',
];

const group = 'pubsub';
const PUBSUB_SUBCOMMANDS: readonly CommandSpec[] = [
  defineCommand({ name: 'CHANNELS', arity: -2, flags: ['pubsub', 'loading', 'stale'], group, summary: 'Returns the active channels.', run: channelsCommand }),
  defineCommand({ name: 'NUMSUB', arity: -2, flags: ['pubsub', 'loading', 'stale'], group, summary: 'Returns a count of subscribers to channels.', run: numsubCommand }),
  defineCommand({ name: 'NUMPAT', arity: 2, flags: ['pubsub', 'loading', 'stale'], group, summary: 'Returns a count of unique pattern subscriptions.', run: numpatCommand }),
  defineCommand({ name: 'SHARDCHANNELS', arity: -2, flags: ['pubsub', 'loading', 'stale'], group, summary: 'Returns the active shard channels.', run: shardchannelsCommand }),
  defineCommand({ name: 'SHARDNUMSUB', arity: -2, flags: ['pubsub', 'loading', 'stale'], group, summary: 'Returns the count of subscribers of shard channels.', run: shardnumsubCommand }),
  defineCommand({ name: 'HELP', arity: 2, flags: ['loading', 'stale'], group, summary: 'Returns helpful text about the different subcommands.', run: (context) => writeHelp(context, PUBSUB_HELP_LINES) }),
];

export const PUBSUB_COMMANDS: readonly CommandSpec[] = [
  defineCommand({ name: 'SUBSCRIBE', arity: -2, flags: ['pubsub', 'noscript', 'loading', 'stale'], group, summary: 'Listens for messages published to channels.', run: subscribeCommand }),
  defineCommand({ name: 'UNSUBSCRIBE', arity: -1, flags: ['pubsub', 'noscript', 'loading', 'stale'], group, summary: 'Stops listening to messages posted to channels.', run: unsubscribeCommand }),
  defineCommand({ name: 'PSUBSCRIBE', arity: -2, flags: ['pubsub', 'noscript', 'loading', 'stale'], group, summary: 'Listens for messages published to channels that match one or more patterns.', run: psubscribeCommand }),
  defineCommand({ name: 'PUNSUBSCRIBE', arity: -1, flags: ['pubsub', 'noscript', 'loading', 'stale'], group, summary: 'Stops listening to messages published to channels that match one or more patterns.', run: punsubscribeCommand }),
  defineCommand({ name: 'PUBLISH', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast'], group, summary: 'Posts a message to a channel.', run: publishCommand }),
  defineCommand({ name: 'PUBSUB', arity: -2, flags: [], group, summary: 'A container for Pub/Sub commands.', run: containerCommand(), subcommands: PUBSUB_SUBCOMMANDS }),
];
