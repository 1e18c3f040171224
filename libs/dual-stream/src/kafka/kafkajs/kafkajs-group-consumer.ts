import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type {
  BatchControls,
  FetchedBatch,
  GroupConsumerEvents,
  GroupConsumerSettings,
  KafkaGroupConsumerPort,
} from '../kafka-port.interface.js';
import { mapped } from './kafkajs-errors.js';

/**
 * A kafkajs consumer in one group with `autoCommit: false`. kafkajs exposes heartbeats and commits only
 * through the payload of `eachBatch`, so the latest payload's functions serve `heartbeat()` and `commit()`
 * (they act on the consumer's current group generation, whatever batch they came with).
 */
export class KafkajsGroupConsumer implements KafkaGroupConsumerPort {
  readonly native: Consumer;
  private heartbeatFn: (() => Promise<void>) | undefined;
  private commitFn: EachBatchPayload['commitOffsetsIfNecessary'] | undefined;

  constructor(
    kafka: Kafka,
    private readonly settings: GroupConsumerSettings,
    events: GroupConsumerEvents,
    allowAutoTopicCreation: boolean,
  ) {
    this.native = kafka.consumer({
      groupId: settings.groupId,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: settings.heartbeatIntervalMs,
      maxWaitTimeInMs: settings.maxWaitMs,
      minBytes: settings.minBytes,
      maxBytes: settings.maxBytes,
      maxBytesPerPartition: settings.maxBytesPerPartition,
      allowAutoTopicCreation,
    });
    const { GROUP_JOIN, REBALANCING, CRASH } = this.native.events;
    this.native.on(GROUP_JOIN, ({ payload }) =>
      events.onJoin({
        memberId: payload.memberId,
        isLeader: payload.isLeader,
        durationMs: payload.duration,
        assignment: payload.memberAssignment,
      }),
    );
    this.native.on(REBALANCING, () => events.onRebalancing());
    this.native.on(CRASH, ({ payload }) => events.onCrash(payload.error, payload.restart));
  }

  connect(): Promise<void> {
    return mapped(this.native.connect());
  }

  subscribe(topics: string[], fromBeginning: boolean): Promise<void> {
    return mapped(this.native.subscribe({ topics, fromBeginning }));
  }

  run(eachBatch: (batch: FetchedBatch, controls: BatchControls) => Promise<void>): Promise<void> {
    return mapped(
      this.native.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.settings.partitionsConsumedConcurrently,
        eachBatch: (payload) => {
          this.heartbeatFn = payload.heartbeat;
          this.commitFn = payload.commitOffsetsIfNecessary;
          const { batch } = payload;
          return eachBatch(
            {
              topic: batch.topic,
              partition: batch.partition,
              fetchedOffset: fetchedOffsetOf(batch),
              records: batch.messages,
            },
            { resolveOffset: payload.resolveOffset, isStale: payload.isStale },
          );
        },
      }),
    );
  }

  commit(topic: string, partition: number, offset: string): Promise<void> {
    if (!this.commitFn) return Promise.reject(new Error('no batch seen yet'));
    return mapped(this.commitFn({ topics: [{ topic, partitions: [{ partition, offset }] }] }));
  }

  heartbeat(): Promise<void> {
    return this.heartbeatFn ? mapped(this.heartbeatFn()) : Promise.resolve();
  }

  pause(topic: string, partitions: number[]): void {
    this.native.pause([{ topic, partitions }]);
  }

  resume(topic: string, partitions: number[]): void {
    this.native.resume([{ topic, partitions }]);
  }

  disconnect(): Promise<void> {
    return mapped(this.native.disconnect());
  }
}

/** kafkajs sets `fetchedOffset` (the offset the fetch asked for) on every batch but leaves it out of its types. */
export function fetchedOffsetOf(batch: EachBatchPayload['batch']): string {
  return (batch as unknown as { fetchedOffset: string }).fetchedOffset;
}
