/**
 * CLIENT subcommands: ID, SETNAME, GETNAME, SETINFO, LIST, INFO, KILL, PAUSE, UNPAUSE, REPLY,
 * NO-EVICT, NO-TOUCH, TRACKING (refused: not supported), GETREDIR, HELP.
 * Why Redis's formats exactly: CLIENT LIST lines are parsed by tools (redis-cli, monitoring);
 * field names and order are Redis 7.2's. Fields we have no equivalent for are reported as
 * Redis reports an idle client (fd=-1 style values are avoided: we print plausible zeros).
 * Invariant: CLIENT REPLY OFF/SKIP write no reply (the documented exception to "one reply per
 * command"); killing yourself closes the connection after this reply.
 * Not here: the pause mechanism itself (server.ts), client state (connection.ts).
 */

import type { CommandContext, CommandSpec } from '../command-types.js';
import type { Client } from '../connection.js';
import {
  CLIENT_NAME_INVALID_ERROR,
  CLIENT_TIMEOUT_INVALID_ERROR,
  CLIENT_TRACKING_UNSUPPORTED_ERROR,
  NO_SUCH_CLIENT_ERROR,
  SYNTAX_ERROR,
  TIMEOUT_NEGATIVE_ERROR,
  clientSetinfoInvalidError,
  sanitizeForReply,
} from '../errors.js';
import { parseStrictInteger } from '../resp/request-parser.js';
import { defineCommand, containerCommand } from './define.js';
import { clientOf, isValidClientName, writeHelp } from './common.js';

function argumentText(argument: Buffer): string {
  return argument.toString('latin1');
}

/** Redis's client flags letters (CLIENT LIST `flags=`). */
function clientFlags(client: Client): string {
  let flags = '';
  if (client.subscriptionCount > 0) flags += 'P';
  if (client.isInMulti) flags += 'x';
  if (client.isWatchDirty) flags += 'd';
  if (client.isNoEvict) flags += 'e';
  if (client.isNoTouch) flags += 'T';
  return flags === '' ? 'N' : flags;
}

/** One CLIENT LIST / CLIENT INFO line, without the trailing newline. */
export function describeClientLine(client: Client, nowMs: number): string {
  const queryBytes = client.parser.bufferedBytes;
  const outputBytes = client.pendingOutputBytes;
  return [
    `id=${client.id}`,
    `addr=${client.remoteAddress}`,
    `laddr=${client.localAddress}`,
    `fd=${client.id + 7}`,
    `name=${client.name}`,
    `age=${Math.floor((nowMs - client.createdMs) / 1000)}`,
    `idle=${Math.floor((nowMs - client.lastInteractionMs) / 1000)}`,
    `flags=${clientFlags(client)}`,
    `db=${client.db}`,
    `sub=${client.channels.size}`,
    `psub=${client.patterns.size}`,
    'ssub=0',
    `multi=${client.multiQueue === null ? -1 : client.multiQueue.length}`,
    `qbuf=${queryBytes}`,
    'qbuf-free=0',
    'argv-mem=0',
    'multi-mem=0',
    `rbs=${client.reply.capacityBytes}`,
    'rbp=0',
    `obl=${client.reply.length}`,
    'oll=0',
    `omem=${outputBytes}`,
    `tot-mem=${queryBytes + outputBytes + client.reply.capacityBytes}`,
    `events=r${outputBytes > 0 ? 'w' : ''}`,
    `cmd=${client.lastCommandName}`,
    `user=${client.user}`,
    'redir=-1',
    `resp=${client.reply.protocol}`,
    `lib-name=${client.libName}`,
    `lib-ver=${client.libVersion}`,
  ].join(' ');
}

type ClientType = 'normal' | 'pubsub' | 'replica' | 'master';

function parseClientType(text: string): ClientType | null {
  switch (text.toLowerCase()) {
    case 'normal': return 'normal';
    case 'pubsub': return 'pubsub';
    case 'replica': case 'slave': return 'replica';
    case 'master': return 'master';
    default: return null;
  }
}

function typeOf(client: Client): ClientType {
  return client.subscriptionCount > 0 ? 'pubsub' : 'normal';
}

function idCommand(context: CommandContext): void {
  context.reply.integer(clientOf(context).id);
}

function setnameCommand(context: CommandContext, argv: readonly Buffer[]): void {
  if (!isValidClientName(argv[2])) {
    context.reply.error(CLIENT_NAME_INVALID_ERROR);
    return;
  }
  clientOf(context).name = argumentText(argv[2]);
  context.reply.simple('OK');
}

function getnameCommand(context: CommandContext): void {
  const client = clientOf(context);
  if (client.name === '') context.reply.nullBulk();
  else context.reply.bulk(Buffer.from(client.name, 'latin1'));
}

function setinfoCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const client = clientOf(context);
  const attribute = argumentText(argv[2]).toLowerCase();
  if (attribute !== 'lib-name' && attribute !== 'lib-ver') {
    context.reply.error(`ERR Unrecognized option '${sanitizeForReply(argumentText(argv[2]))}'`);
    return;
  }
  if (!isValidClientName(argv[3])) {
    context.reply.error(clientSetinfoInvalidError(attribute));
    return;
  }
  if (attribute === 'lib-name') client.libName = argumentText(argv[3]);
  else client.libVersion = argumentText(argv[3]);
  context.reply.simple('OK');
}

function listCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const client = clientOf(context);
  let type: ClientType | null = null;
  let ids: Set<number> | null = null;
  for (let index = 2; index < argv.length; index++) {
    const option = argumentText(argv[index]).toLowerCase();
    if (option === 'type' && index + 1 < argv.length) {
      type = parseClientType(argumentText(argv[index + 1]));
      if (type === null) {
        context.reply.error(`ERR Unknown client type '${sanitizeForReply(argumentText(argv[index + 1]))}'`);
        return;
      }
      index++;
    } else if (option === 'id' && index + 1 < argv.length) {
      ids = new Set();
      for (index++; index < argv.length; index++) {
        const id = parseStrictInteger(argv[index], 0, argv[index].length);
        if (id === null || id <= 0) {
          context.reply.error('ERR Invalid client ID');
          return;
        }
        ids.add(id);
      }
    } else {
      context.reply.error(SYNTAX_ERROR);
      return;
    }
  }
  let text = '';
  for (const other of client.server.clients.values()) {
    if (type !== null && typeOf(other) !== type) continue;
    if (ids !== null && !ids.has(other.id)) continue;
    text += `${describeClientLine(other, context.nowMs)}\n`;
  }
  context.reply.verbatim(text);
}

function infoCommand(context: CommandContext): void {
  context.reply.verbatim(`${describeClientLine(clientOf(context), context.nowMs)}\n`);
}

interface KillFilter {
  id: number | null;
  type: ClientType | null;
  user: string | null;
  addr: string | null;
  laddr: string | null;
  isSkipMe: boolean;
  maxAgeSeconds: number | null;
}

/** Parses the CLIENT KILL filter form; returns an error text or the filter. */
function parseKillFilter(argv: readonly Buffer[]): KillFilter | string {
  const filter: KillFilter = { id: null, type: null, user: null, addr: null, laddr: null, isSkipMe: true, maxAgeSeconds: null };
  if ((argv.length - 2) % 2 !== 0) return SYNTAX_ERROR;
  for (let index = 2; index < argv.length; index += 2) {
    const option = argumentText(argv[index]).toLowerCase();
    const value = argumentText(argv[index + 1]);
    switch (option) {
      case 'id': {
        const id = parseStrictInteger(argv[index + 1], 0, argv[index + 1].length);
        if (id === null || id <= 0) return 'ERR client-id should be greater than 0';
        filter.id = id;
        break;
      }
      case 'type': {
        const type = parseClientType(value);
        if (type === null) return `ERR Unknown client type '${sanitizeForReply(value)}'`;
        filter.type = type;
        break;
      }
      case 'user': filter.user = value; break;
      case 'addr': filter.addr = value; break;
      case 'laddr': filter.laddr = value; break;
      case 'skipme': {
        const lowered = value.toLowerCase();
        if (lowered !== 'yes' && lowered !== 'no') return SYNTAX_ERROR;
        filter.isSkipMe = lowered === 'yes';
        break;
      }
      case 'maxage': {
        const age = parseStrictInteger(argv[index + 1], 0, argv[index + 1].length);
        if (age === null) return SYNTAX_ERROR;
        filter.maxAgeSeconds = age;
        break;
      }
      default: return SYNTAX_ERROR;
    }
  }
  return filter;
}

function matchesKillFilter(filter: KillFilter, candidate: Client, self: Client, nowMs: number): boolean {
  if (filter.id !== null && candidate.id !== filter.id) return false;
  if (filter.type !== null && typeOf(candidate) !== filter.type) return false;
  if (filter.user !== null && candidate.user !== filter.user) return false;
  if (filter.addr !== null && candidate.remoteAddress !== filter.addr) return false;
  if (filter.laddr !== null && candidate.localAddress !== filter.laddr) return false;
  if (filter.isSkipMe && candidate === self) return false;
  if (filter.maxAgeSeconds !== null && (nowMs - candidate.createdMs) / 1000 < filter.maxAgeSeconds) return false;
  return true;
}

function killClient(self: Client, victim: Client): void {
  if (victim === self) self.closeAfterReply('killed');
  else {
    victim.flush();
    victim.close('killed');
  }
}

function killCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const self = clientOf(context);
  if (argv.length === 3) {
    // Old form: CLIENT KILL addr:port.
    const address = argumentText(argv[2]);
    const victim = [...self.server.clients.values()].find((candidate) => candidate.remoteAddress === address);
    if (victim === undefined) {
      context.reply.error(NO_SUCH_CLIENT_ERROR);
      return;
    }
    context.reply.simple('OK');
    killClient(self, victim);
    return;
  }
  const filter = parseKillFilter(argv);
  if (typeof filter === 'string') {
    context.reply.error(filter);
    return;
  }
  const victims = [...self.server.clients.values()].filter((candidate) => matchesKillFilter(filter, candidate, self, context.nowMs));
  context.reply.integer(victims.length);
  for (const victim of victims) killClient(self, victim);
}

function pauseCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const client = clientOf(context);
  const timeoutMs = parseStrictInteger(argv[2], 0, argv[2].length);
  if (timeoutMs === null) {
    context.reply.error(CLIENT_TIMEOUT_INVALID_ERROR);
    return;
  }
  if (timeoutMs < 0) {
    context.reply.error(TIMEOUT_NEGATIVE_ERROR);
    return;
  }
  let mode: 'all' | 'write' = 'all';
  if (argv.length === 4) {
    const option = argumentText(argv[3]).toLowerCase();
    if (option === 'write') mode = 'write';
    else if (option !== 'all') {
      context.reply.error('ERR CLIENT PAUSE mode must be WRITE or ALL');
      return;
    }
  } else if (argv.length > 4) {
    context.reply.error(SYNTAX_ERROR);
    return;
  }
  client.server.pause(mode, context.nowMs + timeoutMs);
  context.reply.simple('OK');
}

function unpauseCommand(context: CommandContext): void {
  clientOf(context).server.unpause();
  context.reply.simple('OK');
}

function replyCommand(context: CommandContext, argv: readonly Buffer[]): void {
  const client = clientOf(context);
  switch (argumentText(argv[2]).toLowerCase()) {
    case 'on':
      client.replyMode = 'on';
      client.isReplySkipNext = false;
      context.reply.simple('OK');
      return;
    case 'off':
      client.replyMode = 'off';
      return;
    case 'skip':
      if (client.replyMode === 'on') client.isReplySkipNext = true;
      return;
    default:
      context.reply.error(SYNTAX_ERROR);
  }
}

function onOffCommand(apply: (client: Client, isOn: boolean) => void) {
  return (context: CommandContext, argv: readonly Buffer[]): void => {
    const option = argumentText(argv[2]).toLowerCase();
    if (option !== 'on' && option !== 'off') {
      context.reply.error(SYNTAX_ERROR);
      return;
    }
    apply(clientOf(context), option === 'on');
    context.reply.simple('OK');
  };
}

function trackingCommand(context: CommandContext): void {
  context.reply.error(CLIENT_TRACKING_UNSUPPORTED_ERROR);
}

function getredirCommand(context: CommandContext): void {
  context.reply.integer(-1);
}

const CLIENT_HELP_LINES = [
  'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  '    * ID <client-id>',
  '      Kill connections by client id.',
  '    * MAXAGE <maxage>',
  '      Kill connections older than the specified age.',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'SETINFO <option> <value>',
  '    Set client meta attr. Options are:',
  '    * LIB-NAME: the client lib name.',
  '    * LIB-VER: the client lib version.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
  'NO-TOUCH (ON|OFF)',
  '    Will not touch LRU/LFU stats when this mode is on.',
  'HELP',
  '    Print this help.',
];

function helpCommand(context: CommandContext): void {
  writeHelp(context, CLIENT_HELP_LINES);
}

const group = 'connection';
const CLIENT_SUBCOMMANDS: readonly CommandSpec[] = [
  defineCommand({ name: 'ID', arity: 2, flags: ['noscript', 'loading', 'stale'], group, summary: 'Returns the unique client ID of the connection.', run: idCommand }),
  defineCommand({ name: 'SETNAME', arity: 3, flags: ['noscript', 'loading', 'stale'], group, summary: 'Sets the connection name.', run: setnameCommand }),
  defineCommand({ name: 'GETNAME', arity: 2, flags: ['noscript', 'loading', 'stale'], group, summary: 'Returns the name of the connection.', run: getnameCommand }),
  defineCommand({ name: 'SETINFO', arity: 4, flags: ['noscript', 'loading', 'stale'], group, summary: 'Sets information specific to the client or connection.', run: setinfoCommand }),
  defineCommand({ name: 'LIST', arity: -2, flags: ['admin', 'noscript', 'loading', 'stale'], group, summary: 'Lists open connections.', run: listCommand }),
  defineCommand({ name: 'INFO', arity: 2, flags: ['noscript', 'loading', 'stale'], group, summary: 'Returns information about the connection.', run: infoCommand }),
  defineCommand({ name: 'KILL', arity: -3, flags: ['admin', 'noscript', 'loading', 'stale'], group, summary: 'Terminates open connections.', run: killCommand }),
  defineCommand({ name: 'PAUSE', arity: -3, flags: ['admin', 'noscript', 'loading', 'stale'], group, summary: 'Suspends commands processing.', run: pauseCommand }),
  defineCommand({ name: 'UNPAUSE', arity: 2, flags: ['admin', 'noscript', 'loading', 'stale'], group, summary: 'Resumes processing commands from paused clients.', run: unpauseCommand }),
  defineCommand({ name: 'REPLY', arity: 3, flags: ['noscript', 'loading', 'stale'], group, summary: 'Instructs the server whether to reply to commands.', run: replyCommand }),
  defineCommand({ name: 'NO-EVICT', arity: 3, flags: ['admin', 'noscript', 'loading', 'stale'], group, summary: 'Sets the client eviction mode of the connection.', run: onOffCommand((client, isOn) => { client.isNoEvict = isOn; }) }),
  defineCommand({ name: 'NO-TOUCH', arity: 3, flags: ['noscript', 'loading', 'stale'], group, summary: 'Controls whether commands sent by the client affect the LRU/LFU of accessed keys.', run: onOffCommand((client, isOn) => { client.isNoTouch = isOn; }) }),
  defineCommand({ name: 'TRACKING', arity: -3, flags: ['noscript', 'loading', 'stale'], group, summary: 'Controls server-assisted client-side caching (not supported).', run: trackingCommand }),
  defineCommand({ name: 'GETREDIR', arity: 2, flags: ['noscript', 'loading', 'stale'], group, summary: 'Returns the client ID to which the connection\'s tracking notifications are redirected.', run: getredirCommand }),
  defineCommand({ name: 'HELP', arity: 2, flags: ['loading', 'stale'], group, summary: 'Returns helpful text about the different subcommands.', run: helpCommand }),
];

export const CLIENT_COMMANDS: readonly CommandSpec[] = [
  defineCommand({ name: 'CLIENT', arity: -2, flags: [], group, summary: 'A container for client connection commands.', run: containerCommand(), subcommands: CLIENT_SUBCOMMANDS }),
];
