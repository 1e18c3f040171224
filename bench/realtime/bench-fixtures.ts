// What every process of the realtime benchmark agrees on.
import type { DualStreamRedisOptions, EventSource } from '@dual-stream/nestjs';

/** Signs and verifies the gateway tokens of the benchmark's clients. */
export const BENCH_SECRET = 'realtime-bench-secret-0123456789abcdef';

/** Source `i` of the benchmark's `type`: `{ type, id: 'c{i}' }`, one channel each. */
export const benchSource = (type: string, i: number): EventSource => ({ type, id: `c${i}` });

/**
 * The `redis` option of a benchmark child: the Redis Cluster of REDIS_CLUSTER_NODES (`--cluster` rows, sharded
 * Pub/Sub) when set, else the one server at `url`.
 */
export function redisOf(url: string, channelPrefix: string): DualStreamRedisOptions {
  const nodes = (process.env.REDIS_CLUSTER_NODES ?? '').split(',').filter(Boolean);
  if (nodes.length === 0) return { url, channelPrefix };
  return {
    cluster: {
      nodes: nodes.map((n) => ({
        host: n.slice(0, n.lastIndexOf(':')),
        port: Number(n.slice(n.lastIndexOf(':') + 1)),
      })),
    },
    channelPrefix,
  };
}
