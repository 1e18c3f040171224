import { Redis } from 'ioredis';
import type { Consumer, EachMessagePayload } from 'kafkajs';
import {
  createTopic,
  eventually,
  kafkaBrokers,
  redisUrl,
  sleep,
  testKafka,
  uniqueName,
  withAdmin,
} from '../support/infra.js';

/** Proves the test infrastructure is a real Kafka broker and a real Redis, as kafkajs 2.2.4 sees them. */
describe('infrastructure: real Kafka broker', () => {
  const topic = uniqueName('foundation');
  const groupId = uniqueName('foundation-group');
  const kafka = testKafka();

  beforeAll(async () => {
    await createTopic(topic, 3);
  });

  afterAll(async () => {
    await withAdmin((admin) => admin.deleteTopics({ topics: [topic] }));
  });

  async function consumeUntil(count: number, seen: EachMessagePayload[]): Promise<Consumer> {
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async (payload) => {
        seen.push(payload);
        await consumer.commitOffsets([
          { topic, partition: payload.partition, offset: (BigInt(payload.message.offset) + 1n).toString() },
        ]);
      },
    });
    await eventually(() => seen.length >= count, 60_000);
    return consumer;
  }

  it('creates a 3-partition topic, takes idempotent acks=-1 keyed writes, and resumes a group after its commit', async () => {
    const metadata = await withAdmin((admin) => admin.fetchTopicMetadata({ topics: [topic] }));
    expect(metadata.topics[0].partitions).toHaveLength(3);

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const keys = Array.from({ length: 12 }, (_, i) => `order:${i}`);
    const first = await producer.send({
      topic,
      acks: -1,
      messages: keys.map((key, i) => ({ key, value: JSON.stringify({ seq: i }) })),
    });
    expect(first.map((r) => r.errorCode)).toEqual(first.map(() => 0));
    expect(new Set(first.map((r) => r.partition)).size).toBeGreaterThan(1);

    const firstRound: EachMessagePayload[] = [];
    const consumer = await consumeUntil(keys.length, firstRound);
    // Same key → same partition, every time.
    const partitionOf = new Map(firstRound.map((m) => [m.message.key!.toString(), m.partition]));
    expect(partitionOf.size).toBe(keys.length);
    await consumer.disconnect();

    await producer.send({
      topic,
      acks: -1,
      messages: keys.map((key, i) => ({ key, value: JSON.stringify({ seq: 100 + i }) })),
    });
    await producer.disconnect();

    const secondRound: EachMessagePayload[] = [];
    const restarted = await consumeUntil(keys.length, secondRound);
    await sleep(500); // would surface redelivered records, if any
    await restarted.disconnect();

    // Resumed after the committed offsets: only the second batch, nothing of the first.
    const seqs = secondRound.map((m) => JSON.parse(m.message.value!.toString()).seq).sort((a, b) => a - b);
    expect(seqs).toEqual(keys.map((_, i) => 100 + i));
    for (const m of secondRound) expect(m.partition).toBe(partitionOf.get(m.message.key!.toString()));

    const committed = await withAdmin((admin) => admin.fetchOffsets({ groupId, topics: [topic] }));
    const total = committed[0].partitions.reduce((sum, p) => sum + Number(p.offset), 0);
    expect(total).toBe(keys.length * 2);
  });
});

describe('infrastructure: real Redis', () => {
  it('delivers a PUBLISH to a SUBSCRIBE on the shared Redis', async () => {
    const channel = uniqueName('foundation:events');
    const sub = new Redis(redisUrl());
    const pub = new Redis(redisUrl());
    try {
      const received: string[] = [];
      sub.on('message', (ch, message) => ch === channel && received.push(message));
      await sub.subscribe(channel);
      await pub.publish(channel, 'hello');
      await eventually(() => received.length === 1, 5_000);
      expect(received).toEqual(['hello']);
      expect(kafkaBrokers().length).toBeGreaterThan(0);
    } finally {
      sub.disconnect();
      pub.disconnect();
    }
  });
});
