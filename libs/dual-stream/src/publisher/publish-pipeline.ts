import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import { DurablePublishError } from '../errors/durable-publish.error.js';
import type { KafkaPosition, PublishReceipt, RealtimeOutcome } from '../interfaces/dual-stream-event.interface.js';
import { isRetriable } from '../transport/failure-classifier.js';
import { BatchQueue, type BatchLimits, type BatchSlice, type KafkaBatch } from './batch-queue.js';
import { DeadlineWatch } from './deadline-watch.js';
import type { KafkaLane } from './kafka-lane.js';
import { LingerTimer } from './linger-timer.js';
import { PendingGroup, type PendingEvent } from './pending-group.js';
import { PublishBuffer } from './publish-buffer.js';
import type { PublisherMetrics } from './publisher-metrics.js';
import { RateLimitedWarner } from './rate-limited-warner.js';
import type { RedisLane } from './redis-lane.js';
import type { RequestSizeLimit } from './request-size-limit.js';

/** What the pipeline needs of the Kafka lane (a fake in unit tests). */
export type KafkaSender = Pick<KafkaLane, 'send' | 'reset'>;
/** What the pipeline needs of the Redis lane (a fake in unit tests). */
export type RealtimeAnnouncer = Pick<RedisLane, 'prebuild' | 'announce'>;

/**
 * Buffer -> batches -> Kafka (one produce request in flight) -> Redis -> receipts. Every accepted call is
 * answered by its deadline (accept time + durable.timeoutMs), whatever it is waiting for: with receipts once
 * Kafka acknowledged all its events (and Redis answered, or `realtime: 'failed'` if Redis had not by then), or
 * with `DurablePublishError`. One `DeadlineWatch` over every accepted call keeps that promise; the Kafka and
 * Redis lanes never decide when a caller is answered.
 */
export class PublishPipeline {
  readonly buffer: PublishBuffer;
  private readonly queue = new BatchQueue();
  private readonly deadlines = new DeadlineWatch<PendingGroup>((groups) => this.expire(groups));
  private readonly linger: LingerTimer;
  private readonly durableWarner: RateLimitedWarner;
  private sending = false;
  /** Once set, batches go out at once instead of lingering. */
  private flushing = false;
  /** Redis announcements still running. */
  private announcing = 0;
  /** Reason of the last failed send, cleared by the next success. */
  kafkaError: string | undefined;

  constructor(
    private readonly options: ResolvedDualStreamOptions,
    private readonly metrics: PublisherMetrics,
    private readonly kafka: KafkaSender,
    private readonly redis: RealtimeAnnouncer | undefined,
    private readonly requestLimit: RequestSizeLimit,
  ) {
    const { buffer, batch, realtime } = options;
    this.buffer = new PublishBuffer(buffer.maxEvents, buffer.maxBytes, buffer.maxBlockMs);
    this.linger = new LingerTimer(batch.lingerMs, () => void this.pump());
    this.durableWarner = new RateLimitedWarner(options.logger, realtime.warnIntervalMs);
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

  /**
   * Admits one caller's events (waiting for room up to maxBlockMs); resolves with their receipts in order.
   * `bytes` is the sum of their record bytes.
   */
  submit(events: PendingEvent[], bytes: number): Promise<PublishReceipt[]> {
    return new Promise<PublishReceipt[]>((resolve, reject) => {
      const group = new PendingGroup(events, bytes, resolve, reject);
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

  /** Stops the deadline timer (after shutdown drained everything). */
  close(): void {
    this.deadlines.stop();
    this.linger.cancel();
  }

  private enqueue(group: PendingGroup): void {
    group.deadline = performance.now() + this.options.durable.timeoutMs;
    this.queue.push(group);
    this.deadlines.add(group);
    this.schedule(false);
  }

  private get limits(): BatchLimits {
    const { maxEvents, maxBytes } = this.options.batch;
    return { maxEvents, maxBytes, requestBytes: this.requestLimit.recordBytes };
  }

  /** Starts a batch now (full batch, or shutting down) or after the linger; never while one is in flight. */
  private schedule(now: boolean): void {
    if (this.sending || this.queue.isEmpty) return;
    const { maxEvents, maxBytes, requestBytes } = this.limits;
    const full = this.queue.events >= maxEvents || this.queue.bytes >= Math.min(maxBytes, requestBytes);
    if (now || this.flushing || full) {
      this.linger.cancel();
      void this.pump();
    } else {
      this.linger.start();
    }
  }

  /** Sends batches one at a time until the queue is empty. */
  private async pump(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      for (let batch = this.queue.take(this.limits); batch; batch = this.queue.take(this.limits)) {
        await this.send(batch);
      }
    } finally {
      this.sending = false;
    }
    // Calls that arrived while the last send settled.
    this.schedule(false);
  }

  /**
   * One produce request. Never throws; returns only once kafkajs settled it, even when its callers were
   * answered at their deadline before: a second send on the same idempotent producer while this one still
   * retries would lose data (kafkajs issue 1005). Calls queued meanwhile are answered by their deadline.
   */
  private async send(batch: KafkaBatch): Promise<void> {
    const { slices, events } = batch;
    for (const { group } of slices) group.inFlight = true;
    const started = performance.now();
    const sending = this.kafka.send(events);
    this.redis?.prebuild(events);
    let positions: KafkaPosition[];
    try {
      positions = await sending;
    } catch (err) {
      this.landed(slices);
      this.kafka.reset();
      const reason = `Kafka refused or did not acknowledge ${events.length} event(s): ${(err as Error).message}.`;
      this.kafkaError = (err as Error).message;
      const retriable = isRetriable(err);
      this.fail(
        slices.map((s) => s.group),
        (group) => new DurablePublishError(reason, retriable, { cause: err, acknowledged: group.acknowledged }),
      );
      return;
    }
    this.landed(slices);
    this.kafkaError = undefined;
    this.metrics.recordBatch(events.length, performance.now() - started);
    this.metrics.eventsPublished += events.length;
    // Redis gets the batch first; the receipts are built while its answer is on the way. It runs while the
    // next Kafka batch is sent; one connection keeps channel order.
    const outcome = this.redis?.announce(events, positions);
    let at = 0;
    for (const { group, from, to } of slices) {
      group.acknowledge(from, to, positions, at);
      group.announcing++;
      at += to - from;
    }
    void this.announced(slices, events.length, outcome);
  }

  /** kafkajs settled the request: room of calls answered meanwhile can be reused now. */
  private landed(slices: readonly BatchSlice[]): void {
    for (const { group } of slices) {
      group.inFlight = false;
      if (group.holdsRoom) {
        group.holdsRoom = false;
        this.buffer.release(group.events.length, group.bytes);
      }
    }
  }

  private async announced(
    slices: readonly BatchSlice[],
    events: number,
    outcome: Promise<RealtimeOutcome> | undefined,
  ): Promise<void> {
    this.announcing++;
    try {
      if (!outcome) this.metrics.realtimeSkipped += events;
      const realtime = outcome ? await outcome : 'skipped';
      for (const { group, from, to } of slices) {
        group.announced(from, to, realtime);
        // Answered already when its deadline came first, or failed by a later request of the same call.
        if (group.isComplete && this.settle(group)) group.resolve();
      }
    } finally {
      this.announcing--;
    }
  }

  /** Marks the group answered and frees its buffer room (later, if kafkajs still holds its events). */
  private settle(group: PendingGroup): boolean {
    if (group.settled) return false;
    group.settled = true;
    if (group.inFlight) group.holdsRoom = true;
    else this.buffer.release(group.events.length, group.bytes);
    return true;
  }

  /** Deadline passed: answer with what is known now. */
  private expire(groups: readonly PendingGroup[]): void {
    const { timeoutMs } = this.options.durable;
    const unacknowledged: PendingGroup[] = [];
    for (const group of groups) {
      // Kafka acknowledged everything and only Redis has not answered: receipts, with `realtime: 'failed'`.
      if (group.isAcknowledged) {
        if (this.settle(group)) group.resolve();
      } else {
        unacknowledged.push(group);
      }
    }
    this.fail(unacknowledged, (group) =>
      group.sent === 0
        ? new DurablePublishError(
            `Kafka did not acknowledge within durable.timeoutMs ${timeoutMs} ms: ${group.events.length} event(s) waited behind an unacknowledged batch and were not sent.`,
            true,
          )
        : new DurablePublishError(
            `Kafka did not acknowledge ${group.events.length - group.acknowledged} event(s) within durable.timeoutMs ${timeoutMs} ms; they may or may not be written.`,
            true,
            { acknowledged: group.acknowledged },
          ),
    );
    this.queue.dropSettledHead();
  }

  private fail(groups: readonly PendingGroup[], errorFor: (group: PendingGroup) => DurablePublishError): void {
    let failed = 0;
    let first: DurablePublishError | undefined;
    for (const group of groups) {
      if (!this.settle(group)) continue;
      const err = errorFor(group);
      first ??= err;
      failed += group.events.length;
      group.reject(err);
    }
    if (!first) return;
    this.metrics.durableFailures += failed;
    this.durableWarner.warn(`DualStreamPublisher: ${failed} event(s) not acknowledged by Kafka: ${first.reason}`);
  }
}
