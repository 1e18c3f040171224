import type { IHeaders } from 'kafkajs';
import { eventually, kafkaBrokers, sleep, testKafka, uniqueName, withAdmin } from './infra.js';

/** One Kafka record as a test sees it: key, value and header values as strings. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  /** `null` for a record written without a key. */
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

export interface ReadRecordsOptions {
  /** @default 60_000 */
  timeoutMs?: number;
  /** The broker to read from. @default kafkaBrokers() */
  brokers?: string[];
  /**
   * How long to keep reading once the target is reached, so that anything beyond it (a duplicate) shows up in the
   * result. @default 0
   */
  settleMs?: number;
}

/**
 * The one way tests read records from Kafka: from the beginning of `topic` with a throw-away group, until `until`
 * records arrived, or, with `until: 'end'`, until every partition reached the end offset it had when the call began
 * (the "fetch" of fetch-then-subscribe). Records come back per partition in offset order.
 */
export async function readRecords(
  topic: string,
  until: number | 'end',
  { timeoutMs = 60_000, brokers = kafkaBrokers(), settleMs = 0 }: ReadRecordsOptions = {},
): Promise<ConsumedRecord[]> {
  const ends =
    until === 'end'
      ? await withAdmin(async (admin) => {
          const offsets = await admin.fetchTopicOffsets(topic);
          return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
        }, brokers)
      : undefined;
  const consumer = testKafka(brokers).consumer({
    groupId: uniqueName('reader'),
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 100,
  });
  const records: ConsumedRecord[] = [];
  const next = new Map<number, bigint>();
  const done = () =>
    ends
      ? [...ends].every(([partition, end]) => (next.get(partition) ?? 0n) >= end)
      : records.length >= (until as number);
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const end = ends?.get(batch.partition);
          if (end !== undefined && BigInt(m.offset) >= end) break;
          records.push({
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            key: m.key === null ? null : m.key.toString(),
            value: String(m.value),
            headers: headersOf(m.headers),
          });
          next.set(batch.partition, BigInt(m.offset) + 1n);
        }
      },
    });
    await eventually(done, timeoutMs);
    if (settleMs > 0) await sleep(settleMs);
  } finally {
    await consumer.disconnect();
  }
  return records;
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k] = String(v);
  return out;
}
