import { Cluster, type ClusterOptions } from 'ioredis';
import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import { redisReconnectDelay } from '../redis-connection.factory.js';
import { refreshSlotsPeriodically } from './slots-refresh.js';

/**
 * How often the slot map is read again when nothing forced it: a failover is noticed by the MOVED replies or
 * the dropped connection anyway, this bounds how long a quiet shard keeps pointing at a demoted master.
 */
const SLOTS_REFRESH_MS = 1000;

/**
 * A Redis Cluster client with the library's one connection policy (see `createRedisConnection`): commands fail
 * fast while their shard is unreachable (no offline queue, no per-command retries) and nodes reconnect with a
 * capped backoff, so a dead master never queues unbounded work.
 */
export function createRedisCluster(
  options: ResolvedDualStreamOptions,
  name: string,
  overrides: ClusterOptions = {},
): Cluster {
  if (options.redis === false || options.redis.cluster === undefined) {
    throw new Error('No Redis Cluster is configured (redis.cluster); no cluster connection can be created.');
  }
  const { nodes, redisOptions, slotsRefreshInterval = SLOTS_REFRESH_MS, ...clusterOptions } = options.redis.cluster;
  const cluster = new Cluster(nodes, {
    enableOfflineQueue: false,
    clusterRetryStrategy: redisReconnectDelay,
    ...clusterOptions,
    ...overrides,
    // ioredis' own periodic refresh can outlive a disconnect (see refreshSlotsPeriodically): ours runs instead.
    slotsRefreshInterval: 0,
    redisOptions: { connectionName: name, maxRetriesPerRequest: 0, ...redisOptions, ...overrides.redisOptions },
  });
  // Emitted for every failed node connection; callers count and log through their own breaker.
  cluster.on('error', () => undefined);
  refreshSlotsPeriodically(cluster, slotsRefreshInterval);
  return cluster;
}
