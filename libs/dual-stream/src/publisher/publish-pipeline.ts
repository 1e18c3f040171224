import { performance } from 'node:perf_hooks';
import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import { DurablePublishError } from '../errors/durable-publish.error.js';
import type { KafkaPosition, PublishReceipt, RealtimeOutcome } from '../interfaces/dual-stream-event.interface.js';
import { BatchQueue } from './batch-queue.js';
import type { KafkaLane } from './kafka-lane.js';
import type { PendingEvent, PendingGroup } from './pending-group.js';
import { PublishBuffer } from './publish-buffer.js';
import type { PublisherMetrics } from './publisher-metrics.js';
import { RateLimitedWarner } from './rate-limited-warner.js';
import type { RedisLane } from './redis-lane.js';

const SKIPPED: RealtimeOutcome = 'skipped';

/**
 * Buffer -> micro-batches -> Kafka (one batch in flight) -> Redis -> receipts. Every accepted group is
 * answered: with receipts, or with `DurablePublishError` by its deadline (accept time + durable.timeoutMs).
 */
export class PublishPipeline {
  readonly buffer: PublishBuffer;
  private readonly queue = new BatchQueue();
  private readonly durableWarner: RateLimitedWarner;
  private sending = false;
  /** Once set, batches go out at once instead of lingering. */
  private flushing = false;
  private lingerTimer: NodeJS.Timeout | undefined;
  private lingerImmediate: NodeJS.Immediate | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private expiryAt = Number.POSITIVE_INFINITY;
  /** Redis announcements still running (receipts not yet answered). */
  private announcing = 0;
  /** Reason of the last failed send, cleared by the next success. */
  kafkaError: string | undefined;

  constructor(
    private readonly options: ResolvedDualStreamOptions,
    private readonly metrics: PublisherMetrics,
    private readonly kafka: KafkaLane,
    private readonly redis: RedisLane | undefined,
  ) {
    const { buffer } = options;
    this.buffer = new PublishBuffer(buffer.maxEvents, buffer.maxBytes, buffer.maxBlockMs);
    this.durableWarner = new RateLimitedWarner(options.logger, options.realtime.warnIntervalMs);
  }

  get isSending(): boolean {
    return this.sending;
  }

  /** Nothing queued, waiting, in flight or being announced. */
  get isDrained(): boolean {
    return (
      this.queue.isEmpty &&
      !this.sending &&
      this.announcing === 0 &&
      this.buffer.waiting === 0 &&
      this.buffer.bufferedEvents === 0
    );
  }

  /** Admits one caller's events (waiting for room up to maxBlockMs); resolves with their receipts in order. */
  submit(events: PendingEvent[], bytes: number): Promise<PublishReceipt[]> {
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
          this.metrics.backpressureRejections++;
          reject(err);
        },
      );
    });
  }

  /** From now on send without lingering (shutdown). */
  flush(): void {
    this.flushing = true;
    this.schedule(true);
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
    if (now || this.flushing || this.queue.events >= batch.maxEvents || this.queue.bytes >= batch.maxBytes) {
      if (this.lingerTimer) clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
      void this.pump();
    } else if (!this.lingerTimer && !this.lingerImmediate) {
      // lingerMs 0 still gathers every call made in the same turn of the event loop.
      if (batch.lingerMs <= 0) {
        this.lingerImmediate = setImmediate(() => {
          this.lingerImmediate = undefined;
          void this.pump();
        });
      } else {
        this.lingerTimer = setTimeout(() => {
          this.lingerTimer = undefined;
          void this.pump();
        }, batch.lingerMs);
      }
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
    let batch = groups[0].events;
    if (groups.length > 1) {
      batch = [];
      for (const group of groups) for (const pending of group.events) batch.push(pending);
    }
    const deadline = groups.reduce((min, g) => Math.min(min, g.deadline), Number.POSITIVE_INFINITY);
    const started = performance.now();
    const send = this.kafka.send(batch);
    this.redis?.prebuild(batch);
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        // The callers are answered now, but their room stays taken until the send settles: the buffer bound
        // covers the batch kafkajs still holds.
        for (const group of groups) group.holdRoom = true;
        this.failGroups(
          groups,
          new DurablePublishError(
            `Kafka did not acknowledge ${batch.length} event(s) within durable.timeoutMs ${this.options.durable.timeoutMs} ms; they may or may not be written.`,
            true,
          ),
        );
      },
      Math.max(0, deadline - started),
    );
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
      this.failGroups(
        groups,
        new DurablePublishError(
          `Kafka refused or did not acknowledge ${batch.length} event(s): ${(err as Error).message}.`,
          retriable,
          { cause: err },
        ),
      );
      return;
    }
    clearTimeout(timer);
    releaseHeld();
    this.kafkaError = undefined;
    this.metrics.recordBatch(batch.length, performance.now() - started);
    this.metrics.eventsPublished += batch.length;
    // The Redis lane runs while the next Kafka batch is sent; one connection keeps channel order.
    void this.announce(groups, batch, positions, timedOut);
  }

  private async announce(
    groups: PendingGroup[],
    batch: PendingEvent[],
    positions: KafkaPosition[],
    orphaned: boolean,
  ): Promise<void> {
    this.announcing++;
    try {
      // Redis gets the batch first; the receipts are built while its answer is on the way.
      const redisOutcome = this.redis?.announce(batch, positions);
      if (!this.redis) this.metrics.realtimeSkipped += batch.length;
      const receipts = orphaned ? [] : groups.map((group) => new Array<PublishReceipt>(group.events.length));
      let i = 0;
      for (const list of receipts) {
        for (let k = 0; k < list.length; k++, i++) {
          const { topic, partition, offset } = positions[i];
          list[k] = { id: batch[i].prepared.event.id, topic, partition, offset, realtime: SKIPPED };
        }
      }
      const realtime = redisOutcome ? await redisOutcome : SKIPPED;
      if (orphaned) return; // callers already got DurablePublishError; the events are durable nonetheless
      for (let g = 0; g < groups.length; g++) {
        const list = receipts[g];
        if (realtime !== SKIPPED) for (const receipt of list) receipt.realtime = realtime;
        groups[g].resolve(list);
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
    this.metrics.durableFailures += failed;
    this.durableWarner.warn(
      `DualStreamPublisher: ${failed} event(s) not acknowledged by Kafka: ${err.message.split('. Check that')[0]}`,
    );
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
    if (expired.length > 0) {
      this.failGroups(
        expired,
        new DurablePublishError(
          `Kafka did not acknowledge within durable.timeoutMs ${this.options.durable.timeoutMs} ms (the event waited behind an unacknowledged batch and was not sent).`,
          true,
        ),
      );
    }
    this.armExpiry();
  }
}

/**
 * Only a broker that refused the records for good (a protocol error Kafka marks non-retriable: too large,
 * not authorized, invalid topic) makes retrying pointless; connection trouble and exhausted retries do not.
 */
function isRetriable(err: unknown): boolean {
  let e = err as { retriable?: boolean; type?: string; cause?: unknown; originalError?: unknown } | undefined;
  for (let depth = 0; e && depth < 10; depth++, e = (e.cause ?? e.originalError) as typeof e) {
    if (typeof e.type === 'string' && e.retriable === false) return false;
  }
  return true;
}
