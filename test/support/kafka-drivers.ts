// The Kafka port is internal to the library (apps use it through the module): the contract tests reach it here.
import { resolveDualStreamOptions } from '../../libs/dual-stream/src/dual-stream-options.resolver.js';
import { kafkaDriverFor } from '../../libs/dual-stream/src/kafka/kafka-driver.factory.js';
import type {
  FetchedBatch,
  GroupJoin,
  KafkaDriver,
  KafkaGroupConsumerPort,
  KafkaRecord,
} from '../../libs/dual-stream/src/kafka/kafka-port.interface.js';
import type { DualStreamKafkaOptions } from '@dual-stream/nestjs';
import { eventually, kafkaBrokers, uniqueName } from './infra.js';

export type { KafkaDriver, KafkaRecord } from '../../libs/dual-stream/src/kafka/kafka-port.interface.js';
export { KafkaPortError } from '@dual-stream/nestjs';
export { keyPartition } from '../../libs/dual-stream/src/kafka/key-partition.js';

/** The drivers the contract runs against (`kafka.driver`). */
export const KAFKA_DRIVERS = ['kafkajs', 'platformatic'] as const;
export type KafkaDriverName = (typeof KAFKA_DRIVERS)[number];

/** A driver as the module builds it, for `brokers`, with bounded producer retries so failures surface fast. */
export function portDriver(
  name: KafkaDriverName,
  brokers = kafkaBrokers(),
  kafka: Partial<DualStreamKafkaOptions> = {},
): KafkaDriver {
  return kafkaDriverFor(
    resolveDualStreamOptions({
      logger: false,
      kafka: { brokers, driver: name, clientId: uniqueName('contract'), ...kafka },
    }),
  );
}

/**
 * Reads `[from, until)` of one partition with the driver's assign-and-seek fetcher (no group commits), the
 * way replays read.
 */
export async function readRange(
  driver: KafkaDriver,
  topic: string,
  partition: number,
  from: bigint,
  until: bigint,
  timeoutMs = 30_000,
): Promise<KafkaRecord[]> {
  const records: KafkaRecord[] = [];
  if (from >= until) return records;
  const fetcher = driver.topicFetcher(topic, { maxWaitMs: 50, groupPrefix: uniqueName('contract') }, 'replay');
  let next = from;
  let done!: () => void;
  let fail!: (err: Error) => void;
  const finished = new Promise<void>((resolve, reject) => ([done, fail] = [resolve, reject]));
  const seekNext = () => {
    fetcher.seek(partition, next);
    fetcher.resume(partition);
  };
  await fetcher.start({
    onBatch: (p, _fetchedOffset, batch) => {
      if (p !== partition) return;
      for (const record of batch) {
        const offset = BigInt(record.offset);
        if (offset < next || offset >= until) continue;
        records.push(record);
        next = offset + 1n;
      }
      if (next >= until) {
        fetcher.pause(partition);
        done();
      }
    },
    onReset: () => seekNext(),
    onFatal: (error) => fail(error),
  });
  try {
    seekNext();
    const timer = setTimeout(() => fail(new Error(`read of ${topic}[${partition}] timed out at ${next}`)), timeoutMs);
    await finished.finally(() => clearTimeout(timer));
    return records;
  } finally {
    await fetcher.close();
  }
}

export interface GroupMember {
  consumer: KafkaGroupConsumerPort;
  joins: GroupJoin[];
  rebalances: number;
  /** Every record handed over, in order, with where it came from. */
  seen: { partition: number; record: KafkaRecord }[];
  stop(): Promise<void>;
}

/**
 * A member of `groupId` on `topic` that hands each record to `handle` and commits it right after `handle`
 * resolved (commit-after-success); a record whose `handle` throws is not committed and ends its batch.
 */
export async function startMember(
  driver: KafkaDriver,
  groupId: string,
  topic: string,
  handle: (record: KafkaRecord, partition: number) => Promise<void> | void = () => undefined,
): Promise<GroupMember> {
  const member: Partial<GroupMember> & { joins: GroupJoin[]; seen: GroupMember['seen']; rebalances: number } = {
    joins: [],
    seen: [],
    rebalances: 0,
  };
  const consumer = driver.groupConsumer(
    { groupId, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500, maxWaitMs: 100, partitionsConsumedConcurrently: 4 },
    {
      onJoin: (join) => member.joins.push(join),
      onRebalancing: () => member.rebalances++,
      onCrash: () => undefined,
    },
    'server',
  );
  await consumer.connect();
  await consumer.subscribe([topic], true);
  await consumer.run(async (batch: FetchedBatch, controls) => {
    for (const record of batch.records) {
      if (controls.isStale()) return;
      member.seen.push({ partition: batch.partition, record });
      try {
        await handle(record, batch.partition);
      } catch {
        return;
      }
      controls.resolveOffset(record.offset);
      await consumer.commit(batch.topic, batch.partition, (BigInt(record.offset) + 1n).toString());
    }
  });
  await eventually(() => member.joins.length > 0, 30_000);
  return Object.assign(member, { consumer, stop: () => consumer.disconnect() }) as GroupMember;
}
