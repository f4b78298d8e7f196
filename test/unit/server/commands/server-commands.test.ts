import { describe, expect, test } from 'vitest';
import { createInProcessServer } from '../../../helpers/in-process-server.js';

describe('server-side commands in process', () => {
  test('INFO selects sections as Redis 7 does', () => {
    const { connect, run } = createInProcessServer();
    const { client } = connect();
    const titles = (text: unknown): string[] => [...String(text).matchAll(/^# (\w+)\r$/gm)].map((match) => match[1]);
    expect(titles(run(client, ['INFO']))).toEqual(['Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'CPU', 'Modules', 'Errorstats', 'Cluster', 'Keyspace', 'Cowkv']);
    expect(titles(run(client, ['INFO', 'clients', 'CPU']))).toEqual(['Clients', 'CPU']);
    expect(titles(run(client, ['INFO', 'default', 'commandstats']))).toContain('Commandstats');
    expect(titles(run(client, ['INFO', 'all']))).toContain('Commandstats');
    expect(run(client, ['INFO', 'nosuchsection'])).toBe('');
  });

  test('rdb_changes_since_last_save counts a flush as the keys it removed and a swap as one, as Redis 7.0.15 did', () => {
    const { connect, run } = createInProcessServer();
    const { client } = connect();
    const changes = (): number => Number(/rdb_changes_since_last_save:(\d+)/.exec(String(run(client, ['INFO', 'persistence'])))![1]);
    const countOf = (argv: string[]): number => {
      const before = changes();
      run(client, argv);
      return changes() - before;
    };
    expect(countOf(['FLUSHALL'])).toBe(0);
    expect(countOf(['MSET', 'a', '1', 'b', '2', 'c', '3'])).toBe(3);
    run(client, ['SELECT', '1']);
    expect(countOf(['SET', 'd', '1'])).toBe(1);
    expect(countOf(['SWAPDB', '0', '1'])).toBe(1);
    expect(countOf(['SWAPDB', '1', '1'])).toBe(1);
    expect(countOf(['FLUSHDB'])).toBe(3);
    expect(countOf(['FLUSHDB'])).toBe(0);
    run(client, ['SET', 'e', '1']);
    expect(countOf(['FLUSHALL'])).toBe(2);
  });

  test('INFO cowkv says whether the heap was restored with huge pages (a fresh heap was not)', () => {
    const { connect, run } = createInProcessServer();
    const { client } = connect();
    expect(String(run(client, ['INFO', 'cowkv']))).toMatch(/\r\nrestored_with_huge_pages:0\r\n/);
  });

  test('INFO keyspace lists databases with keys', () => {
    const { connect, run } = createInProcessServer();
    const { client } = connect();
    run(client, ['SET', 'a', '1']);
    run(client, ['SELECT', '5']);
    run(client, ['SET', 'b', '1']);
    expect(run(client, ['INFO', 'keyspace'])).toBe('# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\ndb5:keys=1,expires=0,avg_ttl=0\r\n');
  });

  test('CONFIG GET answers a map in RESP3 and matches glob patterns case-insensitively', () => {
    const { connect, run } = createInProcessServer();
    const { client } = connect();
    run(client, ['HELLO', '3']);
    expect(run(client, ['CONFIG', 'GET', 'MAXMEMORY-P*'])).toEqual({ map: [['maxmemory-policy', 'noeviction']] });
    expect(run(client, ['CONFIG', 'GET', 'nomatch*'])).toEqual({ map: [] });
  });

  test('enable-protected-configs local lets only loopback clients change dir', () => {
    const { connect, run } = createInProcessServer({ 'enable-protected-configs': 'local' });
    const local = connect('127.0.0.1').client;
    const remote = connect('10.0.0.8').client;
    expect(run(remote, ['CONFIG', 'SET', 'dbfilename', 'x.snap'])).toEqual({ error: "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config" });
    expect(run(local, ['CONFIG', 'SET', 'dbfilename', 'x.snap'])).toEqual({ simple: 'OK' });
  });

  test('DEBUG is refused for remote clients when enable-debug-command is local', () => {
    const { connect, run } = createInProcessServer();
    const local = connect('127.0.0.1').client;
    const remote = connect('10.0.0.8').client;
    expect(run(local, ['DEBUG', 'DIGEST'])).toEqual({ simple: '0000000000000000000000000000000000000000' });
    expect(run(remote, ['DEBUG', 'DIGEST'])).toEqual({ error: expect.stringMatching(/^ERR DEBUG command not allowed/) });
    expect(run(local, ['DEBUG', 'NOPE'])).toEqual({ error: "ERR unknown subcommand or wrong number of arguments for 'NOPE'. Try DEBUG HELP." });
    expect(run(local, ['DEBUG', 'SLEEP', '0'])).toEqual({ simple: 'OK' });
  });

  test('COMMAND GETKEYS and LIST FILTERBY work from the table', () => {
    const { connect, run } = createInProcessServer();
    const { client } = connect();
    expect(run(client, ['COMMAND', 'GETKEYS', 'SET', 'k', 'v'])).toEqual(['k']);
    expect(run(client, ['COMMAND', 'GETKEYS', 'PING'])).toEqual({ error: 'ERR The command has no key arguments' });
    const listed = run(client, ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'client|*']) as string[];
    expect(listed).toContain('client|list');
    expect(listed.every((name) => name.startsWith('client|'))).toBe(true);
  });

  test('HELLO validates its arguments', () => {
    const { connect, run } = createInProcessServer();
    const { client } = connect();
    expect(run(client, ['HELLO', 'x'])).toEqual({ error: 'ERR Protocol version is not an integer or out of range' });
    expect(run(client, ['HELLO', '3', 'BOGUS'])).toEqual({ error: "ERR Syntax error in HELLO option 'BOGUS'" });
    expect(run(client, ['HELLO', '2', 'AUTH', 'nobody', 'x'])).toEqual({ error: 'WRONGPASS invalid username-password pair or user is disabled.' });
    const hello = run(client, ['HELLO']) as unknown[];
    expect(hello.slice(0, 6)).toEqual(['server', 'redis', 'version', '7.2.0', 'proto', 2]);
  });

  test('TIME answers seconds and microseconds as bulk strings', () => {
    const { connect, run } = createInProcessServer();
    const { client } = connect();
    const [seconds, micros] = run(client, ['TIME']) as string[];
    expect(Math.abs(Number(seconds) - Date.now() / 1000)).toBeLessThan(60);
    expect(Number(micros)).toBeGreaterThanOrEqual(0);
    expect(Number(micros)).toBeLessThan(1_000_000);
  });

  test('PUBSUB CHANNELS lists active channels matching a pattern', () => {
    const { connect, run } = createInProcessServer();
    const subscriber = connect().client;
    const other = connect().client;
    run(subscriber, ['SUBSCRIBE', 'news.a', 'news.b', 'sport']);
    expect((run(other, ['PUBSUB', 'CHANNELS', 'news.*']) as string[]).sort()).toEqual(['news.a', 'news.b']);
    expect(run(other, ['PUBSUB', 'NUMSUB', 'sport', 'none'])).toEqual(['sport', 1, 'none', 0]);
  });

  test('a closed client leaves no subscriptions or watches behind', () => {
    const { server, connect, run } = createInProcessServer();
    const { client } = connect();
    run(client, ['WATCH', 'k']);
    run(client, ['SUBSCRIBE', 'c']);
    client.close('killed');
    expect(server.pubsub.channelCount).toBe(0);
    expect(server.watches.watchedKeyCount).toBe(0);
    expect(server.clients.has(client.id)).toBe(false);
  });

  test('SAVE and BGSAVE say so when the server has no snapshot service', () => {
    const { connect, run } = createInProcessServer();
    const { client } = connect();
    expect(run(client, ['SAVE'])).toEqual({ error: 'ERR snapshots are not available on this server' });
  });
});

describe('replication stubs of a standalone server', () => {
  test('ROLE answers master with no replicas and WAIT answers 0', () => {
    const { connect, run } = createInProcessServer();
    const { client } = connect();
    expect(run(client, ['ROLE'])).toEqual(['master', 0, []]);
    expect(run(client, ['WAIT', '1', '0'])).toBe(0);
    expect(run(client, ['WAIT', '1', '-1'])).toEqual({ error: 'ERR timeout is negative' });
  });
});

describe('MONITOR', () => {
  test('a monitor receives one quoted line per command, without admin commands', () => {
    const { connect, run } = createInProcessServer();
    const monitor = connect();
    const other = connect().client;
    expect(run(monitor.client, ['MONITOR'])).toEqual({ simple: 'OK' });
    run(other, ['SET', 'k', 'a "b"\n\u0001']);
    run(other, ['CONFIG', 'GET', 'hz']);
    run(other, ['GET', 'k']);
    monitor.client.flush();
    const lines = monitor.socket.drain().toString('latin1').split('\r\n').filter((line) => line !== '');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "SET" "k" "a \\"b\\"\\n\\x01"$/);
    expect(lines[1]).toMatch(/"GET" "k"$/);
  });
});

describe('INFO errorstats', () => {
  test('counts error replies by prefix, and CONFIG RESETSTAT clears them', () => {
    const { connect, run } = createInProcessServer();
    const { client } = connect();
    run(client, ['NOPE']);
    run(client, ['SET', 'k', 'v']);
    run(client, ['INCR', 'k']);
    run(client, ['HELLO', '4']);
    const text = String(run(client, ['INFO', 'errorstats']));
    expect(text).toBe('# Errorstats\r\nerrorstat_ERR:count=2\r\nerrorstat_NOPROTO:count=1\r\n');
    expect(String(run(client, ['INFO', 'stats']))).toMatch(/total_error_replies:\d+/);
    run(client, ['CONFIG', 'RESETSTAT']);
    expect(run(client, ['INFO', 'errorstats'])).toBe('# Errorstats\r\n');
  });
});
