// A real Redis Cluster of 3 masters + 3 replicas from six redis-server processes (cluster mode, no
// persistence), formed with `redis-cli --cluster create --cluster-replicas 1`: no Docker. The node timeout is
// short so a killed master's replica is promoted within a few seconds (fault tests).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from './kafka-launcher.mjs';
import { freePort, isOurProcess, readPid, silentLog, sleep, terminate } from './proc.mjs';
import { startRedis } from './redis-launcher.mjs';

/** @typedef {import('./proc.mjs').Log} Log */

export const REDIS_CLUSTER_SIZE = 6;
/** Ports of `npm run infra:up -- --cluster`: 7000-7005. */
export const DEFAULT_CLUSTER_REDIS_PORT = 7000;
const HOST = '127.0.0.1';

/**
 * @typedef {object} RedisClusterNode
 * @property {number} port
 * @property {string} url
 * @property {number} pid current pid (changes after restart)
 * @property {() => Promise<void>} kill SIGKILL at once (crash)
 * @property {() => Promise<void>} restart start it again on the same port and nodes.conf (it rejoins, as a replica)
 */

/**
 * @typedef {object} RedisClusterHandle
 * @property {{ host: string, port: number }[]} nodes seed list for a cluster client
 * @property {RedisClusterNode[]} servers
 * @property {string} stateDir
 * @property {() => Promise<number[]>} masterPorts ports of the masters that own slots now
 * @property {(port: number) => RedisClusterNode} server the node on this port
 * @property {() => Promise<void>} waitHealthy resolves when every slot is served and every master has a replica
 * @property {() => Promise<void>} stop SIGTERM every node; a temp stateDir is removed
 */

/**
 * Runs one redis-cli command against a node and returns its output.
 * @param {number} port @param {string[]} args
 */
export async function redisCli(port, args) {
  const { code, output } = await run('redis-cli', ['-h', HOST, '-p', String(port), ...args]);
  if (code !== 0) throw new Error(`redis-cli -p ${port} ${args.join(' ')} failed (exit ${code}): ${output.trim()}`);
  return output;
}

/**
 * Starts six cluster-mode redis-servers and forms the cluster (first time only: a persistent stateDir keeps
 * each node's nodes.conf, so a second `up` restarts the same cluster).
 * @param {object} [opts]
 * @param {number} [opts.port] first port (nodes use port..port+5); 0 picks free ports
 * @param {string} [opts.stateDir] default: a fresh temp dir removed by stop()
 * @param {boolean} [opts.detached] own process groups, outliving the caller (CLI use)
 * @param {number} [opts.nodeTimeoutMs] cluster-node-timeout: how long until a silent master is failed over
 * @param {number} [opts.startTimeoutMs]
 * @param {Log} [opts.log]
 * @returns {Promise<RedisClusterHandle>}
 */
export async function startRedisCluster({
  port = DEFAULT_CLUSTER_REDIS_PORT,
  stateDir,
  detached = false,
  nodeTimeoutMs = 1000,
  startTimeoutMs = 30_000,
  log = silentLog,
} = {}) {
  const ownsStateDir = !stateDir;
  const dir = stateDir ? path.resolve(stateDir) : mkdtempSync(path.join(os.tmpdir(), 'dual-stream-redis-cluster-'));
  const ports = [];
  for (let i = 0; i < REDIS_CLUSTER_SIZE; i++) ports.push(port === 0 ? await freePort(HOST) : port + i);
  const nodeDir = (/** @type {number} */ p) => path.join(dir, `node-${p}`);
  const formed = ports.every((p) => existsSync(path.join(nodeDir(p), 'nodes.conf')));
  const extraArgs = [
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    'nodes.conf',
    '--cluster-node-timeout',
    String(nodeTimeoutMs),
    // Other shards keep serving while one has no master (the default stops the whole cluster).
    '--cluster-require-full-coverage',
    'no',
    // A replica may always take over, however long its master was silent: no manual step after a crash.
    '--cluster-replica-validity-factor',
    '0',
  ];
  /** @type {import('./redis-launcher.mjs').RedisHandle[]} */
  const handles = [];
  /** @type {RedisClusterHandle} */
  const handle = {
    nodes: ports.map((p) => ({ host: HOST, port: p })),
    servers: [],
    stateDir: dir,
    async masterPorts() {
      for (const p of ports) {
        try {
          return parseMasters(await redisCli(p, ['cluster', 'nodes']));
        } catch {
          // that node is down: ask the next
        }
      }
      throw new Error('no Redis Cluster node answers');
    },
    server(p) {
      const found = handle.servers.find((s) => s.port === p);
      if (!found) throw new Error(`no Redis Cluster node on port ${p}`);
      return found;
    },
    async waitHealthy() {
      const deadline = Date.now() + startTimeoutMs;
      /** @type {string} */
      let last;
      for (;;) {
        try {
          last = await clusterProblem(ports);
          if (!last) return;
        } catch (e) {
          last = /** @type {Error} */ (e).message;
        }
        if (Date.now() > deadline) throw new Error(`Redis Cluster not healthy after ${startTimeoutMs} ms: ${last}`);
        await sleep(200);
      }
    },
    async stop() {
      await Promise.all(handles.map((h) => h.stop()));
      if (ownsStateDir) rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    for (const p of ports) {
      mkdirSync(nodeDir(p), { recursive: true });
      const h = await startRedis({ port: p, stateDir: nodeDir(p), detached, extraArgs, log });
      handles.push(h);
      handle.servers.push({
        port: p,
        url: h.url,
        get pid() {
          return h.pid;
        },
        kill: () => h.kill(),
        restart: () => h.restart(),
      });
    }
    if (!formed) {
      log(`redis cluster: creating 3 masters + 3 replicas on ${ports.join(',')}`);
      const { code, output } = await run('redis-cli', [
        '--cluster',
        'create',
        ...ports.map((p) => `${HOST}:${p}`),
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ]);
      if (code !== 0) throw new Error(`redis-cli --cluster create failed (exit ${code}):\n${output.trim()}`);
    }
    await handle.waitHealthy();
  } catch (e) {
    await handle.stop().catch(() => undefined);
    throw e;
  }
  return handle;
}

/**
 * Masters that own slots, from CLUSTER NODES output. @param {string} text @returns {number[]}
 */
function parseMasters(text) {
  return text
    .trim()
    .split('\n')
    .map((line) => line.split(' '))
    .filter((f) => f[2]?.includes('master') && !f[2].includes('fail') && f.length > 8)
    .map((f) => Number(/:(\d+)@/.exec(f[1])?.[1]))
    .sort((a, b) => a - b);
}

/**
 * What is still wrong with the cluster ('' when healthy): every node reachable says cluster_state:ok with all
 * 16384 slots, and there are three masters with a replica each.
 * @param {number[]} ports
 */
async function clusterProblem(ports) {
  let reachable = 0;
  for (const p of ports) {
    let info;
    try {
      info = await redisCli(p, ['cluster', 'info']);
    } catch {
      continue;
    }
    reachable++;
    if (!/cluster_state:ok/.test(info)) return `node ${p}: cluster_state not ok`;
    if (!/cluster_slots_ok:16384/.test(info)) return `node ${p}: not all slots ok`;
  }
  if (reachable < REDIS_CLUSTER_SIZE) return `${REDIS_CLUSTER_SIZE - reachable} node(s) not answering`;
  const nodes = (await redisCli(ports[0], ['cluster', 'nodes'])).trim().split('\n');
  const masters = nodes.filter((l) => l.split(' ')[2]?.includes('master') && l.split(' ').length > 8);
  const replicas = nodes.filter((l) => l.split(' ')[2]?.includes('slave') && !l.includes('fail'));
  if (masters.length !== 3 || replicas.length !== 3) {
    return `${masters.length} masters with slots and ${replicas.length} replicas (want 3 + 3)`;
  }
  for (const p of parseMasters(nodes.join('\n'))) {
    const info = await redisCli(p, ['info', 'replication']);
    if (!/connected_slaves:1/.test(info)) return `master ${p} has no connected replica yet`;
  }
  return '';
}

/**
 * Stops the cluster nodes recorded under stateDir (node-<port>/redis.pid) that are still ours.
 * @param {string} stateDir
 * @returns {Promise<{ pids: number[], stopped: boolean }>}
 */
export async function stopRedisClusterFromPidFiles(stateDir) {
  const pids = runningRedisClusterPids(stateDir);
  const results = await Promise.all(pids.map((pid) => terminate(pid, 5_000)));
  return { pids, stopped: results.every(Boolean) };
}

/** @param {string} stateDir */
export function runningRedisClusterPids(stateDir) {
  if (!existsSync(stateDir)) return [];
  const pids = [];
  for (let i = 0; i < REDIS_CLUSTER_SIZE; i++) {
    const pid = readPid(path.join(stateDir, `node-${DEFAULT_CLUSTER_REDIS_PORT + i}`, 'redis.pid'));
    if (pid !== undefined && isOurProcess(pid, 'redis-server')) pids.push(pid);
  }
  return pids;
}
