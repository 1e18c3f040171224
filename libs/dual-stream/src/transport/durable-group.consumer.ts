import type { LoggerService } from '@nestjs/common';
import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import { HandlerConfigurationError } from '../errors/handler-configuration.error.js';
import type {
  BatchControls,
  FetchedBatch,
  KafkaDriver,
  KafkaGroupConsumerPort,
} from '../kafka/kafka-port.interface.js';
import { sleep } from './backoff.js';
import { BatchModeRunner } from './batch-mode.runner.js';
import type { DeadLetterProducer } from './dead-letter.producer.js';
import { DeadLetterWriter, type DeadLetterInfo } from './dead-letter.writer.js';
import type { InvokeHandler } from './delivery.interface.js';
import { HandlerAttempts } from './handler-attempts.js';
import type { DurableRoute } from './handler-registry.js';
import { PartitionPipeline } from './partition-pipeline.js';
import { PartitionSlots } from './partition-slots.js';
import { RecordProcessor } from './record-processor.js';

export interface GroupJoinInfo {
  groupId: string;
  memberId: string;
  isLeader: boolean;
  durationMs: number;
}

interface GroupEvents {
  onGroupJoin(info: GroupJoinInfo): void;
  onDeadLetter(info: DeadLetterInfo): void;
  /** The consumer crashed and its driver will not restart it. */
  onFatal(groupId: string, error: Error): void;
}

/** Records buffered per partition beyond what runs; a full buffer makes the fetch wait (bounded memory). */
const bufferFor = (route: DurableRoute) => Math.max(1_000, route.keyConcurrency * 100);

/**
 * One consumer (of the Kafka port) for one consumer group, so a slow group never stalls another. Each assigned partition
 * of a per-record route gets a pipeline (key scheduler + contiguous-prefix commits); fetches of `batch: true`
 * routes go to the batch-mode runner. Offsets are committed explicitly and only for finished records
 * (`autoCommit: false`). The group heartbeats in the background while work is outstanding, so a handler slower
 * than the session timeout, or a long backoff, never costs the group a rebalance.
 */
export class DurableGroupConsumer {
  readonly consumer: KafkaGroupConsumerPort;
  private readonly routes = new Map<string, DurableRoute>();
  private readonly pipelines = new Map<string, PartitionPipeline>();
  private readonly slots: PartitionSlots<PartitionPipeline>;
  private readonly stopController = new AbortController();
  private readonly records: RecordProcessor;
  private readonly batchMode: BatchModeRunner;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  /** A batch was seen: heartbeats and commits act on a group generation. */
  private seenBatch = false;

  constructor(
    driver: KafkaDriver,
    readonly groupId: string,
    routes: DurableRoute[],
    private readonly options: ResolvedDualStreamOptions,
    invoke: InvokeHandler,
    deadLetters: DeadLetterProducer,
    events: GroupEvents,
    private readonly logger: LoggerService,
  ) {
    for (const route of routes) this.routes.set(route.topic, route);
    this.slots = new PartitionSlots(routes[0].concurrency);
    const stopSignal = this.stopController.signal;
    const attempts = new HandlerAttempts(invoke, stopSignal, logger);
    const writer = new DeadLetterWriter(deadLetters, (info) => events.onDeadLetter(info), stopSignal, logger);
    const heartbeat = () => this.consumer.heartbeat();
    this.records = new RecordProcessor(attempts, writer, heartbeat);
    this.batchMode = new BatchModeRunner(
      attempts,
      writer,
      heartbeat,
      (topic, partition, offset) => this.commit(topic, partition, offset),
      stopSignal,
      logger,
    );
    this.consumer = driver.groupConsumer(
      {
        groupId,
        sessionTimeoutMs: options.consumer.sessionTimeoutMs,
        heartbeatIntervalMs: options.consumer.heartbeatIntervalMs,
        // Idle long-polls bound how long shutdown waits for the fetch loop to notice.
        maxWaitMs: options.consumer.fetchMaxWaitMs,
        minBytes: options.consumer.fetchMinBytes,
        maxBytes: options.consumer.fetchMaxBytes,
        maxBytesPerPartition: options.consumer.fetchMaxBytesPerPartition,
        // Pipelines return from eachBatch at once, so every partition's fetch can be handed over in parallel;
        // `concurrency` is enforced by the partition slots instead.
        partitionsConsumedConcurrently: Math.max(1, routes[0].concurrency),
      },
      {
        onJoin: (join) => {
          this.keepOnly(join.assignment);
          events.onGroupJoin({
            groupId,
            memberId: join.memberId,
            isLeader: join.isLeader,
            durationMs: join.durationMs,
          });
        },
        // Last chance to commit finished work for partitions that may move to another member.
        onRebalancing: () => void this.flushAll(),
        onCrash: (error, restart) => {
          logger.error(
            `dual-stream: consumer of group ${groupId} crashed (${error.message}); ${restart ? 'its driver restarts it' : 'it stays down'}`,
          );
          if (!restart) events.onFatal(groupId, error);
        },
      },
      'server',
    );
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    const byStart = new Map<boolean, string[]>();
    for (const route of this.routes.values()) {
      byStart.set(route.fromBeginning, [...(byStart.get(route.fromBeginning) ?? []), route.topic]);
    }
    for (const [fromBeginning, topics] of byStart) await this.subscribeWhenPresent(topics, fromBeginning);
    this.heartbeatTimer = setInterval(() => this.heartbeatWhileBusy(), this.options.consumer.heartbeatIntervalMs);
    this.heartbeatTimer.unref();
    await this.consumer.run((batch, controls) => this.onBatch(batch, controls));
  }

  /**
   * Consumers may start while another service's `ensureTopics` is still creating their topics, and a new topic
   * answers UNKNOWN_TOPIC_OR_PARTITION until its leader is elected: retry that (retriable) error for
   * `consumer.topicWaitMs` instead of failing the application.
   */
  private async subscribeWhenPresent(topics: string[], fromBeginning: boolean): Promise<void> {
    const deadline = Date.now() + this.options.consumer.topicWaitMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.consumer.subscribe(topics, fromBeginning);
      } catch (err) {
        const retriable = (err as { retriable?: boolean }).retriable === true;
        if (!retriable || Date.now() >= deadline || this.stopController.signal.aborted) {
          if (!retriable) throw err;
          throw new HandlerConfigurationError(
            `Topic(s) ${topics.join(', ')} of consumer group ${this.groupId} did not become available within ` +
              `consumer.topicWaitMs (${this.options.consumer.topicWaitMs} ms): ${(err as Error).message}. Create the ` +
              'topic(s) first: ensureTopics(options, topics) or DualStreamTopics.ensure(topics).',
          );
        }
        await sleep(Math.min(100 * 2 ** Math.min(attempt, 5), 2_000), this.stopController.signal);
      }
    }
  }

  /** Stop taking new records, let running ones finish within `timeoutMs`, commit, leave the group. */
  async stop(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.stopController.abort();
    const unfinished = (await Promise.all([...this.pipelines.values()].map((p) => p.drain(deadline)))).reduce(
      (a, b) => a + b,
      0,
    );
    if (unfinished > 0) {
      this.logger.warn(
        `dual-stream: ${unfinished} handler(s) of group ${this.groupId} still running after consumer.shutdownTimeoutMs; ` +
          'their records are not committed and will be delivered again.',
      );
    }
    await this.consumer
      .disconnect()
      .catch((err: Error) => this.logger.warn(`dual-stream: leaving group ${this.groupId} failed: ${err.message}`));
    clearInterval(this.heartbeatTimer);
  }

  private async onBatch(batch: FetchedBatch, controls: BatchControls): Promise<void> {
    const route = this.routes.get(batch.topic);
    if (!route || batch.records.length === 0 || this.stopController.signal.aborted) return;
    this.seenBatch = true;
    if (route.batch) return this.batchMode.run(route, batch, controls);
    const pipeline = this.pipelineFor(route, batch.topic, batch.partition);
    pipeline.append(batch.records);
    // Moves only the fetch position; the committed offset follows the finished prefix.
    controls.resolveOffset(batch.records[batch.records.length - 1].offset);
    await pipeline.waitForRoom();
  }

  private pipelineFor(route: DurableRoute, topic: string, partition: number): PartitionPipeline {
    const key = `${topic}|${partition}`;
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      pipeline = new PartitionPipeline(topic, partition, route.keyConcurrency, bufferFor(route), {
        process: (message) => this.records.process(route, { topic, partition }, message),
        commit: (offset) => this.commit(topic, partition, offset),
        slots: this.slots,
        commitIntervalMs: this.options.consumer.commitIntervalMs,
        logger: this.logger,
      });
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }

  private commit(topic: string, partition: number, offset: string): Promise<void> {
    return this.consumer.commit(topic, partition, offset);
  }

  private async flushAll(): Promise<void> {
    await Promise.all([...this.pipelines.values()].map((p) => p.flush()));
  }

  /** After a rebalance: pipelines of partitions we lost stop (the new owner continues from the last commit). */
  private keepOnly(assignment: Record<string, number[]>): void {
    for (const [key, pipeline] of this.pipelines) {
      if (!assignment[pipeline.topic]?.includes(pipeline.partition)) {
        pipeline.revoke();
        this.pipelines.delete(key);
      }
    }
  }

  private heartbeatWhileBusy(): void {
    const busy = this.batchMode.busy || [...this.pipelines.values()].some((p) => p.outstanding > 0);
    if (!busy || !this.seenBatch) return;
    // Errors (a rebalance, a lost coordinator) surface in the driver's own loop, which rejoins; nothing to do here.
    this.consumer.heartbeat().catch(() => undefined);
  }
}
