import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DUAL_STREAM_RESOLVED_OPTIONS } from '../constants.js';
import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import { InvalidEventError } from '../errors/invalid-event.error.js';
import { PublisherClosedError } from '../errors/publisher-closed.error.js';
import { channelFor, sourceKey } from '../events/event-naming.js';
import { prepareBatch, prepareEvent, type PreparedEvent } from '../events/event-validator.js';
import { validateTopicName } from '../events/topic-name.js';
import type { DualStreamEvent, PublishReceipt } from '../interfaces/dual-stream-event.interface.js';
import { KafkaLane } from './kafka-lane.js';
import type { PendingEvent } from './pending-group.js';
import { PublishPipeline } from './publish-pipeline.js';
import { PublisherMetrics, type PublisherMetricsSnapshot } from './publisher-metrics.js';
import type { PublisherStatus } from './publisher-status.interface.js';
import { RedisLane } from './redis-lane.js';
import { withTimeout } from './with-timeout.js';

/**
 * Durable first, then instant (docs/guarantees.md): concurrent calls are micro-batched into one Kafka `sendBatch`
 * (acks=-1, idempotent, one batch in flight) and, after Kafka acknowledged, one Redis pipeline. Receipts
 * carry each event's Kafka position. Redis never fails a publish.
 */
@Injectable()
export class DualStreamPublisher implements OnModuleInit, OnApplicationShutdown {
  private readonly counters = new PublisherMetrics();
  private readonly kafka: KafkaLane;
  private readonly redis: RedisLane | undefined;
  private readonly pipeline: PublishPipeline;
  private readonly channelPrefix: string;
  private state: PublisherStatus['state'] = 'starting';

  constructor(@Inject(DUAL_STREAM_RESOLVED_OPTIONS) private readonly options: ResolvedDualStreamOptions) {
    this.kafka = new KafkaLane(options);
    this.redis =
      options.realtime.enabled && options.redis !== false ? new RedisLane(options, this.counters) : undefined;
    this.pipeline = new PublishPipeline(options, this.counters, this.kafka, this.redis);
    this.channelPrefix = options.redis === false ? '' : options.redis.channelPrefix;
  }

  /** Connects Kafka (bounded by `durable.timeoutMs`) and starts Redis in the background; never blocks start-up on Redis. */
  async onModuleInit(): Promise<void> {
    this.redis?.start();
    this.state = 'running';
    const { timeoutMs } = this.options.durable;
    try {
      await withTimeout(this.kafka.connect(), timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`));
    } catch (err) {
      this.pipeline.kafkaError = (err as Error).message;
      this.options.logger.error(
        `DualStreamPublisher could not connect to Kafka (${this.options.kafka.brokers.join(',')}): ${(err as Error).message}. ` +
          'Publishing fails with DurablePublishError until Kafka answers; every batch tries again.',
      );
    }
  }

  /** Stops accepting, flushes everything accepted (and callers already waiting for room), then disconnects. */
  async onApplicationShutdown(): Promise<void> {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.state = 'closing';
    this.pipeline.flush();
    // Everything accepted settles by its own deadline; this bound only guards against a bug.
    const { durable, buffer, realtime } = this.options;
    const limit = Date.now() + buffer.maxBlockMs + durable.timeoutMs * 2 + realtime.timeoutMs + 5_000;
    while (!this.pipeline.isDrained && Date.now() < limit) await new Promise((r) => setTimeout(r, 10));
    this.pipeline.buffer.failAll(new PublisherClosedError());
    await this.redis?.close();
    await this.kafka.close();
    this.state = 'closed';
  }

  /** Publishes one event: resolves once Kafka acknowledged it and the Redis attempt finished. */
  publish<T>(event: DualStreamEvent<T>): Promise<PublishReceipt> {
    try {
      this.assertOpen();
      const prepared = prepareEvent(event, this.options.maxEventBytes);
      return this.pipeline.submit([this.pending(prepared)], prepared.bytes).then((receipts) => receipts[0]);
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
      const { buffer } = this.pipeline;
      if (buffer.exceedsCapacity(prepared.length, bytes)) {
        throw new InvalidEventError([
          {
            path: '',
            message: `batch of ${prepared.length} events / ${bytes} bytes can never fit buffer.maxEvents ${buffer.maxEvents} / buffer.maxBytes ${buffer.maxBytes}; split it`,
          },
        ]);
      }
      return this.pipeline.submit(
        prepared.map((p, index) => this.pending(p, index)),
        bytes,
      );
    } catch (err) {
      return this.rejected(err);
    }
  }

  /** For health indicators: Kafka is what readiness needs; an open breaker means degraded realtime. */
  get status(): PublisherStatus {
    const { buffer } = this.pipeline;
    return {
      state: this.state,
      kafka: this.kafka.state,
      ...(this.pipeline.kafkaError ? { kafkaError: this.pipeline.kafkaError } : {}),
      realtime: this.redis ? this.redis.breakerState : 'disabled',
      ...(this.redis ? { redis: this.redis.connectionStatus } : {}),
      bufferedEvents: buffer.bufferedEvents,
      bufferedBytes: buffer.bufferedBytes,
      waitingCallers: buffer.waiting,
      sending: this.pipeline.isSending,
    };
  }

  /** Counters and gauges for Prometheus (counters only grow). */
  metrics(): PublisherMetricsSnapshot {
    return this.counters.snapshot({
      bufferedEvents: this.pipeline.buffer.bufferedEvents,
      bufferedBytes: this.pipeline.buffer.bufferedBytes,
      breakerState: this.redis ? this.redis.breakerState : 'disabled',
    });
  }

  private assertOpen(): void {
    if (this.state === 'closing' || this.state === 'closed') throw new PublisherClosedError();
  }

  private rejected(err: unknown): Promise<never> {
    if (err instanceof InvalidEventError) this.counters.invalidEvents++;
    return Promise.reject(err);
  }

  private pending(prepared: PreparedEvent, index?: number): PendingEvent {
    const { source } = prepared.event;
    return {
      prepared,
      topic: this.topicFor(prepared, index),
      key: sourceKey(source),
      channel: channelFor(this.channelPrefix, source),
    };
  }

  /** The user's `kafka.topic` resolver may throw or return nonsense: that is a bad event, not a crash. */
  private topicFor(prepared: PreparedEvent, index: number | undefined): string {
    let topic: unknown;
    let problem: string | undefined;
    try {
      topic = this.options.kafka.topic(prepared.event);
    } catch (err) {
      problem = `threw: ${(err as Error).message}`;
    }
    problem ??= validateTopicName(topic);
    if (problem === undefined) return topic as string;
    if (typeof topic === 'string') problem = `returned "${topic.slice(0, 80)}", which ${problem}`;
    throw new InvalidEventError([
      { ...(index === undefined ? {} : { index }), path: 'topic', message: `kafka.topic(event) ${problem}` },
    ]);
  }
}
