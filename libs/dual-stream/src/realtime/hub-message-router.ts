import type { EventSource, GapMarker, KafkaPosition } from '../interfaces/dual-stream-event.interface.js';
import type { RateLimitedWarner } from '../publisher/rate-limited-warner.js';
import type { BackgroundRecovery } from './background-recovery.js';
import type { ChannelSubscription } from './channel-subscription.js';
import type { HubCounters } from './hub-counters.js';
import type { PartitionLookups } from './partition-lookups.js';
import type { PatternSubscription } from './pattern-subscription.js';
import type { RedisMessageParser, RedisRoute } from './redis-message.parser.js';
import { LiveMessage } from './socket-packet.js';

/** Routes of channels seen, kept so a channel's name is parsed once; cleared past this many. */
const MAX_CACHED_ROUTES = 10_000;

/**
 * What the hub does with each payload from Redis: parse it (one validating parser; malformed payloads are
 * counted, logged rate-limited and dropped), then hand notifications to the channel's subscriptions, and turn
 * gap markers into recoveries (channel subscriptions) or `gap` messages (pattern subscriptions).
 */
export class HubMessageRouter {
  private readonly routes = new Map<string, RedisRoute>();

  constructor(
    private readonly parser: RedisMessageParser,
    private readonly counters: HubCounters,
    private readonly warner: RateLimitedWarner,
    private readonly recovery: BackgroundRecovery,
    private readonly partitions: PartitionLookups,
    private readonly topicOf: (source: EventSource) => string,
    private readonly prefix: string,
  ) {}

  /** A payload on a channel this hub SUBSCRIBEd (a source channel or the range-gap channel). */
  channelMessage(redisChannel: string, raw: string, subscribers: ReadonlySet<ChannelSubscription>): void {
    const route = this.routeOf(redisChannel);
    const parsed = this.parser.parse(raw, route);
    if (parsed.kind === 'malformed') {
      this.malformed(redisChannel, parsed.problem);
      return;
    }
    if (parsed.kind === 'event') {
      const live = new LiveMessage(parsed.event, raw, parsed.offset);
      for (const sub of subscribers) sub.onLive(live);
      return;
    }
    this.counters.gapMarkers++;
    const from = gapStart(parsed.gap, parsed.fromOffset);
    if (route.kind === 'range-gap') {
      void this.onRangeGap(parsed.gap, from, [...subscribers]);
      return;
    }
    for (const sub of subscribers) this.recovery.start(sub, from, 'gap-marker');
  }

  /** A payload on a channel matched by a pattern this hub PSUBSCRIBEd. */
  patternMessage(redisChannel: string, raw: string, subscribers: ReadonlySet<PatternSubscription>): void {
    const parsed = this.parser.parse(raw, this.routeOf(redisChannel));
    if (parsed.kind === 'malformed') {
      this.malformed(redisChannel, parsed.problem);
      return;
    }
    const channel = redisChannel.slice(this.prefix.length);
    if (parsed.kind === 'gap') {
      for (const sub of subscribers) sub.onGap(channel, parsed.gap);
      return;
    }
    const live = new LiveMessage(parsed.event, raw, parsed.offset);
    for (const sub of subscribers) sub.onEvent(channel, live);
  }

  /** A handler threw while routing: logged, never allowed to reach ioredis' emitter. */
  failed(err: unknown): void {
    this.warner.warn(`dual-stream hub: routing a Redis message failed: ${(err as Error)?.message ?? String(err)}`);
  }

  private malformed(redisChannel: string, problem: string): void {
    this.counters.malformedMessages++;
    this.warner.warn(
      `dual-stream hub: dropped a malformed Redis message on ${JSON.stringify(redisChannel.slice(0, 120))}: ${problem}`,
    );
  }

  /**
   * A gap per topic-partition: recover the subscriptions that read (or would read) that partition. One
   * without a delivered position reads the partition its source is written to, located as the publisher's
   * default partitioner does; when that cannot be looked up it recovers anyway (a bounded replay costs less
   * than a missed event).
   */
  private async onRangeGap(gap: GapMarker, from: KafkaPosition, subscribers: ChannelSubscription[]): Promise<void> {
    await Promise.all(
      subscribers.map(async (sub) => {
        const at = sub.position;
        let onPartition: boolean;
        if (at) onPartition = at.topic === gap.topic && at.partition === gap.partition;
        else if (this.topicOf(sub.source) !== gap.topic) onPartition = false;
        else {
          const partition = await this.partitions.partitionOf(sub.source, gap.topic).catch(() => undefined);
          onPartition = partition === undefined || partition === gap.partition;
        }
        if (onPartition && !sub.closed) this.recovery.start(sub, from, 'range-gap-marker');
      }),
    );
  }

  private routeOf(redisChannel: string): RedisRoute {
    let route = this.routes.get(redisChannel);
    if (route === undefined) {
      if (this.routes.size >= MAX_CACHED_ROUTES) this.routes.clear();
      route = this.parser.route(redisChannel);
      this.routes.set(redisChannel, route);
    }
    return route;
  }
}

/** Replay from just before the first skipped offset when the subscription has no position of its own. */
function gapStart(gap: GapMarker, fromOffset: bigint): KafkaPosition {
  return { topic: gap.topic, partition: gap.partition, offset: (fromOffset - 1n).toString() };
}
