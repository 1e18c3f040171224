import { randomUUID } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import type { Batch, Consumer, ConsumerGroupJoinEvent, Kafka } from 'kafkajs';
import { PartitionCursor, type FetchControl } from './partition-cursor.js';
import {
  PartitionRead,
  type PartitionReadRequest,
  type PartitionReadResult,
  type ReadEndReason,
} from './partition-read.js';

export interface TopicReaderSettings {
  /** Fetch wait of the consumer (`replay.maxWaitMs`). */
  maxWaitMs: number;
  /** Prefix of the throwaway group id. */
  groupPrefix: string;
  /** Each read's own buffer (`replay.maxBufferedBytes`). */
  maxBufferedBytes: number;
}

/**
 * Reads ranges of one topic's partitions for replays.
 *
 * kafkajs has no group-less `assign()` consumer, so a reader is a consumer in a throwaway group of its own
 * (random id, `autoCommit: false`, never commits) that stays joined with every partition paused; a
 * partition's `PartitionCursor` seeks and resumes it while some read of it wants records. The group join is
 * paid once per topic instead of once per replay: on this broker a join takes ~20-30 ms and leaving ~120 ms,
 * but brokers with the default `group.initial.rebalance.delay.ms` (3 s) make every new group wait 3 s.
 *
 * kafkajs 2.2.4 runs one fetch loop per broker that fetches every resumed partition it leads, hands the
 * batches to `eachBatch` and fetches again only once every batch of the response was processed
 * (`consumer/fetcher.js` awaits `workerQueue.push`). So `eachBatch` here never waits: it copies what each read
 * needs into that read's own bounded buffer and returns; reads hand their buffers to their clients outside it
 * (`PartitionRead.run`). A client that stops reading therefore stalls only its own read, never a partition,
 * a broker's fetch loop or another read.
 */
export class TopicReader {
  private consumer?: Consumer;
  private started?: Promise<void>;
  private readonly cursors = new Map<number, PartitionCursor>();
  private readonly reads = new Set<PartitionRead<unknown>>();
  /** Reads asked for and not ended, those still waiting for the consumer to start included. */
  private pending = 0;
  lastUsedAt = Date.now();

  private readonly control: FetchControl = {
    seek: (partition, offset) => this.consumer?.seek({ topic: this.topic, partition, offset: offset.toString() }),
    pause: (partition) => this.consumer?.pause([{ topic: this.topic, partitions: [partition] }]),
    resume: (partition) => this.consumer?.resume([{ topic: this.topic, partitions: [partition] }]),
  };

  constructor(
    private readonly kafka: Kafka,
    readonly topic: string,
    private readonly settings: TopicReaderSettings,
    private readonly logger: LoggerService,
  ) {}

  get busy(): boolean {
    return this.pending > 0;
  }

  /** Reads in progress (their cursors and buffers are freed when they end). */
  get activeReads(): number {
    return this.reads.size;
  }

  async read<T>(request: PartitionReadRequest<T>): Promise<PartitionReadResult> {
    this.lastUsedAt = Date.now();
    if (request.fromExclusive + 1n >= request.untilExclusive) return { scanned: 0, complete: true };
    this.pending++;
    try {
      await this.start();
      return await this.readStarted(request);
    } finally {
      this.pending--;
      this.lastUsedAt = Date.now();
    }
  }

  /** Ends every read in progress (`reason`) and leaves the group. */
  async close(reason: ReadEndReason = 'cancelled'): Promise<void> {
    for (const read of [...this.reads]) read.abort(reason);
    const consumer = this.consumer;
    this.consumer = undefined;
    this.started = undefined;
    await consumer?.disconnect().catch(() => undefined);
  }

  private async readStarted<T>(request: PartitionReadRequest<T>): Promise<PartitionReadResult> {
    const cursor = this.cursorOf(request.partition);
    const read = new PartitionRead(request, this.settings.maxBufferedBytes, () => cursor.changed());
    this.reads.add(read as PartitionRead<unknown>);
    cursor.add(read);
    try {
      const result = await read.run();
      if (result.reason === 'error' && result.error !== undefined) {
        this.logger.warn(`replay of ${this.topic}[${request.partition}] failed to deliver a page: ${result.error}`);
      }
      return result;
    } finally {
      this.reads.delete(read as PartitionRead<unknown>);
      cursor.remove(read);
      if (cursor.size === 0) this.cursors.delete(request.partition);
    }
  }

  private cursorOf(partition: number): PartitionCursor {
    let cursor = this.cursors.get(partition);
    if (!cursor) this.cursors.set(partition, (cursor = new PartitionCursor(partition, this.control)));
    return cursor;
  }

  private start(): Promise<void> {
    this.started ??= (async () => {
      const consumer = this.kafka.consumer({
        groupId: `${this.settings.groupPrefix}-replay-${randomUUID()}`,
        maxWaitTimeInMs: this.settings.maxWaitMs,
        allowAutoTopicCreation: false,
      });
      this.consumer = consumer;
      const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
      consumer.on(consumer.events.GROUP_JOIN, (event) => this.onJoin(consumer, event));
      // kafkajs restarts on retriable crashes (and re-joins: see onJoin); after a fatal one, the next read
      // starts a fresh consumer and the reads in progress end with reason `error`.
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (payload.restart || this.consumer !== consumer) return;
        this.logger.warn(`replay reader of ${this.topic} crashed: ${payload.error.message}`);
        void this.close('error');
      });
      await consumer.connect();
      await consumer.subscribe({ topics: [this.topic], fromBeginning: false });
      await consumer.run({
        autoCommit: false,
        // Synchronous on purpose (see the class comment): the returned promise is already settled.
        eachBatch: ({ batch }) => {
          this.onBatch(batch);
          return Promise.resolve();
        },
      });
      await joined;
    })().catch((err) => {
      this.started = undefined;
      const consumer = this.consumer;
      this.consumer = undefined;
      void consumer?.disconnect().catch(() => undefined);
      throw err;
    });
    return this.started;
  }

  /**
   * Every (re)join hands out the partitions unpaused and without positions: pause each one by number (a
   * topic-wide pause would be undone for all of them by the first single-partition pause, see kafkajs'
   * `subscriptionState.pause`), then let the cursors take their reads up again.
   */
  private onJoin(consumer: Consumer, event: ConsumerGroupJoinEvent): void {
    if (this.consumer !== consumer) return;
    const partitions = event.payload.memberAssignment[this.topic] ?? [];
    consumer.pause([{ topic: this.topic, partitions }]);
    for (const cursor of this.cursors.values()) cursor.rejoined();
  }

  private onBatch(batch: Batch): void {
    if (batch.topic !== this.topic) return;
    this.cursors.get(batch.partition)?.onBatch(BigInt(fetchedOffsetOf(batch)), batch.messages);
  }
}

/** kafkajs sets `fetchedOffset` (the offset the fetch asked for) on every batch but leaves it out of its types. */
function fetchedOffsetOf(batch: Batch): string {
  return (batch as unknown as { fetchedOffset: string }).fetchedOffset;
}
