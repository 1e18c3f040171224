import { InvalidEventError, type PublishReceipt } from '@dual-stream/nestjs';
import { kafkaBrokers, withAdmin, uniqueSourceType, createdSourceType } from '../support/infra.js';
import { startPublisherApp, type PublisherApp } from '../support/publisher-fixtures.js';
import { readRecords } from '../support/kafka-records.js';

/** An event whose envelope is about 0.9 kB (the size of the tracker's failing batch). */
const event = (type: string, i: number, source = 'one') => ({
  type: 'tick',
  source: { type, id: source },
  data: { i, pad: 'x'.repeat(820) },
});

async function recordCount(topic: string): Promise<number> {
  return withAdmin(async (admin) => {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  });
}

/** Every receipt points at its own event in Kafka, each event is there once, per-source order is call order. */
async function expectReadBack(topic: string, receipts: PublishReceipt[]): Promise<void> {
  const records = await readRecords(topic, receipts.length, { settleMs: 500 });
  expect(records).toHaveLength(receipts.length);
  const byPosition = new Map(records.map((r) => [`${r.partition}:${r.offset}`, JSON.parse(r.value).id as string]));
  for (const receipt of receipts) expect(byPosition.get(`${receipt.partition}:${receipt.offset}`)).toBe(receipt.id);
  const offsets = receipts.map((r) => Number(r.offset));
  expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
}

describe("DualStreamPublisher: produce requests stay under the broker's message.max.bytes", () => {
  let pub: PublisherApp;

  beforeAll(async () => {
    // Topics are created on first use (auto-creation), with the broker's default message.max.bytes.
    pub = await startPublisherApp({ redis: false });
  });

  afterAll(async () => {
    await pub?.app.close();
  });

  it('reads message.max.bytes from the broker at startup', () => {
    expect(pub.publisher.status.messageMaxBytes).toEqual({ value: 1_048_588, source: 'broker' });
  });

  it('publishes 1,000 events of ~0.9 kB of one source through publishBatch, split into requests the broker accepts', async () => {
    const type = await createdSourceType();
    const before = pub.publisher.metrics().batches;
    const receipts = await pub.publisher.publishBatch(Array.from({ length: 1000 }, (_, i) => event(type, i)));
    expect(receipts).toHaveLength(1000);
    // ~1.1 MB of records for one partition: one request could not carry them.
    expect(pub.publisher.metrics().batches - before).toBeGreaterThanOrEqual(2);
    await expectReadBack(`events.${type}`, receipts);
  });

  it('publishes 1,000 concurrent publish() calls of ~0.9 kB of one source, in call order', async () => {
    const type = await createdSourceType();
    const receipts = await Promise.all(Array.from({ length: 1000 }, (_, i) => pub.publisher.publish(event(type, i))));
    await expectReadBack(`events.${type}`, receipts);
  });

  it('refuses a single event whose record can never fit one request with InvalidEventError, and sends nothing', async () => {
    const own = await startPublisherApp({ redis: false, maxEventBytes: 4 * 1024 * 1024 });
    try {
      const type = await createdSourceType();
      const huge = { type: 'tick', source: { type, id: 'one' }, data: 'x'.repeat(1_040_000) };
      const alone = await own.publisher.publish(huge).catch((e: unknown) => e);
      expect(alone).toBeInstanceOf(InvalidEventError);
      expect((alone as InvalidEventError).problems).toEqual([
        {
          path: '',
          message: expect.stringMatching(
            /^its Kafka record is up to \d+ bytes .*message\.max\.bytes 1048588 from the brokers/,
          ),
        },
      ]);
      const inBatch = await own.publisher
        .publishBatch<unknown>([event(type, 0), huge, event(type, 2)])
        .catch((e: unknown) => e);
      expect((inBatch as InvalidEventError).problems).toEqual([expect.objectContaining({ index: 1, path: '' })]);
      // A marker published afterwards lands at offset 0: nothing of the refused calls was written.
      const marker = await own.publisher.publish(event(type, 99));
      expect(marker.offset).toBe('0');
      expect(await recordCount(`events.${type}`)).toBe(1);
      expect(own.publisher.metrics().invalidEvents).toBe(2);
    } finally {
      await own.app.close();
    }
  });

  it('keeps requests under a lower limit given as kafka.messageMaxBytes (a topic with a smaller max.message.bytes)', async () => {
    const type = uniqueSourceType();
    const topic = `events.${type}`;
    await withAdmin((admin) =>
      admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '65536' }] }],
      }),
    );
    const own = await startPublisherApp({
      redis: false,
      kafka: { brokers: kafkaBrokers(), messageMaxBytes: 65_536 },
    });
    try {
      expect(own.publisher.status.messageMaxBytes).toEqual({ value: 65_536, source: 'option' });
      const receipts = await own.publisher.publishBatch(Array.from({ length: 200 }, (_, i) => event(type, i)));
      expect(own.publisher.metrics().batches).toBeGreaterThanOrEqual(4);
      await expectReadBack(topic, receipts);
    } finally {
      await own.app.close();
    }
  });
});
