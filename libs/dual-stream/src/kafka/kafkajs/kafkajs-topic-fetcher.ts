import { randomUUID } from 'node:crypto';
import type { Batch, Consumer, ConsumerGroupJoinEvent, Kafka } from 'kafkajs';
import type { KafkaTopicFetcherPort, TopicFetcherEvents, TopicFetcherSettings } from '../kafka-port.interface.js';
import { mapped } from './kafkajs-errors.js';
import { fetchedOffsetOf } from './kafkajs-group-consumer.js';

/**
 * Assign-and-seek reads of one topic with kafkajs, which has no group-less `assign()` consumer: a consumer in
 * a throwaway group of its own (random id, `autoCommit: false`, never commits) that stays joined with every
 * partition paused. The group join is paid once per fetcher: on this broker a join takes ~20-30 ms and leaving
 * ~120 ms, but brokers with the default `group.initial.rebalance.delay.ms` (3 s) make every new group wait 3 s.
 *
 * kafkajs 2.2.4 runs one fetch loop per broker that fetches every resumed partition it leads, hands the
 * batches to `eachBatch` and fetches again only once every batch of the response was processed
 * (`consumer/fetcher.js` awaits `workerQueue.push`): `onBatch` must never wait.
 */
export class KafkajsTopicFetcher implements KafkaTopicFetcherPort {
  private consumer?: Consumer;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly settings: TopicFetcherSettings,
  ) {}

  async start(events: TopicFetcherEvents): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: `${this.settings.groupPrefix}-replay-${randomUUID()}`,
      maxWaitTimeInMs: this.settings.maxWaitMs,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    try {
      const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
      consumer.on(consumer.events.GROUP_JOIN, (event) => this.onJoin(consumer, event, events));
      // kafkajs restarts on retriable crashes (and re-joins: see onJoin); a fatal one ends the fetcher.
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (payload.restart || this.consumer !== consumer) return;
        events.onFatal(payload.error);
      });
      await mapped(consumer.connect());
      await mapped(consumer.subscribe({ topics: [this.topic], fromBeginning: false }));
      await mapped(
        consumer.run({
          autoCommit: false,
          // Synchronous on purpose (see the class comment): the returned promise is already settled.
          eachBatch: ({ batch }) => {
            this.onBatch(batch, events);
            return Promise.resolve();
          },
        }),
      );
      await joined;
    } catch (err) {
      this.consumer = undefined;
      void consumer.disconnect().catch(() => undefined);
      throw err;
    }
  }

  seek(partition: number, offset: bigint): void {
    this.consumer?.seek({ topic: this.topic, partition, offset: offset.toString() });
  }

  pause(partition: number): void {
    this.consumer?.pause([{ topic: this.topic, partitions: [partition] }]);
  }

  resume(partition: number): void {
    this.consumer?.resume([{ topic: this.topic, partitions: [partition] }]);
  }

  async close(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect().catch(() => undefined);
  }

  /**
   * Every (re)join hands out the partitions unpaused and without positions: pause each one by number (a
   * topic-wide pause would be undone for all of them by the first single-partition pause, see kafkajs'
   * `subscriptionState.pause`), then let the reads take up again.
   */
  private onJoin(consumer: Consumer, event: ConsumerGroupJoinEvent, events: TopicFetcherEvents): void {
    if (this.consumer !== consumer) return;
    const partitions = event.payload.memberAssignment[this.topic] ?? [];
    consumer.pause([{ topic: this.topic, partitions }]);
    events.onReset();
  }

  private onBatch(batch: Batch, events: TopicFetcherEvents): void {
    if (batch.topic !== this.topic) return;
    events.onBatch(batch.partition, BigInt(fetchedOffsetOf(batch)), batch.messages);
  }
}
