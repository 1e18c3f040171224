import type { Cluster, Redis } from 'ioredis';
import { ShardedPubSubSubscriber } from './cluster/sharded-pubsub.subscriber.js';
import type { ResolvedDualStreamOptions } from './dual-stream-options.resolver.js';
import { RedisPubSubSubscriber } from './redis-pubsub.subscriber.js';

export interface PubSubEvents<C, P> {
  message(redisChannel: string, raw: string, subscribers: ReadonlySet<C>): void;
  patternMessage(redisPattern: string, redisChannel: string, raw: string, subscribers: ReadonlySet<P>): void;
  /** A connection dropped: messages are being missed from now on. */
  down(): void;
  /**
   * Subscribed again after a drop (or after Redis was unreachable at first). `channels`: only these could have
   * missed messages (one shard of a cluster failed over); undefined: any channel or pattern could have.
   */
  recovered(channels?: ReadonlySet<string>): void;
  /** A `message`/`patternMessage` handler threw: reported here instead of escaping into ioredis' emitter. */
  failed(err: unknown): void;
}

export interface PubSubSettings {
  /** `CLIENT SETNAME` of the connection. */
  name: string;
  /** How long the first SUBSCRIBE waits for the initial connection before it counts as pending. */
  firstConnectWaitMs: number;
  /**
   * Deliver messages that arrive after a loss but before `recovered` is reported (sharded: a missed channel's
   * messages; one server: every message between the reconnect and `recovered`). For subscribers
   * that do not replay after a loss (`@OnRealtime`); the hub replays from each subscription's position, so it
   * leaves the messages to that replay (delivered first, they would move the position past the gap).
   * @default false
   */
  deliverWhileMissed?: boolean;
  /** Opens the connection (single server only); tests pass a fake. @default createRedisConnection(options, name, { autoResubscribe: false }) */
  connect?: () => Redis;
}

/**
 * The library's one Redis Pub/Sub subscriber policy, used by the realtime hub and `@OnRealtime` handlers:
 * reference-counted subscriptions, reconnecting forever, everything subscribed again after a drop and the
 * loss reported through `recovered`. `RedisPubSubSubscriber` on one server, `ShardedPubSubSubscriber` on a
 * Redis Cluster (`redis.sharded`).
 */
export interface PubSubSubscriber<C, P> {
  /** Every held channel (and pattern) is subscribed now. */
  readonly up: boolean;
  readonly channelCount: number;
  readonly patternCount: number;
  /** The connection (single server) or the cluster client, once the first subscribe opened it. */
  readonly connection: Redis | Cluster | undefined;
  hasPattern(pattern: string): boolean;
  /** Resolves once the channel is subscribed (or is pending until Redis is back, which triggers a recovery). */
  addChannel(channel: string, subscriber: C): Promise<void>;
  removeChannel(channel: string, subscriber: C): void;
  /** Rejects with `PatternNotShardedError` in sharded mode. */
  addPattern(pattern: string, subscriber: P): Promise<void>;
  removePattern(pattern: string, subscriber: P): void;
  close(): Promise<void>;
}

/** The subscriber for the configured Redis: sharded on a cluster, classic on one server. */
export function createPubSubSubscriber<C, P>(
  options: ResolvedDualStreamOptions,
  settings: PubSubSettings,
  events: PubSubEvents<C, P>,
): PubSubSubscriber<C, P> {
  return options.redis !== false && options.redis.sharded
    ? new ShardedPubSubSubscriber<C, P>(options, settings, events)
    : new RedisPubSubSubscriber<C, P>(options, settings, events);
}
