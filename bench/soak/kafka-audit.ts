import type { Admin, Kafka } from 'kafkajs';
import { eventNumber, type SoakPlan } from './soak-plan.js';

export interface KafkaAudit {
  /** Copies of each event in the run's topics, by event number (saturating at 255). */
  copies: Uint8Array;
  records: number;
  /** Records whose `ce_id` is not an event of this run (should be 0: the topics are the run's own). */
  foreign: number;
}

/** Reads the run's topics from the beginning up to their high watermarks and counts every event's copies. */
export async function auditKafka(
  kafka: Kafka,
  admin: Admin,
  plan: SoakPlan,
  topics: string[],
  capacity: number,
  timeoutMs = 300_000,
): Promise<KafkaAudit> {
  const copies = new Uint8Array(capacity);
  const audit: KafkaAudit = { copies, records: 0, foreign: 0 };
  const remaining = new Map<string, bigint>();
  for (const topic of topics) {
    for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(high) > BigInt(low)) remaining.set(`${topic}/${partition}`, BigInt(high) - 1n);
    }
  }
  if (remaining.size === 0) return audit;
  const consumer = kafka.consumer({ groupId: `${plan.prefix}audit`, maxBytes: 10 * 2 ** 20 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const key = `${batch.topic}/${batch.partition}`;
        const last = remaining.get(key);
        for (const message of batch.messages) {
          if (last === undefined || BigInt(message.offset) > last) break;
          audit.records++;
          const id = message.headers?.ce_id;
          const n = eventNumber(plan, Buffer.isBuffer(id) ? id.toString('utf8') : id);
          if (n < 0 || n >= capacity) audit.foreign++;
          else if (copies[n] < 255) copies[n]++;
          if (BigInt(message.offset) === last) remaining.delete(key);
        }
        if (remaining.size === 0) done();
      },
    });
    const timer = new Promise<void>((_, reject) =>
      setTimeout(
        () => reject(new Error(`Kafka audit: ${remaining.size} partition(s) not read in time`)),
        timeoutMs,
      ).unref(),
    );
    await Promise.race([finished, timer]);
  } finally {
    await consumer.disconnect();
  }
  return audit;
}
