/**
 * INFO: the sections, their fields and Redis's text format (`# Section\r\nfield:value\r\n`,
 * sections separated by a blank line).
 * Field names are Redis 7's wherever a field means the same thing (tools and clients parse
 * them: redis_version, connected_clients, used_memory, rdb_*, role:master, db0:keys=...);
 * the `cowkv` section holds ours (page size, heap pages, shadow pool, pages copied).
 * `redis_version` is the Redis version we are compatible with (clients feature-detect on it);
 * `cowkv_version` is ours.
 * Other layers add or replace sections through Server.setInfoSection (the snapshot layer owns
 * `persistence` once it exists; until then this file reports "never saved").
 * Section selection is Redis 7's: no argument or `default` (the default sections), `all` and
 * `everything` (every section; we have no module sections, so they are the same), or any list
 * of section names, mixable with `default`; unknown names print nothing.
 */

import os from 'node:os';
import type { Server } from './server.js';
import { REDIS_COMPATIBLE_VERSION } from './commands/connection.js';

/** Sections `INFO` / `INFO default` prints, in order. */
export const DEFAULT_SECTIONS = [
  'server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'errorstats', 'cluster', 'keyspace', 'cowkv',
] as const;
/** Sections only printed when asked for (or by all/everything). */
const EXTRA_SECTIONS = ['commandstats', 'latencystats'] as const;

type Field = readonly [string, string | number];

function humanBytes(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T', 'P'];
  let value = bytes;
  let index = 0;
  while (value >= 1024 && index < units.length - 1) {
    value /= 1024;
    index++;
  }
  return index === 0 ? `${bytes}B` : `${value.toFixed(2)}${units[index]}`;
}

/** Random 40-hex id per process, like Redis's run_id. */
const RUN_ID = Array.from({ length: 40 }, () => Math.floor(Math.random() * 16).toString(16)).join('');

function serverSection(server: Server): Field[] {
  const nowMs = Date.now();
  const uptimeSeconds = Math.floor((nowMs - server.startTimeMs) / 1000);
  return [
    ['redis_version', REDIS_COMPATIBLE_VERSION],
    ['cowkv_version', server.version],
    ['redis_git_sha1', '00000000'],
    ['redis_git_dirty', 0],
    ['redis_mode', 'standalone'],
    ['os', `${os.type()} ${os.release()} ${os.arch()}`],
    ['arch_bits', process.arch.includes('64') ? 64 : 32],
    ['multiplexing_api', 'libuv'],
    ['node_version', process.version],
    ['process_id', process.pid],
    ['run_id', RUN_ID],
    ['tcp_port', server.port],
    ['server_time_usec', nowMs * 1000],
    ['uptime_in_seconds', uptimeSeconds],
    ['uptime_in_days', Math.floor(uptimeSeconds / 86400)],
    ['hz', server.config.values.hz],
    ['configured_hz', server.config.values.hz],
    ['executable', process.argv[1] ?? ''],
    ['config_file', server.config.configFilePath ?? ''],
    ['io_threads_active', 0],
  ];
}

function clientsSection(server: Server): Field[] {
  let pubsubClients = 0;
  let watchingClients = 0;
  let maxInputBytes = 0;
  let maxOutputBytes = 0;
  for (const client of server.clients.values()) {
    if (client.subscriptionCount > 0) pubsubClients++;
    if (client.watchedKeys.length > 0) watchingClients++;
    maxInputBytes = Math.max(maxInputBytes, client.parser.bufferedBytes);
    maxOutputBytes = Math.max(maxOutputBytes, client.pendingOutputBytes);
  }
  return [
    ['connected_clients', server.clients.size],
    ['cluster_connections', 0],
    ['maxclients', server.config.values.maxclients],
    ['client_recent_max_input_buffer', maxInputBytes],
    ['client_recent_max_output_buffer', maxOutputBytes],
    ['blocked_clients', server.postponedClients.size],
    ['tracking_clients', 0],
    ['pubsub_clients', pubsubClients],
    ['watching_clients', watchingClients],
    ['clients_in_timeout_table', 0],
    ['total_watched_keys', server.watches.watchedKeyCount],
    ['total_blocking_keys', 0],
  ];
}

function memorySection(server: Server): Field[] {
  const heapStats = server.store.heap.stats();
  const usedBytes = heapStats.heapBytes - heapStats.bytesFree;
  const memory = process.memoryUsage();
  const maxmemoryBytes = server.config.values.maxmemoryBytes;
  return [
    ['used_memory', usedBytes],
    ['used_memory_human', humanBytes(usedBytes)],
    ['used_memory_rss', memory.rss],
    ['used_memory_rss_human', humanBytes(memory.rss)],
    ['used_memory_dataset', heapStats.bytesAllocated],
    ['used_memory_js_heap', memory.heapUsed],
    ['total_system_memory', os.totalmem()],
    ['total_system_memory_human', humanBytes(os.totalmem())],
    ['maxmemory', maxmemoryBytes],
    ['maxmemory_human', humanBytes(maxmemoryBytes)],
    ['maxmemory_policy', server.config.values.maxmemoryPolicy],
    ['mem_fragmentation_ratio', heapStats.fragmentationRatio.toFixed(2)],
    ['mem_allocator', 'cowkv-paged-heap'],
  ];
}

function persistenceSection(server: Server): Field[] {
  return [
    ['loading', 0],
    ['async_loading', 0],
    ['rdb_changes_since_last_save', server.changeCount - server.persistence.changeCountAtLastSave],
    ['rdb_bgsave_in_progress', 0],
    ['rdb_last_save_time', Math.floor(server.persistence.lastSaveTimeMs / 1000)],
    ['rdb_last_bgsave_status', server.persistence.isLastBackgroundSaveFailed ? 'err' : 'ok'],
    ['rdb_last_bgsave_time_sec', -1],
    ['rdb_current_bgsave_time_sec', -1],
    ['rdb_saves', 0],
    ['rdb_last_cow_size', 0],
    ['aof_enabled', 0],
    ['aof_rewrite_in_progress', 0],
    ['aof_rewrite_scheduled', 0],
    ['aof_last_bgrewrite_status', 'ok'],
    ['aof_last_write_status', 'ok'],
  ];
}

function statsSection(server: Server): Field[] {
  const storeStats = server.store.stats();
  const stats = server.stats;
  return [
    ['total_connections_received', stats.connectionsReceived],
    ['total_commands_processed', stats.commandsProcessed],
    ['instantaneous_ops_per_sec', server.instantaneousOpsPerSecond],
    ['total_net_input_bytes', stats.netInputBytes],
    ['total_net_output_bytes', stats.netOutputBytes],
    ['rejected_connections', stats.rejectedConnections],
    ['expired_keys', storeStats.expiredKeys],
    ['evicted_keys', 0],
    ['keyspace_hits', storeStats.keyspaceHits],
    ['keyspace_misses', storeStats.keyspaceMisses],
    ['pubsub_channels', server.pubsub.channelCount],
    ['pubsub_patterns', server.pubsub.patternCount],
    ['pubsubshard_channels', 0],
    ['total_error_replies', stats.errorReplies],
    ['total_rejected_calls', stats.rejectedCalls],
    ['total_protocol_errors', stats.protocolErrors],
    ['client_query_buffer_limit_disconnections', stats.queryBufferLimitDisconnections],
    ['client_output_buffer_limit_disconnections', stats.outputBufferLimitDisconnections],
  ];
}

function replicationSection(): Field[] {
  return [
    ['role', 'master'],
    ['connected_slaves', 0],
    ['master_failover_state', 'no-failover'],
    ['master_replid', RUN_ID],
    ['master_replid2', '0000000000000000000000000000000000000000'],
    ['master_repl_offset', 0],
    ['second_repl_offset', -1],
    ['repl_backlog_active', 0],
    ['repl_backlog_size', 1048576],
    ['repl_backlog_first_byte_offset', 0],
    ['repl_backlog_histlen', 0],
  ];
}

function cpuSection(): Field[] {
  const usage = process.cpuUsage();
  const system = (usage.system / 1e6).toFixed(6);
  const user = (usage.user / 1e6).toFixed(6);
  return [
    ['used_cpu_sys', system],
    ['used_cpu_user', user],
    ['used_cpu_sys_children', '0.000000'],
    ['used_cpu_user_children', '0.000000'],
    ['used_cpu_sys_main_thread', system],
    ['used_cpu_user_main_thread', user],
  ];
}

function keyspaceSection(server: Server): Field[] {
  const databases = server.store.stats().databases;
  const fields: Field[] = [];
  databases.forEach((database, index) => {
    if (database.keys > 0) fields.push([`db${index}`, `keys=${database.keys},expires=${database.expires},avg_ttl=0`]);
  });
  return fields;
}

function cowkvSection(server: Server): Field[] {
  const heap = server.store.heap.stats();
  return [
    ['page_size', heap.pageSizeBytes],
    ['heap_pages', heap.pageCount],
    ['heap_pages_in_use', heap.pagesInUse],
    ['heap_segments', heap.segmentCount],
    ['heap_bytes', heap.heapBytes],
    ['heap_bytes_allocated', heap.bytesAllocated],
    ['heap_bytes_free', heap.bytesFree],
    ['heap_metadata_bytes', heap.metadataBytes],
    ['heap_allocations', heap.allocationCount],
    ['heap_fragmentation_ratio', heap.fragmentationRatio.toFixed(2)],
    ['shadow_pool_pages', heap.shadowPoolPageCount],
    ['shadow_pages_in_use', heap.shadowPagesInUse],
    ['shadow_pages_peak', heap.shadowPagesPeak],
    ['pages_copied', heap.pagesCopied],
    ['restored_with_huge_pages', heap.restoredWithHugePages ? 1 : 0],
    ['snapshot_strategy', server.config.values.snapshotStrategy],
    ['snapshot_epoch_open', server.store.heap.isEpochOpen ? 1 : 0],
  ];
}

function commandstatsSection(server: Server): Field[] {
  return server.commands.usedStats().map(([name, stats]) => [
    `cmdstat_${name}`,
    `calls=${stats.calls},usec=${stats.usec},usec_per_call=${(stats.calls === 0 ? 0 : stats.usec / stats.calls).toFixed(2)},rejected_calls=${stats.rejectedCalls},failed_calls=${stats.failedCalls}`,
  ]);
}

const BUILT_IN: Record<string, (server: Server) => Field[]> = {
  server: serverSection,
  clients: clientsSection,
  memory: memorySection,
  persistence: persistenceSection,
  stats: statsSection,
  replication: replicationSection,
  cpu: cpuSection,
  modules: () => [],
  errorstats: (server) => [...server.errorCounts].map(([prefix, count]) => [`errorstat_${prefix}`, `count=${count}`]),
  cluster: () => [['cluster_enabled', 0]],
  keyspace: keyspaceSection,
  cowkv: cowkvSection,
  commandstats: commandstatsSection,
  latencystats: () => [],
};

const TITLES: Record<string, string> = {
  server: 'Server', clients: 'Clients', memory: 'Memory', persistence: 'Persistence', stats: 'Stats',
  replication: 'Replication', cpu: 'CPU', modules: 'Modules', errorstats: 'Errorstats', cluster: 'Cluster',
  keyspace: 'Keyspace', cowkv: 'Cowkv', commandstats: 'Commandstats', latencystats: 'Latencystats',
};

/** Which sections INFO <args> names, in Redis's order (unknown names print nothing). */
export function selectSections(server: Server, names: readonly string[]): string[] {
  const lowered = names.map((name) => name.toLowerCase());
  const extra = [...server.infoSections.keys()].filter((name) => !(name in BUILT_IN));
  const everything = [...DEFAULT_SECTIONS, ...extra, ...EXTRA_SECTIONS];
  if (lowered.length === 0 || lowered.includes('default')) {
    const base: string[] = [...DEFAULT_SECTIONS, ...extra];
    return lowered.length === 0 ? base : everything.filter((name) => base.includes(name) || lowered.includes(name));
  }
  if (lowered.includes('everything') || lowered.includes('all')) return everything;
  return everything.filter((name) => lowered.includes(name));
}

/** The INFO text of the named sections. */
export function renderInfo(server: Server, names: readonly string[]): string {
  const parts: string[] = [];
  for (const section of selectSections(server, names)) {
    const producer = server.infoSections.get(section);
    const fields = producer !== undefined ? producer() : (BUILT_IN[section]?.(server) ?? []);
    const title = TITLES[section] ?? section.charAt(0).toUpperCase() + section.slice(1);
    parts.push(`# ${title}\r\n${fields.map(([name, value]) => `${name}:${value}\r\n`).join('')}`);
  }
  return parts.join('\r\n');
}
