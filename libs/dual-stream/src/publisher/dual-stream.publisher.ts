import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DUAL_STREAM_RESOLVED_OPTIONS } from '../constants.js';
import { KAFKA_DEFAULT_MESSAGE_MAX_BYTES, type ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import { InvalidEventError, type EventProblem } from '../errors/invalid-event.error.js';
import { PublisherClosedError } from '../errors/publisher-closed.error.js';
import { channelFor, sourceKey } from '../events/event-naming.js';
import { prepareBatch, prepareEvent, type PreparedEvent } from '../events/event-validator.js';
import { validateTopicName } from '../events/topic-name.js';
import type { DualStreamEvent, PublishReceipt } from '../interfaces/dual-stream-event.interface.js';
import { KafkaLane } from './kafka-lane.js';
import { recordBytes } from './kafka-records.js';
import type { PendingEvent } from './pending-group.js';
import { PublishPipeline } from './publish-pipeline.js';
import { PublisherMetrics, type PublisherMetricsSnapshot } from './publisher-metrics.js';
import type { PublisherStatus } from './publisher-status.interface.js';
import { RedisLane } from './redis-lane.js';
import { RequestSizeLimit } from './request-size-limit.js';
import { withTimeout } from './with-timeout.js';

/**
 * Durable first, then instant (docs/guarantees.md): concurrent calls are micro-batched into one Kafka `sendBatch`
 * (acks=-1, idempotent, one batch in flight, never over the broker's `message.max.bytes`) and, after Kafka
 * acknowledged, one Redis pipeline. Receipts carry each event's Kafka position. Redis never fails a publish.
 */
@Injectable()
export class DualStreamPublisher implements OnModuleInit, OnApplicationShutdown {
  private readonly counters = new PublisherMetrics();
  private readonly kafka: KafkaLane;
  private readonly redis: RedisLane | undefined;
  private readonly pipeline: PublishPipeline;
  private readonly channelPrefix: string;
  private readonly requestLimit: RequestSizeLimit;
  private limitRetry: NodeJS.Timeout | undefined;
  private state: PublisherStatus['state'] = 'starting';

  constructor(@Inject(DUAL_STREAM_RESOLVED_OPTIONS) private readonly options: ResolvedDualStreamOptions) {
    this.kafka = new KafkaLane(options);
    this.redis =
      options.realtime.enabled && options.redis !== false ? new RedisLane(options, this.counters) : undefined;
    const { messageMaxBytes } = options.kafka;
    this.requestLimit =
      messageMaxBytes === 'broker'
        ? new RequestSizeLimit(KAFKA_DEFAULT_MESSAGE_MAX_BYTES, 'default')
        : new RequestSizeLimit(messageMaxBytes, 'option');
    this.pipeline = new PublishPipeline(options, this.counters, this.kafka, this.redis, this.requestLimit);
    this.channelPrefix = options.redis === false ? '' : options.redis.channelPrefix;
  }

  /**
   * Connects Kafka and reads the brokers' `message.max.bytes` (each bounded by `durable.timeoutMs`), and starts
   * Redis in the background; never blocks start-up on Redis.
   */
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
      // Kafka is not answering: asking it for its limit too would only delay start-up.
      if (this.requestLimit.source === 'default') this.retryRequestLimit();
      return;
    }
    if (this.requestLimit.source === 'default') await this.readRequestLimit();
  }

  /**
   * Reads `message.max.bytes` from the brokers; until that succeeds Kafka's default applies and it is tried
   * again every `durable.timeoutMs`. Set `kafka.messageMaxBytes` to skip it (no DescribeConfigs permission).
   */
  private async readRequestLimit(): Promise<void> {
    const { timeoutMs } = this.options.durable;
    try {
      const max = await withTimeout(
        this.kafka.readMessageMaxBytes(),
        timeoutMs,
        () => new Error(`no answer within ${timeoutMs} ms`),
      );
      this.requestLimit.update(max, 'broker');
    } catch (err) {
      if (this.state !== 'running') return;
      // Once: while Kafka is down the retries would only repeat what the connection errors already say.
      if (!this.limitRetry) {
        this.options.logger.warn(
          `DualStreamPublisher could not read message.max.bytes from the brokers (${(err as Error).message}); ` +
            `keeping produce requests under Kafka's default ${KAFKA_DEFAULT_MESSAGE_MAX_BYTES} until it can. Set ` +
            "kafka.messageMaxBytes to the brokers' value to skip this.",
        );
      }
      this.retryRequestLimit();
    }
  }

  private retryRequestLimit(): void {
    this.limitRetry = setTimeout(() => void this.readRequestLimit(), this.options.durable.timeoutMs);
    this.limitRetry.unref();
  }

  /** Stops accepting, flushes everything accepted (and callers already waiting for room), then disconnects. */
  async onApplicationShutdown(): Promise<void> {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.state = 'closing';
    clearTimeout(this.limitRetry);
    this.pipeline.flush();
    // Everything accepted settles by its own deadline; this bound only guards against a bug.
    const { durable, buffer, realtime } = this.options;
    const limit = Date.now() + buffer.maxBlockMs + durable.timeoutMs * 2 + realtime.timeoutMs + 5_000;
    while (!this.pipeline.isDrained && Date.now() < limit) await new Promise((r) => setTimeout(r, 10));
    this.pipeline.buffer.failAll(new PublisherClosedError());
    this.pipeline.close();
    await this.redis?.close();
    await this.kafka.close();
    this.state = 'closed';
  }

  /**
   * Publishes one event: resolves once Kafka acknowledged it and the Redis attempt finished, at the latest
   * `durable.timeoutMs` after it was accepted (`DurablePublishError` if Kafka had not acknowledged by then).
   */
  publish<T>(event: DualStreamEvent<T>): Promise<PublishReceipt> {
    try {
      this.assertOpen();
      const pending = this.toPending([prepareEvent(event, this.options.maxEventBytes)], false);
      return this.pipeline.submit(pending, pending[0].recordBytes).then((receipts) => receipts[0]);
    } catch (err) {
      return this.rejected(err);
    }
  }

  /**
   * All-or-nothing validation: one invalid event rejects the whole call and nothing is sent. The events go to
   * Kafka in order, in one produce request when they fit the broker's `message.max.bytes`, otherwise in
   * consecutive requests; if one of those fails, the call rejects with `DurablePublishError` whose
   * `acknowledged` counts the leading events already written (docs/guarantees.md).
   */
  publishBatch<T>(events: readonly DualStreamEvent<T>[]): Promise<PublishReceipt[]> {
    try {
      this.assertOpen();
      const pending = this.toPending(prepareBatch(events, this.options.maxEventBytes), true);
      if (pending.length === 0) return Promise.resolve([]);
      let bytes = 0;
      for (const p of pending) bytes += p.recordBytes;
      const { buffer } = this.pipeline;
      if (buffer.exceedsCapacity(pending.length, bytes)) {
        throw new InvalidEventError([
          {
            path: '',
            message: `batch of ${pending.length} events / ${bytes} bytes can never fit buffer.maxEvents ${buffer.maxEvents} / buffer.maxBytes ${buffer.maxBytes}; split it`,
          },
        ]);
      }
      return this.pipeline.submit(pending, bytes);
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
      messageMaxBytes: { value: this.requestLimit.messageMaxBytes, source: this.requestLimit.source },
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

  /**
   * Routes each event (topic, key, channel) and sizes its Kafka record; throws one `InvalidEventError` listing
   * every event whose topic is not legal or whose record could never fit one produce request.
   */
  private toPending(prepared: readonly PreparedEvent[], indexed: boolean): PendingEvent[] {
    const pending = new Array<PendingEvent>(prepared.length);
    let problems: EventProblem[] | undefined;
    for (let i = 0; i < prepared.length; i++) {
      const at = indexed ? { index: i } : {};
      const { source } = prepared[i].event;
      const key = sourceKey(source);
      const topic = this.topicFor(prepared[i]);
      const size = recordBytes({ prepared: prepared[i], key });
      const tooLarge = this.requestLimit.problemFor(size);
      if (typeof topic !== 'string') (problems ??= []).push({ ...at, path: 'topic', message: topic.problem });
      if (tooLarge) (problems ??= []).push({ ...at, path: '', message: tooLarge });
      if (problems) continue;
      pending[i] = {
        prepared: prepared[i],
        topic: topic as string,
        key,
        channel: channelFor(this.channelPrefix, source),
        recordBytes: size,
      };
    }
    if (problems) throw new InvalidEventError(problems);
    return pending;
  }

  /** The user's `kafka.topic` resolver may throw or return nonsense: that is a bad event, not a crash. */
  private topicFor(prepared: PreparedEvent): string | { problem: string } {
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
    return { problem: `kafka.topic(event) ${problem}` };
  }
}
