import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import { rangeGapChannel } from '../events/event-naming.js';
import type { EventSource, KafkaPosition } from '../interfaces/dual-stream-event.interface.js';
import type { PubSubSubscriber } from '../pubsub-subscriber.js';
import type { BackgroundRecovery } from './background-recovery.js';
import { escapeRedisGlob } from './channel-names.js';
import { ChannelSubscription } from './channel-subscription.js';
import type { ConnectionEntry, Subscription } from './connection-entry.js';
import type { HubCounters } from './hub-counters.js';
import type { HubStatus } from './hub-status.js';
import type { PartitionLookups } from './partition-lookups.js';
import { PatternSubscription } from './pattern-subscription.js';
import type { SubscribeAck, UnsubscribeAck } from './realtime-hub.interfaces.js';
import type { RecoveryResult, RecoveryRunner } from './recovery-runner.js';
import type { SubscriptionAdmission } from './subscription-admission.js';
import type { RequestProblem } from './subscribe-request.js';

/** What the opener works with; the hub builds each once. */
interface SubscriptionOpenerParts {
  hub: ResolvedDualStreamOptions['hub'];
  /** The deployment's channel prefix (`redis.channelPrefix`). */
  prefix: string;
  redis: PubSubSubscriber<ChannelSubscription, PatternSubscription>;
  admission: SubscriptionAdmission;
  recovery: RecoveryRunner;
  background: BackgroundRecovery;
  partitions: PartitionLookups;
  counters: HubCounters;
  status: HubStatus;
}

type Opened = { recovery: Promise<RecoveryResult> } | string;

/**
 * A connection's subscriptions from a checked request to Redis and back: admission (caps, authorization),
 * SUBSCRIBE / PSUBSCRIBE (reference-counted, shared with every other connection), the first recovery from
 * Kafka, the ack; and the way back (`close`, `drop`). Each runs with the subscription's key held (see
 * `KeyedSerializer`), so a subscribe and an unsubscribe of one channel never interleave.
 */
export class SubscriptionOpener {
  /** Where a publisher reports gaps per topic-partition when too many channels were skipped to name each. */
  readonly rangeGapChannel: string;

  constructor(private readonly parts: SubscriptionOpenerParts) {
    this.rangeGapChannel = rangeGapChannel(parts.prefix);
  }

  /** A validated channel subscription, socket or stream: opened with the key held, answered when recovered. */
  async channel(
    entry: ConnectionEntry,
    channel: string,
    source: EventSource,
    from: KafkaPosition | undefined,
    conflate: boolean,
  ): Promise<SubscribeAck> {
    const opened = await entry.serializer.run(`c:${channel}`, () =>
      this.openChannel(entry, channel, source, from, conflate),
    );
    if (typeof opened === 'string') return this.refuse({ channel, error: opened });
    return { ok: true, channel, ...(await opened.recovery) };
  }

  /** A validated pattern subscription: live only, answered once PSUBSCRIBEd. */
  async pattern(entry: ConnectionEntry, pattern: string, conflate: boolean): Promise<SubscribeAck> {
    const refused = await entry.serializer.run(`p:${pattern}`, () => this.openPattern(entry, pattern, conflate));
    if (refused) return this.refuse({ pattern, error: refused });
    return { ok: true, pattern, recovered: true, replayed: 0 };
  }

  /** An unsubscribe of the subscription under `key` (`c:{channel}` / `p:{pattern}`); `target` is the ack's echo. */
  close(entry: ConnectionEntry, key: string, target: Omit<RequestProblem, 'error'>): Promise<UnsubscribeAck> {
    return entry.serializer.run(key, async (): Promise<UnsubscribeAck> => {
      const sub = entry.subs.get(key);
      if (!sub) return { ok: false, ...target, error: 'not subscribed' };
      entry.subs.delete(key);
      this.drop(sub);
      return sub instanceof PatternSubscription
        ? { ok: true, pattern: sub.pattern }
        : { ok: true, channel: sub.channel };
    });
  }

  /** A subscription ends: no more deliveries, its recovery cancelled, its Redis channels released. */
  drop(sub: Subscription): void {
    const { redis, recovery } = this.parts;
    sub.closed = true;
    if (sub instanceof ChannelSubscription) {
      recovery.cancel(sub);
      redis.removeChannel(sub.redisChannel, sub);
      redis.removeChannel(this.rangeGapChannel, sub);
    } else redis.removePattern(sub.redisPattern, sub);
  }

  /** A refused subscribe, counted. */
  refuse(ack: RequestProblem): SubscribeAck {
    this.parts.counters.subscribeRefused++;
    return { ok: false, ...ack };
  }

  /**
   * After the subscriber reconnected: every channel subscription replays what it missed from Kafka; only those
   * on `channels` when one shard of a cluster failed over, unless that shard holds the range-gap channel (a
   * range marker missed there could concern any channel).
   */
  resubscribed(entries: Iterable<ConnectionEntry>, channels?: ReadonlySet<string>): void {
    const only = channels?.has(this.rangeGapChannel) ? undefined : channels;
    for (const entry of entries) {
      for (const sub of entry.subs.values()) {
        if (!(sub instanceof ChannelSubscription) || (only && !only.has(sub.redisChannel))) continue;
        this.parts.background.start(sub, 'since-subscribe', 'redis-reconnect');
      }
      this.parts.status.update(entry);
    }
  }

  /** Runs with the channel's key held: no other subscribe or unsubscribe of it interleaves. */
  private async openChannel(
    entry: ConnectionEntry,
    channel: string,
    source: EventSource,
    from: KafkaPosition | undefined,
    conflate: boolean,
  ): Promise<Opened> {
    const { hub, prefix, redis, admission, recovery, background, partitions, counters } = this.parts;
    if (entry.connection.closed) return 'disconnected';
    const existing = entry.subs.get(`c:${channel}`);
    if (existing instanceof ChannelSubscription) {
      existing.conflate = conflate;
      if (!from) return { recovery: Promise.resolve({ recovered: true, replayed: 0 }) };
      existing.holds(from);
      return { recovery: recovery.run(existing, undefined) };
    }
    const sub = await admission.admit(
      entry,
      { kind: 'channel' },
      () => hub.canSubscribe(entry.principal, channel),
      () => {
        const created = new ChannelSubscription(
          entry.connection,
          channel,
          `${prefix}${channel}`,
          source,
          conflate,
          hub.maxRecoveryBuffer,
          counters,
          {
            highWatermark: (topic, partition, seq) => partitions.highWatermark(topic, partition, seq),
            recover: (held) => background.start(held, undefined, 'held-overflow'),
          },
        );
        if (from) created.holds(from);
        entry.subs.set(created.key, created);
        return created;
      },
    );
    if (typeof sub === 'string') return sub;
    await redis.addChannel(sub.redisChannel, sub);
    // Closed by a disconnect meanwhile (`detach` removed its channels): add nothing more for it.
    if (sub.closed) return 'disconnected';
    // Every channel subscription also holds the range-gap channel (reference-counted like any channel).
    void redis.addChannel(this.rangeGapChannel, sub);
    return { recovery: recovery.run(sub, undefined) };
  }

  /** Runs with the pattern's key held; the reason it was refused, or undefined. */
  private async openPattern(entry: ConnectionEntry, pattern: string, conflate: boolean): Promise<string | undefined> {
    const { hub, prefix, redis, admission, status } = this.parts;
    if (entry.connection.closed) return 'disconnected';
    const existing = entry.subs.get(`p:${pattern}`);
    if (existing instanceof PatternSubscription) {
      existing.conflate = conflate;
      return undefined;
    }
    const redisPattern = `${escapeRedisGlob(prefix)}${pattern}`;
    let subscribed = Promise.resolve();
    const sub = await admission.admit(
      entry,
      { kind: 'pattern', redisPattern },
      () => hub.canSubscribePattern(entry.principal, pattern),
      () => {
        const created = new PatternSubscription(entry.connection, pattern, redisPattern, conflate);
        entry.subs.set(created.key, created);
        // PSUBSCRIBE bookkeeping starts synchronously, so the gateway-wide pattern cap sees it at once.
        subscribed = redis.addPattern(redisPattern, created);
        return created;
      },
    );
    if (typeof sub === 'string') return sub;
    await subscribed;
    if (sub.closed) return 'disconnected';
    status.update(entry);
    return undefined;
  }
}
