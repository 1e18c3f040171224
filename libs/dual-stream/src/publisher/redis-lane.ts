import type { Redis } from 'ioredis';
import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import type { KafkaPosition, RealtimeOutcome } from '../interfaces/dual-stream-event.interface.js';
import { rangeGapChannel } from '../events/event-naming.js';
import { createRedisConnection } from '../redis-connection.factory.js';
import { CircuitBreaker, type BreakerState } from './circuit-breaker.js';
import { GapTracker } from './gap-tracker.js';
import type { PendingEvent } from './pending-group.js';
import type { PublisherMetrics } from './publisher-metrics.js';
import { RateLimitedWarner } from './rate-limited-warner.js';
import { RedisMultiPublish } from './redis-multi-publish.js';
import { notificationHead, notificationJson } from './realtime-notification.js';
import { withTimeout } from './with-timeout.js';

/** Past this many distinct skipped channels, gaps are reported per topic-partition on `{prefix}events:gaps`. */
const MAX_GAP_CHANNELS = 10_000;

/**
 * Best-effort Redis announcements: one round trip of PUBLISHes per Kafka batch, bounded by
 * `realtime.timeoutMs`, never throwing. A circuit breaker skips Redis while it is down; what was skipped or
 * failed is announced as gap markers once a probe or a pipeline succeeds again.
 */
export class RedisLane {
  private readonly redis: Redis;
  private readonly publisher: RedisMultiPublish;
  private readonly breaker: CircuitBreaker;
  private readonly gaps: GapTracker;
  private readonly warner: RateLimitedWarner;
  private readonly prefix: string;
  private flushingGaps = false;
  private closed = false;

  constructor(
    private readonly options: ResolvedDualStreamOptions,
    private readonly metrics: PublisherMetrics,
  ) {
    if (options.redis === false) throw new Error('RedisLane needs a redis configuration');
    this.prefix = options.redis.channelPrefix;
    const { realtime } = options;
    this.redis = createRedisConnection(options, 'dual-stream-publisher', { lazyConnect: true });
    this.publisher = new RedisMultiPublish(this.redis, options.logger);
    this.warner = new RateLimitedWarner(options.logger, realtime.warnIntervalMs);
    this.gaps = new GapTracker(MAX_GAP_CHANNELS, rangeGapChannel(this.prefix));
    this.breaker = new CircuitBreaker(
      realtime.breakerThreshold,
      realtime.breakerProbeMs,
      () => this.ping(),
      (state) => this.onBreaker(state),
    );
  }

  get breakerState(): BreakerState {
    return this.breaker.state;
  }

  get connectionStatus(): string {
    return this.redis.status;
  }

  /** Starts connecting without waiting: Redis being down must not stop the application from starting. */
  start(): void {
    this.redis.connect().catch(() => undefined);
  }

  /**
   * Builds the position-independent part of each notification soon after the batch went to Kafka: the
   * process is idle while Kafka writes the batch, whereas everything done after the ack delays every caller.
   */
  prebuild(batch: readonly PendingEvent[]): void {
    if (this.breaker.isOpen || this.closed) return;
    setImmediate(() => {
      for (const pending of batch) pending.notificationHead ??= notificationHead(pending);
    });
  }

  /**
   * Announces acknowledged events. Resolves (never rejects) once Redis answered or `realtime.timeoutMs`
   * passed, with the outcome of the whole batch (one round trip: all of it succeeds or fails together).
   */
  async announce(batch: readonly PendingEvent[], positions: readonly KafkaPosition[]): Promise<RealtimeOutcome> {
    if (this.breaker.isOpen || this.closed) {
      batch.forEach((pending, i) => this.gaps.record(pending.channel, positions[i]));
      this.metrics.realtimeSkipped += batch.length;
      return 'skipped';
    }
    const { inlineData, maxInlineBytes, timeoutMs } = this.options.realtime;
    const messages = new Array<string>(batch.length * 2);
    for (let i = 0; i < batch.length; i++) {
      messages[2 * i] = batch[i].channel;
      messages[2 * i + 1] = notificationJson(batch[i], positions[i], inlineData, maxInlineBytes);
    }
    try {
      await withTimeout(
        this.publisher.publish(messages),
        timeoutMs,
        () => new Error(`Redis took longer than realtime.timeoutMs ${timeoutMs} ms`),
      );
    } catch (err) {
      return this.failed(batch, positions, err as Error);
    }
    this.breaker.success();
    this.metrics.realtimePublished += batch.length;
    if (this.gaps.size > 0) void this.flushGaps();
    return 'published';
  }

  async close(): Promise<void> {
    this.closed = true;
    this.breaker.stop();
    if (this.gaps.size > 0 && this.redis.status === 'ready') await this.flushGaps();
    await withTimeout(this.redis.quit(), this.options.realtime.timeoutMs, () => new Error('quit timed out')).catch(
      () => undefined,
    );
    this.redis.disconnect();
  }

  private failed(batch: readonly PendingEvent[], positions: readonly KafkaPosition[], err: Error): RealtimeOutcome {
    batch.forEach((pending, i) => this.gaps.record(pending.channel, positions[i]));
    this.metrics.realtimeFailed += batch.length;
    this.breaker.failure();
    this.warner.warn(
      `Redis notifications failed (${batch.length} in this batch; breaker ${this.breaker.state}): ${err.message}. ` +
        'Publishing to Kafka continues; clients recover the missed events from Kafka through gap markers.',
    );
    return 'failed';
  }

  private async ping(): Promise<void> {
    await withTimeout(this.redis.ping(), this.options.realtime.timeoutMs, () => new Error('PING timed out'));
  }

  private onBreaker(state: BreakerState): void {
    if (state === 'open') {
      this.metrics.breakerOpened++;
      this.options.logger.warn(
        `Redis is unreachable: realtime notifications are skipped until a PING succeeds (probing every ${this.options.realtime.breakerProbeMs} ms). Kafka publishing is unaffected.`,
      );
    } else {
      this.options.logger.log?.(
        `Redis is back: realtime notifications resumed; announcing ${this.gaps.size} gap range(s).`,
      );
      void this.flushGaps();
    }
  }

  /** Publishes one gap marker per tracked range; puts them back if Redis fails again. */
  private async flushGaps(): Promise<void> {
    if (this.flushingGaps) return;
    this.flushingGaps = true;
    const markers = this.gaps.drain();
    try {
      const messages = markers.flatMap((marker) => [marker.channel, JSON.stringify(marker)]);
      await withTimeout(
        this.publisher.publish(messages),
        this.options.realtime.timeoutMs * 4,
        () => new Error('gap markers timed out'),
      );
      this.metrics.gapMarkersSent += markers.length;
    } catch (err) {
      this.gaps.restore(markers);
      this.warner.warn(
        `Could not announce ${markers.length} gap marker(s) on Redis (${(err as Error).message}); will retry when Redis answers.`,
      );
    } finally {
      this.flushingGaps = false;
    }
  }
}
