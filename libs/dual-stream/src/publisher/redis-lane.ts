import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import type { GapMarker, KafkaPosition, RealtimeOutcome } from '../interfaces/dual-stream-event.interface.js';
import { ClusterShards } from '../cluster/cluster-shards.js';
import { rangeGapChannel } from '../events/event-naming.js';
import { CircuitBreaker, type BreakerState } from './circuit-breaker.js';
import { GapTracker } from './gap-tracker.js';
import type { NotificationShards } from './notification-shards.js';
import type { PendingEvent } from './pending-group.js';
import type { PublisherMetrics } from './publisher-metrics.js';
import { RateLimitedWarner } from './rate-limited-warner.js';
import { notificationHead, notificationJson } from './realtime-notification.js';
import { SingleServerShards } from './single-server-shards.js';
import { withTimeout } from './with-timeout.js';

/** Past this many distinct skipped channels, gaps are reported per topic-partition on `{prefix}events:gaps`. */
const MAX_GAP_CHANNELS = 10_000;

/** What RedisLane keeps per shard (the one server, or each master of a cluster). */
interface ShardState {
  readonly key: string;
  readonly breaker: CircuitBreaker;
}

/** Gap markers travel in front of a shard's notifications, so a channel's marker precedes its later events. */
interface Outgoing {
  markers: GapMarker[];
  indexes: number[] | undefined;
}

/**
 * Best-effort Redis announcements: one round trip per shard per Kafka batch (a single server is one shard;
 * a Redis Cluster has one per master), bounded by `realtime.timeoutMs`, never throwing. A circuit breaker per
 * shard skips a shard while it is down. What was skipped or failed is remembered as gap ranges and announced as
 * gap markers to the shard that owns each channel when it next takes notifications (in the same round trip, in
 * front of them: a subscriber sees a channel's marker before that channel's later events and recovers from the
 * position it had), or after `breakerProbeMs` / a successful probe when no traffic comes. The batch's outcome is
 * its worst shard's: `failed`, else `skipped`, else `published`.
 */
export class RedisLane {
  private readonly shards: NotificationShards;
  private readonly states = new Map<string, ShardState>();
  private readonly gaps: GapTracker;
  private readonly warner: RateLimitedWarner;
  private closed = false;
  private flushing = false;
  private gapRetry?: NodeJS.Timeout;

  constructor(
    private readonly options: ResolvedDualStreamOptions,
    private readonly metrics: PublisherMetrics,
    shards?: NotificationShards,
  ) {
    if (options.redis === false) throw new Error('RedisLane needs a redis configuration');
    this.gaps = new GapTracker(MAX_GAP_CHANNELS, rangeGapChannel(options.redis.channelPrefix));
    this.shards = shards ?? (options.redis.sharded ? new ClusterShards(options) : new SingleServerShards(options));
    this.warner = new RateLimitedWarner(options.logger, options.realtime.warnIntervalMs);
  }

  /** `open` while any shard's breaker is open. */
  get breakerState(): BreakerState {
    for (const state of this.states.values()) if (state.breaker.isOpen) return 'open';
    return 'closed';
  }

  get connectionStatus(): string {
    return this.shards.status;
  }

  /** Starts connecting without waiting: Redis being down must not stop the application from starting. */
  start(): void {
    this.shards.connect();
  }

  /**
   * Builds the position-independent part of each notification soon after the batch went to Kafka: the
   * process is idle while Kafka writes the batch, whereas everything done after the ack delays every caller.
   */
  prebuild(batch: readonly PendingEvent[]): void {
    if (this.closed || this.breakerState === 'open') return;
    setImmediate(() => {
      for (const pending of batch) pending.notificationHead ??= notificationHead(pending);
    });
  }

  /**
   * Announces acknowledged events. Resolves (never rejects) once every shard answered or `realtime.timeoutMs`
   * passed, with the outcome of the whole batch.
   */
  async announce(batch: readonly PendingEvent[], positions: readonly KafkaPosition[]): Promise<RealtimeOutcome> {
    const outgoing = this.withPendingMarkers(
      this.shards.route(batch.length, (i) => batch[i].channel),
      batch.length,
    );
    const outcomes = await Promise.all(
      [...outgoing].map(([key, out]) => this.announceShard(this.state(key), batch, positions, out)),
    );
    return outcomes.includes('failed') ? 'failed' : outcomes.includes('skipped') ? 'skipped' : 'published';
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.gapRetry);
    for (const state of this.states.values()) state.breaker.stop();
    if (this.gaps.size > 0 && this.shards.status === 'ready') await this.flushGaps();
    await withTimeout(this.shards.quit(), this.options.realtime.timeoutMs, () => new Error('quit timed out')).catch(
      () => undefined,
    );
    this.shards.disconnect();
  }

  /** Per shard: the batch's events it owns (undefined: all) and the pending gap markers of its channels. */
  private withPendingMarkers(groups: Map<string, number[]> | undefined, count: number): Map<string, Outgoing> {
    const outgoing = new Map<string, Outgoing>();
    if (groups) for (const [key, indexes] of groups) outgoing.set(key, { markers: [], indexes });
    else if (count > 0) outgoing.set(this.shards.only, { markers: [], indexes: undefined });
    if (this.gaps.size === 0) return outgoing;
    const markers = this.gaps.drain();
    const byShard = this.shards.route(markers.length, (i) => markers[i].channel);
    for (const [key, indexes] of byShard ?? [[this.shards.only, markers.map((_, i) => i)] as const]) {
      const out = outgoing.get(key);
      const mine = indexes.map((i) => markers[i]);
      if (out) out.markers = mine;
      else outgoing.set(key, { markers: mine, indexes: [] });
    }
    return outgoing;
  }

  /** The outcome for this shard's events of the batch; undefined when it only carried gap markers. */
  private async announceShard(
    state: ShardState,
    batch: readonly PendingEvent[],
    positions: readonly KafkaPosition[],
    { markers, indexes }: Outgoing,
  ): Promise<RealtimeOutcome | undefined> {
    const count = indexes ? indexes.length : batch.length;
    if (state.breaker.isOpen || this.closed) {
      this.gaps.restore(markers);
      this.recordGaps(batch, positions, indexes);
      this.metrics.realtimeSkipped += count;
      return count > 0 ? 'skipped' : undefined;
    }
    const { inlineData, maxInlineBytes, timeoutMs } = this.options.realtime;
    const messages = new Array<string>((markers.length + count) * 2);
    let m = 0;
    for (const marker of markers) {
      messages[m++] = marker.channel;
      messages[m++] = JSON.stringify(marker);
    }
    for (let j = 0; j < count; j++) {
      const i = indexes ? indexes[j] : j;
      messages[m++] = batch[i].channel;
      messages[m++] = notificationJson(batch[i], positions[i], inlineData, maxInlineBytes);
    }
    try {
      await withTimeout(
        this.shards.publish(state.key, messages),
        timeoutMs,
        () => new Error(`Redis took longer than realtime.timeoutMs ${timeoutMs} ms`),
      );
    } catch (err) {
      this.gaps.restore(markers);
      this.recordGaps(batch, positions, indexes);
      this.metrics.realtimeFailed += count;
      state.breaker.failure();
      this.scheduleGapRetry();
      this.warner.warn(
        `Redis notifications failed (${count} in this batch${this.shardNote(state)}; breaker ${state.breaker.state}): ` +
          `${(err as Error).message}. Publishing to Kafka continues; clients recover the missed events from Kafka ` +
          'through gap markers.',
      );
      return count > 0 ? 'failed' : undefined;
    }
    state.breaker.success();
    this.metrics.realtimePublished += count;
    this.metrics.gapMarkersSent += markers.length;
    return count > 0 ? 'published' : undefined;
  }

  private recordGaps(batch: readonly PendingEvent[], positions: readonly KafkaPosition[], indexes?: number[]): void {
    if (!indexes) batch.forEach((pending, i) => this.gaps.record(pending.channel, positions[i]));
    else for (const i of indexes) this.gaps.record(batch[i].channel, positions[i]);
  }

  /**
   * A failure leaves gap ranges that the next notifications would carry; when traffic stops right after it,
   * there are none, so they are sent on their own after `breakerProbeMs`.
   */
  private scheduleGapRetry(): void {
    if (this.gapRetry || this.closed) return;
    this.gapRetry = setTimeout(() => {
      this.gapRetry = undefined;
      void this.flushGaps();
    }, this.options.realtime.breakerProbeMs);
    this.gapRetry.unref();
  }

  private state(key: string): ShardState {
    let state = this.states.get(key);
    if (!state) {
      const { breakerThreshold, breakerProbeMs } = this.options.realtime;
      const created: ShardState = {
        key,
        breaker: new CircuitBreaker(
          breakerThreshold,
          breakerProbeMs,
          () => this.probe(key),
          (change) => this.onBreaker(created, change),
        ),
      };
      state = created;
      this.states.set(key, state);
    }
    return state;
  }

  private async probe(key: string): Promise<void> {
    await withTimeout(this.shards.probe(key), this.options.realtime.timeoutMs * 4, () => new Error('probe timed out'));
  }

  private shardNote(state: ShardState): string {
    return state.key === this.shards.only ? '' : ` for shard ${state.key}`;
  }

  private onBreaker(state: ShardState, change: BreakerState): void {
    if (change === 'open') {
      this.metrics.breakerOpened++;
      this.options.logger.warn(
        `Redis is unreachable${this.shardNote(state)}: realtime notifications are skipped there until a probe ` +
          `succeeds (probing every ${this.options.realtime.breakerProbeMs} ms). Kafka publishing is unaffected.`,
      );
    } else {
      this.options.logger.log?.(
        `Redis is back${this.shardNote(state)}: realtime notifications resumed; announcing ${this.gaps.size} gap range(s).`,
      );
      void this.flushGaps();
    }
  }

  /** Sends every pending gap marker to the shard owning its channel now; puts back what could not be sent. */
  private async flushGaps(): Promise<void> {
    if (this.flushing || this.gaps.size === 0) return;
    this.flushing = true;
    try {
      const outgoing = this.withPendingMarkers(undefined, 0);
      await Promise.all(
        [...outgoing].map(async ([key, { markers }]) => {
          const state = this.state(key);
          if (state.breaker.isOpen) return this.gaps.restore(markers);
          try {
            const messages = markers.flatMap((marker) => [marker.channel, JSON.stringify(marker)]);
            await withTimeout(
              this.shards.publish(key, messages),
              this.options.realtime.timeoutMs * 4,
              () => new Error('gap markers timed out'),
            );
            this.metrics.gapMarkersSent += markers.length;
          } catch (err) {
            this.gaps.restore(markers);
            this.scheduleGapRetry();
            this.warner.warn(
              `Could not announce ${markers.length} gap marker(s) on Redis${this.shardNote(state)} ` +
                `(${(err as Error).message}); will retry when Redis answers.`,
            );
          }
        }),
      );
    } finally {
      this.flushing = false;
    }
  }
}
