import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import { DurablePublishError } from '../errors/durable-publish.error.js';
import { InvalidEventError } from '../errors/invalid-event.error.js';
import { PublisherClosedError } from '../errors/publisher-closed.error.js';
import { channelFor, sourceKey } from '../events/event-naming.js';
import { prepareBatch, prepareEvent, type PreparedEvent } from '../events/event-validator.js';
import type { DualStreamEvent, KafkaPosition, PublishReceipt, RealtimeOutcome } from '../interfaces/dual-stream-event.interface.js';
import { BatchQueue } from './batch-queue.js';
import { KafkaLane } from './kafka-lane.js';
import type { PendingEvent, PendingGroup } from './pending-group.js';
import { PublishBuffer } from './publish-buffer.js';
import { PublisherMetrics, type PublisherMetricsSnapshot } from './publisher-metrics.js';
import type { PublisherStatus } from './publisher-status.interface.js';
import { RateLimitedWarner } from './rate-limited-warner.js';
import { RedisLane } from './redis-lane.js';
import { RESOLVED_OPTIONS } from './resolved-options.token.js';
import { withTimeout } from './with-timeout.js';

const SKIPPED: RealtimeOutcome = 'skipped';

/**
 * Durable first, then instant (DESIGN §5): concurrent calls are micro-batched into one Kafka `sendBatch`
 * (acks=-1, idempotent, one batch in flight) and, after Kafka acknowledged, one Redis pipeline. Receipts
 * carry each event's Kafka position. Redis never fails a publish.
 */
@Injectable()
export class DualStreamPublisher implements OnModuleInit, OnApplicationShutdown {
  private readonly metricsRegistry = new PublisherMetrics();
  private readonly buffer: PublishBuffer;
  private readonly queue = new BatchQueue();
  private readonly kafka: KafkaLane;
  private readonly redis: RedisLane | undefined;
  private state: PublisherStatus['state'] = 'starting';
  private sending = false;
  private lingerTimer: NodeJS.Timeout | undefined;
  private lingerImmediate: NodeJS.Immediate | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private expiryAt = Number.POSITIVE_INFINITY;
  /** Redis announcements still running (receipts not yet answered). */
  private announcing = 0;
  private kafkaError: string | undefined;
  private readonly topicOf: (event: DualStreamEvent) => string;
  private readonly durableWarner: RateLimitedWarner;

  constructor(@Inject(RESOLVED_OPTIONS) private readonly options: ResolvedDualStreamOptions) {
    const { buffer } = options;
    this.buffer = new PublishBuffer(buffer.maxEvents, buffer.maxBytes, buffer.maxBlockMs);
    this.kafka = new KafkaLane(options);
    this.redis = options.realtime.enabled && options.redis !== false ? new RedisLane(options, this.metricsRegistry) : undefined;
    this.topicOf = options.kafka.topic;
    this.durableWarner = new RateLimitedWarner(options.logger, options.realtime.warnIntervalMs);
  }

  /** Connects Kafka (bounded by `durable.timeoutMs`) and starts Redis in the background; never blocks start-up on Redis. */
  async onModuleInit(): Promise<void> {
    this.redis?.start();
    this.state = 'running';
    const { timeoutMs } = this.options.durable;
    try {
      await withTimeout(this.kafka.connect(), timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`));
      this.kafkaError = undefined;
    } catch (err) {
      this.kafkaError = (err as Error).message;
      this.options.logger.error(
        `DualStreamPublisher could not connect to Kafka (${this.options.kafka.brokers.join(',')}): ${this.kafkaError}. ` +
          'Publishing fails with DurablePublishError until Kafka answers; it keeps trying on every publish.',
      );
    }
  }

  /** Stops accepting, flushes everything accepted (and callers already waiting for room), then disconnects. */
  async onApplicationShutdown(): Promise<void> {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.state = 'closing';
    this.schedule(true);
    // Everything accepted settles by its own deadline; this bound only guards against a bug.
    const { durable, buffer, realtime } = this.options;
    const limit = Date.now() + buffer.maxBlockMs + durable.timeoutMs * 2 + realtime.timeoutMs + 5_000;
    while (!this.isDrained() && Date.now() < limit) await new Promise((r) => setTimeout(r, 10));
    this.buffer.failAll(new PublisherClosedError());
    await this.redis?.close();
    await this.kafka.close();
    this.state = 'closed';
  }

  /** Publishes one event: resolves once Kafka acknowledged it and the Redis attempt finished. */
  publish<T>(event: DualStreamEvent<T>): Promise<PublishReceipt> {
    try {
      this.assertOpen();
      const prepared = prepareEvent(event, this.options.maxEventBytes);
      return this.admit([prepared]).then((receipts) => receipts[0]);
    } catch (err) {
      return this.rejected(err);
    }
  }

  /** All-or-nothing validation; the events go to Kafka in one `sendBatch`, in order. */
  publishBatch<T>(events: readonly DualStreamEvent<T>[]): Promise<PublishReceipt[]> {
    try {
      this.assertOpen();
      const prepared = prepareBatch(events, this.options.maxEventBytes);
      if (prepared.length === 0) return Promise.resolve([]);
      const bytes = prepared.reduce((sum, p) => sum + p.bytes, 0);
      if (this.buffer.exceedsCapacity(prepared.length, bytes))
        throw new InvalidEventError([
          { path: '', message: `batch of ${prepared.length} events / ${bytes} bytes can never fit buffer.maxEvents ${this.buffer.maxEvents} / buffer.maxBytes ${this.buffer.maxBytes}; split it` },
        ]);
      return this.admit(prepared, bytes);
    } catch (err) {
      return this.rejected(err);
    }
  }

  get status(): PublisherStatus {
    return {
      state: this.state,
      kafka: this.kafka.state,
      ...(this.kafkaError ? { kafkaError: this.kafkaError } : {}),
      realtime: this.redis ? this.redis.breakerState : 'disabled',
      ...(this.redis ? { redis: this.redis.connectionStatus } : {}),
      bufferedEvents: this.buffer.bufferedEvents,
      bufferedBytes: this.buffer.bufferedBytes,
      waitingCallers: this.buffer.waiting,
      sending: this.sending,
    };
  }

  metrics(): PublisherMetricsSnapshot {
    return this.metricsRegistry.snapshot({
      bufferedEvents: this.buffer.bufferedEvents,
      bufferedBytes: this.buffer.bufferedBytes,
      breakerState: this.redis ? this.redis.breakerState : 'disabled',
    });
  }

  private assertOpen(): void {
    if (this.state === 'closing' || this.state === 'closed') throw new PublisherClosedError();
  }

  private rejected(err: unknown): Promise<never> {
    if (err instanceof InvalidEventError) this.metricsRegistry.invalidEvents++;
    return Promise.reject(err);
  }

  private admit(prepared: PreparedEvent[], bytes = prepared[0].bytes): Promise<PublishReceipt[]> {
    const prefix = this.options.redis === false ? '' : this.options.redis.channelPrefix;
    const events: PendingEvent[] = prepared.map((p, index) => ({
      prepared: p,
      topic: this.topicFor(p, prepared.length > 1 ? index : undefined),
      key: sourceKey(p.event.source),
      channel: channelFor(prefix, p.event.source),
    }));
    return new Promise<PublishReceipt[]>((resolve, reject) => {
      const group: PendingGroup = {
        events,
        bytes,
        deadline: 0,
        settled: false,
        resolve: (receipts) => this.settle(group, () => resolve(receipts)),
        reject: (err) => this.settle(group, () => reject(err)),
      };
      // Enqueued synchronously when granted, so per-source call order is kept even through backpressure.
      this.buffer.acquire(
        events.length,
        bytes,
        () => this.enqueue(group),
        (err) => {
          this.metricsRegistry.backpressureRejections++;
          reject(err);
        },
      );
    });
  }

  /** The user's `kafka.topic` resolver may throw or return nonsense: that is a bad event, not a crash. */
  private topicFor(prepared: PreparedEvent, index: number | undefined): string {
    let topic: unknown;
    let reason = 'must return a non-empty topic name of at most 249 characters';
    try {
      topic = this.topicOf(prepared.event);
    } catch (err) {
      reason = `threw: ${(err as Error).message}`;
    }
    if (typeof topic === 'string' && topic.length > 0 && topic.length <= 249) return topic;
    throw new InvalidEventError([{ ...(index === undefined ? {} : { index }), path: 'topic', message: `kafka.topic(event) ${reason}` }]);
  }

  private settle(group: PendingGroup, answer: () => void): void {
    if (group.settled) return;
    group.settled = true;
    if (!group.holdRoom) this.buffer.release(group.events.length, group.bytes);
    answer();
  }

  private enqueue(group: PendingGroup): void {
    group.deadline = performance.now() + this.options.durable.timeoutMs;
    this.queue.push(group);
    this.armExpiry();
    this.schedule(false);
  }

  /** Starts a batch now (full batch, or shutting down) or after the linger; never while one is in flight. */
  private schedule(now: boolean): void {
    if (this.sending || this.queue.isEmpty) return;
    const { batch } = this.options;
    if (now || this.state !== 'running' || this.queue.events >= batch.maxEvents || this.queue.bytes >= batch.maxBytes) {
      if (this.lingerTimer) clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
      void this.pump();
    } else if (!this.lingerTimer && !this.lingerImmediate) {
      // lingerMs 0 still gathers every call made in the same turn of the event loop.
      if (batch.lingerMs <= 0)
        this.lingerImmediate = setImmediate(() => {
          this.lingerImmediate = undefined;
          void this.pump();
        });
      else
        this.lingerTimer = setTimeout(() => {
          this.lingerTimer = undefined;
          void this.pump();
        }, batch.lingerMs);
    }
  }

  /** Sends batches one at a time until the queue is empty. */
  private async pump(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      const { maxEvents, maxBytes } = this.options.batch;
      for (;;) {
        const groups = this.queue.take(maxEvents, maxBytes);
        if (groups.length === 0) break;
        await this.sendGroups(groups);
      }
    } finally {
      this.sending = false;
    }
    // Groups that arrived while the last send settled.
    this.schedule(false);
  }

  /** One Kafka batch. Never throws; answers every group. Returns only once the send settled. */
  private async sendGroups(groups: PendingGroup[]): Promise<void> {
    const batch = groups.length === 1 ? groups[0].events : groups.flatMap((g) => g.events);
    const deadline = groups.reduce((min, g) => Math.min(min, g.deadline), Number.POSITIVE_INFINITY);
    const started = performance.now();
    const send = this.kafka.send(batch);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // The callers are answered now, but their room stays taken until the send settles: the buffer bound
      // covers the batch kafkajs still holds.
      for (const group of groups) group.holdRoom = true;
      this.failGroups(groups, new DurablePublishError(`Kafka did not acknowledge ${batch.length} event(s) within durable.timeoutMs ${this.options.durable.timeoutMs} ms; they may or may not be written.`, true));
    }, Math.max(0, deadline - started));
    timer.unref();
    const releaseHeld = () => {
      for (const group of groups) if (group.holdRoom) this.buffer.release(group.events.length, group.bytes);
    };
    let positions: KafkaPosition[];
    try {
      // Even after a timeout the send is awaited: a second send on the same idempotent producer while this
      // one still retries would lose data (kafkajs issue 1005). Queued groups expire meanwhile.
      positions = await send;
    } catch (err) {
      clearTimeout(timer);
      releaseHeld();
      this.kafka.reset();
      this.kafkaError = (err as Error).message;
      const retriable = isRetriable(err);
      this.failGroups(groups, new DurablePublishError(`Kafka refused or did not acknowledge ${batch.length} event(s): ${(err as Error).message}.`, retriable, { cause: err }));
      return;
    }
    clearTimeout(timer);
    releaseHeld();
    this.kafkaError = undefined;
    this.metricsRegistry.recordBatch(batch.length, performance.now() - started);
    this.metricsRegistry.eventsPublished += batch.length;
    // The Redis lane runs while the next Kafka batch is sent; one connection keeps channel order.
    void this.announce(groups, batch, positions, timedOut);
  }

  private async announce(groups: PendingGroup[], batch: PendingEvent[], positions: KafkaPosition[], orphaned: boolean): Promise<void> {
    this.announcing++;
    try {
      let outcomes: RealtimeOutcome[] | undefined;
      if (this.redis) outcomes = await this.redis.announce(batch, positions);
      else this.metricsRegistry.realtimeSkipped += batch.length;
      if (orphaned) return; // callers already got DurablePublishError; the events are durable nonetheless
      let i = 0;
      for (const group of groups) {
        group.resolve(
          group.events.map((pending) => {
            const position = positions[i];
            const realtime = outcomes ? outcomes[i] : SKIPPED;
            i++;
            return { id: pending.prepared.event.id, ...position, realtime };
          }),
        );
      }
    } finally {
      this.announcing--;
    }
  }

  private failGroups(groups: PendingGroup[], err: DurablePublishError): void {
    let failed = 0;
    for (const group of groups) {
      if (group.settled) continue;
      failed += group.events.length;
      group.reject(err);
    }
    if (failed === 0) return;
    this.metricsRegistry.durableFailures += failed;
    this.durableWarner.warn(`DualStreamPublisher: ${failed} event(s) not acknowledged by Kafka: ${err.message.split('. Check that')[0]}`);
  }

  /** One timer for the oldest queued group: queued groups expire in order (their deadlines grow). */
  private armExpiry(): void {
    const next = this.queue.headDeadline;
    if (next === undefined || next >= this.expiryAt) return;
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryAt = next;
    this.expiryTimer = setTimeout(() => this.expireQueued(), Math.max(0, next - performance.now()) + 1);
    this.expiryTimer.unref();
  }

  private expireQueued(): void {
    this.expiryTimer = undefined;
    this.expiryAt = Number.POSITIVE_INFINITY;
    const expired = this.queue.expire(performance.now());
    if (expired.length > 0)
      this.failGroups(
        expired,
        new DurablePublishError(`Kafka did not acknowledge within durable.timeoutMs ${this.options.durable.timeoutMs} ms (the event waited behind an unacknowledged batch and was not sent).`, true),
      );
    this.armExpiry();
  }

  private isDrained(): boolean {
    return this.queue.isEmpty && !this.sending && this.announcing === 0 && this.buffer.waiting === 0 && this.buffer.bufferedEvents === 0;
  }
}

/**
 * Only a broker that refused the records for good (a protocol error Kafka marks non-retriable: too large,
 * not authorized, invalid topic) makes retrying pointless; connection trouble and exhausted retries do not.
 */
function isRetriable(err: unknown): boolean {
  for (let e = err as { retriable?: boolean; type?: string; cause?: unknown; originalError?: unknown } | undefined; e; e = (e.cause ?? e.originalError) as typeof e) {
    if (typeof e.type === 'string' && e.retriable === false) return false;
    if (e === e.cause) break;
  }
  return true;
}
