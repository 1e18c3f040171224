import { Redis, type RedisOptions } from 'ioredis';
import type { ResolvedDualStreamOptions } from './dual-stream-options.resolver.js';

/**
 * The library's one Redis reconnect policy (ioredis `retryStrategy` / `clusterRetryStrategy`): capped
 * exponential backoff, 50 ms doubling up to 2 s, retried forever.
 */
export function redisReconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt, 10), 2000);
}

/**
 * A Redis connection that fails fast while Redis is down (no offline queue) and reconnects forever with
 * capped exponential backoff, so callers never queue unbounded work behind a dead connection.
 */
export function createRedisConnection(
  options: ResolvedDualStreamOptions,
  name: string,
  overrides: RedisOptions = {},
): Redis {
  if (options.redis === false) {
    throw new Error('Realtime is disabled (redis: false); no Redis connection can be created.');
  }
  const redis = new Redis(options.redis.url, {
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    lazyConnect: false,
    retryStrategy: redisReconnectDelay,
    ...options.redis.options,
    ...overrides,
  });
  // ioredis emits 'error' on every failed reconnect; callers count/log through their own breaker.
  redis.on('error', () => undefined);
  return redis;
}
