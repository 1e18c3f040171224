import { randomUUID } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';

/** One bounded read of a partition: records with `fromExclusive < offset < untilExclusive`, in order. */
export interface PartitionRead {
  partition: number;
  fromExclusive: bigint;
  untilExclusive: bigint;
  /** Called once per fetched page, awaited (backpressure: the partition is not fetched further meanwhile). */
  onRecords: (records: KafkaMessage[]) => Promise<void> | void;
  maxScanned: number;
  deadline: number;
}

export interface PartitionReadResult {
  scanned: number;
  complete: boolean;
  reason?: 'scan-limit' | 'timeout';
}

interface ActiveRead extends PartitionRead {
  next: bigint;
  scanned: number;
  done: boolean;
  inflight: Promise<void>;
  finish: (result: PartitionReadResult) => void;
}

/**
 * Reads ranges of one topic's partitions for replays.
 *
 * kafkajs has no group-less `assign()` consumer, so a reader is a consumer in a throwaway group of its own
 * (random id, `autoCommit: false`, never commits) that stays joined with every partition paused; a read seeks
 * one partition, resumes it until the range is done and pauses it again. The group join is paid once per
 * topic instead of once per replay: on this broker a join takes ~20-30 ms and leaving ~120 ms, but brokers
 * with the default `group.initial.rebalance.delay.ms` (3 s) make every new group wait 3 s, which would put
 * 3 s into every resume. Reads of one partition are serialized (the fetch position is per partition);
 * reads of different partitions run side by side (`partitionsConsumedConcurrently`).
 */
export class TopicReader {
  private consumer?: Consumer;
  private started?: Promise<void>;
  private readonly active = new Map<number, ActiveRead>();
  private readonly queues = new Map<number, Promise<unknown>>();
  lastUsedAt = Date.now();

  constructor(
    private readonly kafka: Kafka,
    readonly topic: string,
    private readonly maxWaitMs: number,
    private readonly groupPrefix: string,
    private readonly logger: LoggerService,
  ) {}

  get busy(): boolean {
    return this.active.size > 0 || this.queues.size > 0;
  }

  read(request: PartitionRead): Promise<PartitionReadResult> {
    this.lastUsedAt = Date.now();
    const previous = this.queues.get(request.partition) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.readNow(request));
    this.queues.set(request.partition, run);
    return run.finally(() => {
      if (this.queues.get(request.partition) === run) this.queues.delete(request.partition);
      this.lastUsedAt = Date.now();
    });
  }

  async close(): Promise<void> {
    for (const read of this.active.values()) read.finish({ scanned: read.scanned, complete: false, reason: 'timeout' });
    const consumer = this.consumer;
    this.consumer = undefined;
    this.started = undefined;
    await consumer?.disconnect().catch(() => undefined);
  }

  private start(): Promise<void> {
    this.started ??= (async () => {
      const consumer = this.kafka.consumer({
        groupId: `${this.groupPrefix}-replay-${randomUUID()}`,
        maxWaitTimeInMs: this.maxWaitMs,
        allowAutoTopicCreation: false,
      });
      this.consumer = consumer;
      const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
      // Every (re)join hands out all partitions unpaused: pause them again and re-seek the reads in progress.
      consumer.on(consumer.events.GROUP_JOIN, () => this.onJoin());
      // kafkajs restarts on retriable crashes (and re-joins: see onJoin); after a fatal one, the next read
      // starts a fresh consumer and the reads in progress end as incomplete.
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (payload.restart || this.consumer !== consumer) return;
        this.logger.warn(`replay reader of ${this.topic} crashed: ${payload.error.message}`);
        void this.close();
      });
      await consumer.connect();
      await consumer.subscribe({ topics: [this.topic], fromBeginning: false });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: 64,
        eachBatch: (payload) => this.onBatch(payload),
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

  private onJoin(): void {
    const consumer = this.consumer;
    if (!consumer) return;
    consumer.pause([{ topic: this.topic }]);
    for (const read of this.active.values()) this.position(read);
  }

  private position(read: ActiveRead): void {
    this.consumer?.seek({ topic: this.topic, partition: read.partition, offset: read.next.toString() });
    this.consumer?.resume([{ topic: this.topic, partitions: [read.partition] }]);
  }

  private async readNow(request: PartitionRead): Promise<PartitionReadResult> {
    if (request.fromExclusive + 1n >= request.untilExclusive) return { scanned: 0, complete: true };
    await this.start();
    return new Promise<PartitionReadResult>((resolve) => {
      const timer = setTimeout(
        () => read.finish({ scanned: read.scanned, complete: false, reason: 'timeout' }),
        Math.max(0, request.deadline - Date.now()),
      );
      const read: ActiveRead = {
        ...request,
        next: request.fromExclusive + 1n,
        scanned: 0,
        done: false,
        inflight: Promise.resolve(),
        finish: (result) => {
          if (read.done) return;
          read.done = true;
          clearTimeout(timer);
          if (this.active.get(read.partition) === read) this.active.delete(read.partition);
          this.consumer?.pause([{ topic: this.topic, partitions: [read.partition] }]);
          // A page being delivered finishes first, so nothing of this read arrives after its result.
          void read.inflight.finally(() => resolve(result));
        },
      };
      this.active.set(read.partition, read);
      this.position(read);
    });
  }

  private async onBatch({ batch, heartbeat }: EachBatchPayload): Promise<void> {
    const read = this.active.get(batch.partition);
    // Batches of paused partitions or fetched before the seek: offsets are immutable, so a batch is usable
    // when it starts at or before the next offset we need (it then holds every record from there on).
    if (!read || read.done || batch.topic !== this.topic || BigInt(fetchedOffsetOf(batch)) > read.next) return;
    const page: KafkaMessage[] = [];
    for (const message of batch.messages) {
      const offset = BigInt(message.offset);
      if (offset < read.next) continue;
      if (offset >= read.untilExclusive || read.scanned >= read.maxScanned) break;
      page.push(message);
      read.scanned += 1;
      read.next = offset + 1n;
    }
    if (page.length > 0) {
      read.inflight = Promise.resolve(read.onRecords(page)).catch((err) =>
        this.logger.warn(`replay of ${this.topic}[${read.partition}] dropped a page: ${(err as Error).message}`),
      );
      await read.inflight;
      await heartbeat().catch(() => undefined);
    }
    if (read.next >= read.untilExclusive) read.finish({ scanned: read.scanned, complete: true });
    else if (read.scanned >= read.maxScanned) {
      read.finish({ scanned: read.scanned, complete: false, reason: 'scan-limit' });
    }
  }
}

/** kafkajs sets `fetchedOffset` (the offset the fetch asked for) on every batch but leaves it out of its types. */
function fetchedOffsetOf(batch: EachBatchPayload['batch']): string {
  return (batch as unknown as { fetchedOffset: string }).fetchedOffset;
}
