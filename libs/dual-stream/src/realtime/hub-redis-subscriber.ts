import type { Redis } from 'ioredis';
import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import { createRedisConnection } from '../redis-connection.factory.js';

export interface SubscriberEvents<C, P> {
  message(redisChannel: string, raw: string, subscribers: ReadonlySet<C>): void;
  patternMessage(redisPattern: string, redisChannel: string, raw: string, subscribers: ReadonlySet<P>): void;
  /** The connection dropped: live notifications are being missed from now on. */
  down(): void;
  /** Every channel and pattern is subscribed again after a drop: recover what was missed from Kafka. */
  recovered(): void;
}

/** How long the first SUBSCRIBE waits for the initial connection before it counts as pending. */
const FIRST_CONNECT_WAIT_MS = 3000;
const SUBSCRIBE_CHUNK = 500;

/**
 * One Redis subscriber connection per hub with reference-counted SUBSCRIBE/PSUBSCRIBE: a channel is subscribed
 * when its first local subscriber arrives and unsubscribed after the last leaves. ioredis' own resubscription
 * is off: on every `ready` this class subscribes everything it holds and reports a recovery when anything could
 * have been missed (a drop, or SUBSCRIBEs that were pending while Redis was unreachable).
 */
export class HubRedisSubscriber<C, P> {
  private redis?: Redis;
  private readonly channels = new Map<string, Set<C>>();
  private readonly patterns = new Map<string, Set<P>>();
  private everReady = false;
  private missed = false;
  private firstReadyWait?: Promise<void>;
  up = false;

  constructor(
    private readonly options: ResolvedDualStreamOptions,
    private readonly events: SubscriberEvents<C, P>,
  ) {}

  get channelCount(): number {
    return this.channels.size;
  }

  get patternCount(): number {
    return this.patterns.size;
  }

  /** Resolves once the channel is SUBSCRIBEd (or is pending until Redis is back, which triggers a recovery). */
  async addChannel(channel: string, subscriber: C): Promise<void> {
    const set = this.channels.get(channel);
    if (set) set.add(subscriber);
    else this.channels.set(channel, new Set([subscriber]));
    // Subscribing again is a no-op for Redis and also waits for an earlier SUBSCRIBE still in flight.
    await this.command('subscribe', channel);
  }

  removeChannel(channel: string, subscriber: C): void {
    const set = this.channels.get(channel);
    if (!set?.delete(subscriber) || set.size > 0) return;
    this.channels.delete(channel);
    if (this.redis?.status === 'ready') this.redis.unsubscribe(channel).catch(() => undefined);
  }

  async addPattern(pattern: string, subscriber: P): Promise<void> {
    const set = this.patterns.get(pattern);
    if (set) set.add(subscriber);
    else this.patterns.set(pattern, new Set([subscriber]));
    await this.command('psubscribe', pattern);
  }

  removePattern(pattern: string, subscriber: P): void {
    const set = this.patterns.get(pattern);
    if (!set?.delete(subscriber) || set.size > 0) return;
    this.patterns.delete(pattern);
    if (this.redis?.status === 'ready') this.redis.punsubscribe(pattern).catch(() => undefined);
  }

  async close(): Promise<void> {
    const redis = this.redis;
    this.redis = undefined;
    this.channels.clear();
    this.patterns.clear();
    redis?.disconnect();
  }

  private async command(kind: 'subscribe' | 'psubscribe', name: string): Promise<void> {
    const redis = this.connection();
    if (!this.everReady && redis.status !== 'ready') await this.firstReady(redis);
    if (redis.status !== 'ready') {
      this.missed = true;
      return;
    }
    try {
      await (kind === 'subscribe' ? redis.subscribe(name) : redis.psubscribe(name));
    } catch {
      // Dropped mid-command: the next `ready` subscribes it and recovers.
      this.missed = true;
    }
  }

  /** One shared wait for the first connection, however many subscribes arrive before it. */
  private firstReady(redis: Redis): Promise<void> {
    this.firstReadyWait ??= new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        redis.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, FIRST_CONNECT_WAIT_MS);
      redis.on('ready', done);
    });
    return this.firstReadyWait;
  }

  private connection(): Redis {
    if (this.redis) return this.redis;
    const redis = createRedisConnection(this.options, 'dual-stream-hub', { autoResubscribe: false });
    this.redis = redis;
    redis.on('message', (channel: string, raw: string) => {
      const set = this.channels.get(channel);
      if (set) this.events.message(channel, raw, set);
    });
    redis.on('pmessage', (pattern: string, channel: string, raw: string) => {
      const set = this.patterns.get(pattern);
      if (set) this.events.patternMessage(pattern, channel, raw, set);
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
