import type { LoggerService } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import { RateLimitedWarner } from '../publisher/rate-limited-warner.js';
import { escapeRedisGlob } from '../realtime/channel-names.js';
import { RedisMessageParser } from '../realtime/redis-message.parser.js';
import { createPubSubSubscriber, type PubSubSubscriber } from '../pubsub-subscriber.js';
import type { RealtimeRoute } from './handler-registry.js';
import { RealtimeContext } from './realtime.context.js';

type DispatchRealtime = (pattern: string, payload: unknown, ctx: RealtimeContext) => Promise<void>;

/** How long startup waits for the first SUBSCRIBE; Redis being down must not keep the app from starting. */
const SUBSCRIBE_WAIT_MS = 5_000;

/**
 * One subscriber connection for every `@OnRealtime` handler: SUBSCRIBE per exact channel, PSUBSCRIBE only for
 * patterns (the deployment prefix escaped, so its glob characters match literally; SSUBSCRIBE per channel and
 * no patterns with `redis.sharded`), with the library's one
 * Pub/Sub policy (`RedisPubSubSubscriber`: reconnect forever, subscribe everything again on `ready`), so
 * handlers receive again once Redis is back, without restarting the app. Every payload goes through the
 * validating parser first (docs/protocol.md "Realtime notification" and "Gap markers"): handlers get
 * notifications and gap markers only; anything else is counted, logged rate-limited and dropped. Delivery
 * is best-effort: a failing handler is logged, never retried.
 */
export class RealtimeSubscriber {
  private readonly pubsub: PubSubSubscriber<RealtimeRoute, RealtimeRoute>;
  private readonly parser: RedisMessageParser;
  private readonly warner: RateLimitedWarner;
  private readonly prefix: string;
  private readonly routes: RealtimeRoute[];
  /** Payloads from Redis that failed validation and were dropped. */
  malformedMessages = 0;

  constructor(
    options: ResolvedDualStreamOptions,
    routes: RealtimeRoute[],
    private readonly dispatch: DispatchRealtime,
    private readonly logger: LoggerService,
  ) {
    this.prefix = options.redis === false ? '' : options.redis.channelPrefix;
    this.routes = routes;
    // No topic check: a handler app need not share the publisher's `kafka.topic` (a gateway must, see the hub).
    this.parser = new RedisMessageParser(this.prefix);
    this.warner = new RateLimitedWarner(logger, options.realtime.warnIntervalMs);
    this.pubsub = createPubSubSubscriber<RealtimeRoute, RealtimeRoute>(
      options,
      // Live only (no replay after a loss): what arrives is handed over at once.
      { name: 'dual-stream-subscriber', firstConnectWaitMs: SUBSCRIBE_WAIT_MS, deliverWhileMissed: true },
      {
        message: (channel, raw, subscribers) => this.deliver(channel, raw, subscribers),
        patternMessage: (_pattern, channel, raw, subscribers) => this.deliver(channel, raw, subscribers),
        down: () => this.warner.warn('dual-stream: Redis subscriber connection lost; reconnecting'),
        recovered: () => this.logger.log?.('dual-stream: @OnRealtime handlers are subscribed to Redis'),
        failed: (err) => this.warner.warn(`dual-stream: @OnRealtime dispatch failed: ${(err as Error)?.message}`),
      },
    );
  }

  /** The subscriber's Redis connection (or cluster client), once one was opened. */
  get connection(): Redis | Cluster | undefined {
    return this.pubsub.connection;
  }

  async start(): Promise<void> {
    await Promise.all(
      this.routes.map((route) =>
        route.isPattern
          ? this.pubsub.addPattern(`${escapeRedisGlob(this.prefix)}${route.channel}`, route)
          : this.pubsub.addChannel(`${this.prefix}${route.channel}`, route),
      ),
    );
    if (!this.pubsub.up) {
      this.logger.warn('dual-stream: Redis is not reachable yet; @OnRealtime handlers subscribe as soon as it is.');
    }
  }

  async stop(): Promise<void> {
    await this.pubsub.close();
  }

  private deliver(channel: string, raw: string, routes: ReadonlySet<RealtimeRoute>): void {
    const parsed = this.parser.parse(raw, channel);
    if (parsed.kind === 'malformed') {
      this.malformedMessages++;
      this.warner.warn(
        `dual-stream: dropped a malformed Redis message on ${JSON.stringify(channel.slice(0, 120))}: ${parsed.problem}`,
      );
      return;
    }
    const payload = parsed.kind === 'event' ? parsed.event : parsed.gap;
    for (const route of routes) {
      const ctx = new RealtimeContext({
        channel: channel.slice(this.prefix.length),
        pattern: route.isPattern ? route.channel : undefined,
      });
      this.dispatch(route.pattern, payload, ctx).catch(() => undefined);
    }
  }
}
