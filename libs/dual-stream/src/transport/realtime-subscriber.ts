import type { LoggerService } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import { createRedisConnection } from '../redis-connection.factory.js';
import type { RealtimeRoute } from './handler-registry.js';
import { RealtimeContext } from './realtime.context.js';

export type DispatchRealtime = (pattern: string, payload: unknown, ctx: RealtimeContext) => Promise<void>;

/** How long startup waits for the first SUBSCRIBE; Redis being down must not keep the app from starting. */
const SUBSCRIBE_WAIT_MS = 5_000;

/**
 * One subscriber connection for every `@OnRealtime` handler: SUBSCRIBE per exact channel, PSUBSCRIBE only for
 * patterns. ioredis re-issues both after a reconnect (`autoResubscribe`), so handlers receive again once
 * Redis is back, without restarting the app. Delivery is best-effort: a failing handler is logged, never retried.
 */
export class RealtimeSubscriber {
  private redis: Redis | undefined;
  private readonly exact = new Map<string, RealtimeRoute[]>();
  private readonly patterns = new Map<string, RealtimeRoute[]>();
  private readonly prefix: string;

  constructor(
    private readonly options: ResolvedDualStreamOptions,
    routes: RealtimeRoute[],
    private readonly dispatch: DispatchRealtime,
    private readonly logger: LoggerService,
  ) {
    this.prefix = options.redis === false ? '' : options.redis.channelPrefix;
    for (const route of routes) {
      const map = route.isPattern ? this.patterns : this.exact;
      const key = this.prefix + route.channel;
      map.set(key, [...(map.get(key) ?? []), route]);
    }
  }

  get connection(): Redis | undefined {
    return this.redis;
  }

  async start(): Promise<void> {
    const redis = createRedisConnection(this.options, 'dual-stream-subscriber', {
      // Subscriptions must wait for a (re)connection instead of failing fast like the publisher's commands.
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      autoResubscribe: true,
    });
    this.redis = redis;
    redis.on('message', (channel: string, message: string) => {
      for (const route of this.exact.get(channel) ?? []) this.deliver(route, channel, message);
    });
    redis.on('pmessage', (pattern: string, channel: string, message: string) => {
      for (const route of this.patterns.get(pattern) ?? []) this.deliver(route, channel, message);
    });
    const subscribed = Promise.all([
      this.exact.size > 0 ? redis.subscribe(...this.exact.keys()) : undefined,
      this.patterns.size > 0 ? redis.psubscribe(...this.patterns.keys()) : undefined,
    ]);
    let timer: NodeJS.Timeout | undefined;
    const ready = await Promise.race([
      subscribed.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), SUBSCRIBE_WAIT_MS))),
    ]).finally(() => clearTimeout(timer));
    if (!ready) {
      this.logger.warn('dual-stream: Redis is not reachable yet; @OnRealtime handlers subscribe as soon as it is.');
    }
  }

  async stop(): Promise<void> {
    const redis = this.redis;
    this.redis = undefined;
    if (!redis) return;
    await redis.quit().catch(() => redis.disconnect());
  }

  private deliver(route: RealtimeRoute, channel: string, message: string): void {
    let payload: unknown;
    try {
      payload = JSON.parse(message);
    } catch {
      this.logger.warn(`dual-stream: ignored a non-JSON message on ${channel} (${message.length} chars)`);
      return;
    }
    const ctx = new RealtimeContext({
      channel: channel.slice(this.prefix.length),
      pattern: route.isPattern ? route.channel : undefined,
    });
    this.dispatch(route.pattern, payload, ctx).catch(() => undefined);
  }
}
