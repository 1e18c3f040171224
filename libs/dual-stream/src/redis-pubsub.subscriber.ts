import type { Redis } from 'ioredis';
import type { ResolvedDualStreamOptions } from './dual-stream-options.resolver.js';
import type { PubSubEvents, PubSubSettings, PubSubSubscriber } from './pubsub-subscriber.js';
import { readyOrTimeout } from './ready-or-timeout.js';
import { createRedisConnection } from './redis-connection.factory.js';

const SUBSCRIBE_CHUNK = 500;

/**
 * The library's one Redis Pub/Sub subscriber policy (the realtime hub and `@OnRealtime` handlers both use
 * it): one connection, reference-counted SUBSCRIBE/PSUBSCRIBE (a channel is subscribed when its first local
 * subscriber arrives and unsubscribed after the last leaves), reconnecting forever with the capped backoff of
 * `createRedisConnection`. ioredis' own resubscription is off: on every `ready` this class subscribes
 * exactly what it holds now and reports a recovery when anything could have been missed (a drop, or
 * SUBSCRIBEs that were pending while Redis was unreachable). A SUBSCRIBE whose last subscriber left while it
 * was in flight is undone, so nothing stays subscribed that nobody holds.
 *
 * From a drop until `recovered` is reported, channel messages are not delivered (unless `deliverWhileMissed`):
 * the hub replays each channel subscription from its last delivered position, and a message delivered after
 * the new SUBSCRIBE but before that replay started would move the position past the events published while
 * Redis was away. The replay reads Kafka up to a high-water mark taken after `recovered`, so it includes every
 * message held back. Pattern messages are delivered as they come: pattern subscriptions have no replay.
 */
export class RedisPubSubSubscriber<C, P> implements PubSubSubscriber<C, P> {
  private redis?: Redis;
  private readonly channels = new Map<string, Set<C>>();
  private readonly patterns = new Map<string, Set<P>>();
  private everReady = false;
  private missed = false;
  private firstReadyWait?: Promise<void>;
  up = false;

  constructor(
    private readonly options: ResolvedDualStreamOptions,
    private readonly settings: PubSubSettings,
    private readonly events: PubSubEvents<C, P>,
  ) {}

  get channelCount(): number {
    return this.channels.size;
  }

  get patternCount(): number {
    return this.patterns.size;
  }

  /** The connection, once the first subscribe opened it. */
  get connection(): Redis | undefined {
    return this.redis;
  }

  hasPattern(pattern: string): boolean {
    return this.patterns.has(pattern);
  }

  /** Resolves once the channel is SUBSCRIBEd (or is pending until Redis is back, which triggers a recovery). */
  addChannel(channel: string, subscriber: C): Promise<void> {
    return this.add(this.channels, 'subscribe', channel, subscriber);
  }

  removeChannel(channel: string, subscriber: C): void {
    this.remove(this.channels, 'unsubscribe', channel, subscriber);
  }

  addPattern(pattern: string, subscriber: P): Promise<void> {
    return this.add(this.patterns, 'psubscribe', pattern, subscriber);
  }

  removePattern(pattern: string, subscriber: P): void {
    this.remove(this.patterns, 'punsubscribe', pattern, subscriber);
  }

  async close(): Promise<void> {
    const redis = this.redis;
    this.redis = undefined;
    this.channels.clear();
    this.patterns.clear();
    redis?.disconnect();
  }

  private async add<S>(
    held: Map<string, Set<S>>,
    kind: 'subscribe' | 'psubscribe',
    name: string,
    subscriber: S,
  ): Promise<void> {
    const set = held.get(name);
    if (set) set.add(subscriber);
    else held.set(name, new Set([subscriber]));
    // Subscribing again is a no-op for Redis and also waits for an earlier SUBSCRIBE still in flight.
    const redis = this.open();
    if (!this.everReady && redis.status !== 'ready') await this.firstReady(redis);
    if (!held.has(name)) return;
    if (redis.status !== 'ready') {
      this.missed = true;
      return;
    }
    try {
      await redis[kind](name);
    } catch {
      // Dropped mid-command: the next `ready` subscribes it and recovers.
      this.missed = true;
      return;
    }
    // The last subscriber left while the SUBSCRIBE was in flight: its UNSUBSCRIBE may have gone out before.
    if (!held.has(name) && redis === this.redis && redis.status === 'ready') {
      redis[kind === 'subscribe' ? 'unsubscribe' : 'punsubscribe'](name).catch(() => undefined);
    }
  }

  private remove<S>(
    held: Map<string, Set<S>>,
    kind: 'unsubscribe' | 'punsubscribe',
    name: string,
    subscriber: S,
  ): void {
    const set = held.get(name);
    if (!set?.delete(subscriber) || set.size > 0) return;
    held.delete(name);
    if (this.redis?.status === 'ready') this.redis[kind](name).catch(() => undefined);
  }

  /** One shared wait for the first connection, however many subscribes arrive before it. */
  private firstReady(redis: Redis): Promise<void> {
    this.firstReadyWait ??= readyOrTimeout(redis, this.settings.firstConnectWaitMs);
    return this.firstReadyWait;
  }

  private open(): Redis {
    if (this.redis) return this.redis;
    const redis =
      this.settings.connect?.() ?? createRedisConnection(this.options, this.settings.name, { autoResubscribe: false });
    this.redis = redis;
    // A throw in a listener would be an uncaught exception inside ioredis' parser: whatever a message does,
    // the process must not go down for it.
    redis.on('message', (channel: string, raw: string) => {
      if (this.holdingBack()) return;
      const set = this.channels.get(channel);
      try {
        if (set) this.events.message(channel, raw, set);
      } catch (err) {
        this.events.failed(err);
      }
    });
    redis.on('pmessage', (pattern: string, channel: string, raw: string) => {
      const set = this.patterns.get(pattern);
      try {
        if (set) this.events.patternMessage(pattern, channel, raw, set);
      } catch (err) {
        this.events.failed(err);
      }
    });
    redis.on('close', () => {
      if (!this.up) return;
      this.up = false;
      this.missed = true;
      this.events.down();
    });
    redis.on('ready', () => void this.onReady(redis));
    return redis;
  }

  /** Between a loss and its `recovered`: channel messages are left to the replay (see the class comment). */
  private holdingBack(): boolean {
    return this.missed && !this.settings.deliverWhileMissed;
  }

  private async onReady(redis: Redis): Promise<void> {
    this.everReady = true;
    this.up = true;
    try {
      for (const chunk of chunks([...this.channels.keys()])) await redis.subscribe(...chunk);
      for (const chunk of chunks([...this.patterns.keys()])) await redis.psubscribe(...chunk);
    } catch {
      return; // dropped again: the next `ready` retries
    }
    if (this.missed) {
      this.missed = false;
      this.events.recovered();
    }
  }
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += SUBSCRIBE_CHUNK) out.push(items.slice(i, i + SUBSCRIBE_CHUNK));
  return out;
}
