import { Redis, type Cluster, type RedisOptions } from 'ioredis';
import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import { PatternNotShardedError } from '../errors/pattern-not-sharded.error.js';
import type { PubSubEvents, PubSubSettings, PubSubSubscriber } from '../pubsub-subscriber.js';
import { readyOrTimeout } from '../ready-or-timeout.js';
import { keySlot } from './key-slot.js';
import { createRedisCluster } from './redis-cluster.factory.js';

/** How soon an unplaced channel (its master unreachable, a failover under way) is tried again. */
const RETRY_MS = 250;

/** One master's subscriber connection and the channels SSUBSCRIBEd on it. */
interface ShardLink {
  readonly key: string;
  readonly redis: Redis;
  readonly channels: Set<string>;
  /** Closed by us (moved away, shutdown): not a loss. */
  retired: boolean;
}

/**
 * Sharded Pub/Sub on a Redis Cluster (`redis.sharded`), with the same policy as `RedisPubSubSubscriber`: a
 * channel is SSUBSCRIBEd when its first local subscriber arrives and SUNSUBSCRIBEd after the last leaves. Each
 * channel lives on the master owning its slot, so there is one subscriber connection per master (ours, not
 * ioredis' internal sharded subscribers, because only ours says when and which channels could have missed
 * messages). The cluster client only reads the slot map.
 *
 * When a master's connection drops (it died, its replica is being promoted), its channels are `missed`: they
 * are SSUBSCRIBEd again on whichever master owns their slots once the slot map says so (retried every
 * RETRY_MS, the slot map re-read each time), and `recovered` names exactly those channels, so only their
 * subscriptions replay from Kafka. The same happens when a slot moves (resharding) and the periodic slot map
 * read shows a channel on another master. Patterns have no sharded form: `addPattern` rejects.
 */
export class ShardedPubSubSubscriber<C, P> implements PubSubSubscriber<C, P> {
  private cluster?: Cluster;
  private readonly channels = new Map<string, Set<C>>();
  private readonly slots = new Map<string, number>();
  /** Channel -> master key it is SSUBSCRIBEd on (confirmed). */
  private readonly placed = new Map<string, string>();
  private readonly links = new Map<string, ShardLink>();
  /** Held channels that lost (or never had) their subscription: recovered once placed again. */
  private readonly missed = new Set<string>();
  private reconciling?: Promise<void>;
  private again = false;
  private retryTimer?: NodeJS.Timeout;
  private firstReadyWait?: Promise<void>;
  private everReady = false;
  private reportedDown = false;
  private closed = false;

  constructor(
    private readonly options: ResolvedDualStreamOptions,
    private readonly settings: PubSubSettings,
    private readonly events: PubSubEvents<C, P>,
  ) {}

  /** No held channel is missing its subscription (one being placed for the first time is not missing anything). */
  get up(): boolean {
    return this.everReady && this.missed.size === 0;
  }

  get channelCount(): number {
    return this.channels.size;
  }

  get patternCount(): number {
    return 0;
  }

  get connection(): Cluster | undefined {
    return this.cluster;
  }

  hasPattern(): boolean {
    return false;
  }

  async addChannel(channel: string, subscriber: C): Promise<void> {
    const set = this.channels.get(channel);
    if (set) {
      set.add(subscriber);
      if (this.placed.has(channel)) return;
    } else {
      this.channels.set(channel, new Set([subscriber]));
      this.slots.set(channel, keySlot(channel));
    }
    const cluster = this.open();
    if (!this.everReady && cluster.status !== 'ready') await this.firstReady(cluster);
    await this.reconcile();
    // Not placed (its master unreachable): pending like a SUBSCRIBE while Redis is down, recovered once placed.
    if (this.channels.has(channel) && !this.placed.has(channel)) this.lose([channel]);
  }

  removeChannel(channel: string, subscriber: C): void {
    const set = this.channels.get(channel);
    if (!set?.delete(subscriber) || set.size > 0) return;
    this.channels.delete(channel);
    this.slots.delete(channel);
    this.missed.delete(channel);
    this.unplace(channel);
  }

  addPattern(pattern: string): Promise<void> {
    return Promise.reject(new PatternNotShardedError(pattern));
  }

  removePattern(): void {}

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    for (const link of this.links.values()) this.retire(link);
    this.links.clear();
    this.channels.clear();
    this.placed.clear();
    this.cluster?.disconnect();
    this.cluster = undefined;
  }

  private open(): Cluster {
    if (this.cluster) return this.cluster;
    const cluster = createRedisCluster(this.options, `${this.settings.name}-slots`);
    this.cluster = cluster;
    cluster.on('ready', () => {
      this.everReady = true;
    });
    // Every slot map read (periodic, or after MOVED / a dropped node): move channels whose slot changed owner.
    cluster.on('refresh', () => {
      if (this.misplaced()) void this.reconcile();
    });
    return cluster;
  }

  /** One shared wait for the first slot map, however many subscribes arrive before it. */
  private firstReady(cluster: Cluster): Promise<void> {
    this.firstReadyWait ??= readyOrTimeout(cluster, this.settings.firstConnectWaitMs);
    return this.firstReadyWait;
  }

  /** Any held channel not SSUBSCRIBEd on its slot's current master? */
  private misplaced(): boolean {
    const owners = this.cluster?.slots ?? [];
    for (const [channel, slot] of this.slots) {
      if (this.placed.get(channel) !== owners[slot]?.[0]) return true;
    }
    return false;
  }

  /** Places every held channel on its slot's master; runs one pass at a time, again if asked meanwhile. */
  private reconcile(): Promise<void> {
    if (this.reconciling) {
      this.again = true;
      return this.reconciling;
    }
    this.reconciling = (async () => {
      do {
        this.again = false;
        await this.placeAll();
      } while (this.again && !this.closed);
    })().finally(() => {
      this.reconciling = undefined;
    });
    return this.reconciling;
  }

  private async placeAll(): Promise<void> {
    const cluster = this.cluster;
    if (!cluster || this.closed) return;
    const owners = cluster.slots;
    // master key -> slot -> channels (one SSUBSCRIBE per slot: a multi-channel SSUBSCRIBE must not cross slots)
    const wanted = new Map<string, Map<number, string[]>>();
    for (const [channel, slot] of this.slots) {
      const owner = owners[slot]?.[0];
      const current = this.placed.get(channel);
      if (current === owner) continue;
      // Moved to another master (resharding, manual failover): what was published there meanwhile was missed.
      if (current !== undefined) this.lose([channel]);
      if (owner === undefined) continue;
      let bySlot = wanted.get(owner);
      if (!bySlot) wanted.set(owner, (bySlot = new Map()));
      const list = bySlot.get(slot);
      if (list) list.push(channel);
      else bySlot.set(slot, [channel]);
    }
    await Promise.all([...wanted].map(([key, bySlot]) => this.subscribeOn(key, bySlot)));
    this.retireIdleLinks(owners);
    this.settle();
  }

  private async subscribeOn(key: string, bySlot: Map<number, string[]>): Promise<void> {
    const link = this.link(key);
    await Promise.all(
      [...bySlot.values()].map(async (channels) => {
        try {
          await link.redis.ssubscribe(...channels);
        } catch {
          return; // MOVED, or the master went away: the retry re-reads the slot map
        }
        if (link.retired || this.links.get(key) !== link) return;
        for (const channel of channels) {
          if (this.channels.has(channel)) {
            this.placed.set(channel, key);
            link.channels.add(channel);
          } else {
            // Its last subscriber left while the SSUBSCRIBE was in flight.
            link.redis.sunsubscribe(channel).catch(() => undefined);
          }
        }
      }),
    );
  }

  /** Reports what was recovered, and schedules another pass while anything is unplaced. */
  private settle(): void {
    const recovered = new Set<string>();
    for (const channel of this.missed) {
      if (this.placed.has(channel)) recovered.add(channel);
    }
    for (const channel of recovered) this.missed.delete(channel);
    const unplaced = this.channels.size - this.placed.size;
    if (recovered.size > 0) this.events.recovered(recovered);
    if (unplaced === 0) {
      this.reportedDown = false;
      return;
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.cluster?.refreshSlotsCache(() => void this.reconcile());
    }, RETRY_MS);
    this.retryTimer.unref();
  }

  /** Channels whose messages may be missed from now on; `down` once per outage. */
  private lose(channels: Iterable<string>): void {
    for (const channel of channels) {
      if (!this.channels.has(channel)) continue;
      this.missed.add(channel);
      this.unplace(channel);
    }
    if (!this.reportedDown && this.missed.size > 0) {
      this.reportedDown = true;
      this.events.down();
    }
  }

  private unplace(channel: string): void {
    const key = this.placed.get(channel);
    if (key === undefined) return;
    this.placed.delete(channel);
    const link = this.links.get(key);
    if (!link?.channels.delete(channel)) return;
    if (link.redis.status === 'ready') link.redis.sunsubscribe(channel).catch(() => undefined);
  }

  private link(key: string): ShardLink {
    const existing = this.links.get(key);
    if (existing) return existing;
    const split = key.lastIndexOf(':');
    const redisOptions: RedisOptions = this.cluster?.options.redisOptions ?? {};
    const redis = new Redis({
      ...redisOptions,
      host: key.slice(0, split),
      port: Number(key.slice(split + 1)),
      connectionName: this.settings.name,
      // Our own resubscription policy: a dropped link is replaced (possibly by another master), never retried.
      autoResubscribe: false,
      retryStrategy: () => null,
      enableOfflineQueue: true,
      maxRetriesPerRequest: 0,
      lazyConnect: false,
    });
    const link: ShardLink = { key, redis, channels: new Set(), retired: false };
    this.links.set(key, link);
    redis.on('error', () => undefined);
    // A throw in a listener would be an uncaught exception inside ioredis' parser.
    redis.on('smessage', (channel: string, raw: string) => {
      const set = this.channels.get(channel);
      // A missed channel's messages are left to its recovery (unless `deliverWhileMissed`): delivered now, they
      // would move its subscribers' positions past the hole before the replay (which starts from those positions)
      // begins. Each one names an event already in Kafka, so the replay that `recovered` starts delivers it.
      if (!set || (this.missed.has(channel) && !this.settings.deliverWhileMissed)) return;
      try {
        this.events.message(channel, raw, set);
      } catch (err) {
        this.events.failed(err);
      }
    });
    redis.on('close', () => this.linkLost(link));
    return link;
  }

  private linkLost(link: ShardLink): void {
    if (link.retired || this.links.get(link.key) !== link) return;
    link.retired = true;
    this.links.delete(link.key);
    const lost = [...link.channels];
    link.channels.clear();
    for (const channel of lost) this.placed.delete(channel);
    link.redis.disconnect();
    this.lose(lost);
    if (this.channels.size > 0) this.scheduleRetry();
  }

  /** Links to nodes that own no slot any more (a demoted master) and hold nothing are closed. */
  private retireIdleLinks(owners: string[][]): void {
    const masters = new Set(owners.map((o) => o?.[0]));
    for (const link of this.links.values()) {
      if (link.channels.size === 0 && !masters.has(link.key)) {
        this.links.delete(link.key);
        this.retire(link);
      }
    }
  }

  private retire(link: ShardLink): void {
    link.retired = true;
    link.redis.disconnect();
  }
}
