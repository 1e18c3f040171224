import type { Redis } from 'ioredis';
import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import { createRedisConnection } from '../redis-connection.factory.js';
import type { NotificationShards } from './notification-shards.js';
import { RedisMultiPublish } from './redis-multi-publish.js';

/** One Redis server: every notification is one shard's, sent by the multi-publish script (or a pipeline). */
export class SingleServerShards implements NotificationShards {
  readonly only = 'redis';
  private readonly redis: Redis;
  private readonly publisher: RedisMultiPublish;

  constructor(options: ResolvedDualStreamOptions) {
    this.redis = createRedisConnection(options, 'dual-stream-publisher', { lazyConnect: true });
    this.publisher = new RedisMultiPublish(this.redis, options.logger);
  }

  get status(): string {
    return this.redis.status;
  }

  route(): undefined {
    return undefined;
  }

  publish(_shard: string, messages: string[]): Promise<void> {
    return this.publisher.publish(messages);
  }

  async probe(): Promise<void> {
    await this.redis.ping();
  }

  connect(): void {
    this.redis.connect().catch(() => undefined);
  }

  async quit(): Promise<void> {
    await this.redis.quit();
  }

  disconnect(): void {
    this.redis.disconnect();
  }
}
