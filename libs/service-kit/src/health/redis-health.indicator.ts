import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { Cluster, Redis } from 'ioredis';
import { redisReconnectDelay as retryStrategy } from '@dual-stream/nestjs';
import { RateLimitedLog } from '../logging/rate-limited-log.js';
import { SERVICE_HEALTH_OPTIONS, type ServiceHealthOptions } from './service-health.options.js';

/**
 * Redis is optional: without it events are still durable and realtime clients recover from Kafka, so a Redis
 * outage makes the service `degraded` (HTTP 200), never unready.
 */
@Injectable()
export class RedisHealthIndicator implements OnApplicationShutdown {
  private readonly redis?: Redis | Cluster;
  private readonly log = new RateLimitedLog('Health', 10_000);

  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(SERVICE_HEALTH_OPTIONS) private readonly options: ServiceHealthOptions,
  ) {
    const connectionName = `${options.service}-health`;
    if (options.redisUrl && options.redisClusterNodes) {
      this.redis = new Cluster(options.redisClusterNodes, {
        enableOfflineQueue: false,
        clusterRetryStrategy: retryStrategy,
        redisOptions: { connectionName, maxRetriesPerRequest: 0 },
      }).on('error', () => undefined);
    } else if (options.redisUrl) {
      this.redis = new Redis(options.redisUrl, {
        connectionName,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        retryStrategy,
      }).on('error', () => undefined);
    }
  }

  async check(): Promise<HealthIndicatorResult<'redis'>> {
    const session = this.health.check('redis');
    if (!this.redis) return session.up({ used: false });
    const timeoutMs = this.options.probeTimeoutMs ?? 2000;
    try {
      await Promise.race([
        this.redis.ping(),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error(`no PONG within ${timeoutMs} ms`)), timeoutMs).unref(),
        ),
      ]);
      return session.up();
    } catch (err) {
      // ioredis' text names the address: the log gets it, the probe's body a stable reason.
      this.log.warn(`Redis readiness probe failed: ${(err as Error).message}`);
      return session.degraded({
        reason: 'redis_unreachable',
        message: 'Redis does not answer; realtime notifications are skipped and recovered from Kafka',
      });
    }
  }

  onApplicationShutdown(): void {
    this.redis?.disconnect();
  }
}
