import { redisUrl, uniqueName, createdSourceType } from '../support/infra.js';
import { startPublisherApp, type PublisherApp } from '../support/publisher-fixtures.js';
import { readRecords } from '../support/kafka-records.js';

describe('DualStreamPublisher: 10,000 concurrent publish() calls', () => {
  let pub: PublisherApp;

  beforeAll(async () => {
    pub = await startPublisherApp({ redis: { url: redisUrl(), channelPrefix: `${uniqueName('p')}:` } });
  });

  afterAll(async () => {
    await pub?.app.close();
  });

  it('writes every event once, keeps per-source call order, and reports the positions consumers see', async () => {
    const type = await createdSourceType();
    const topic = `events.${type}`;
    const total = 10_000;
    const sources = 50;
    const calls = Array.from({ length: total }, (_, i) =>
      pub.publisher.publish({
        type: 'tick',
        source: { type, id: `src-${i % sources}` },
        data: { seq: Math.floor(i / sources) },
      }),
    );
    const receipts = await Promise.all(calls);
    expect(receipts).toHaveLength(total);
    expect(new Set(receipts.map((r) => r.id)).size).toBe(total);

    const records = await readRecords(topic, total, { settleMs: 500 });
    expect(records).toHaveLength(total);
    const envelopes = records.map((r) => ({ record: r, event: JSON.parse(r.value) }));
    expect(new Set(envelopes.map((e) => e.event.id)).size).toBe(total);

    // Per source, Kafka order (one partition per key, offsets ascending) equals call order (seq ascending).
    const perSource = new Map<string, { offset: bigint; seq: number; partition: number }[]>();
    for (const { record, event } of envelopes) {
      const list = perSource.get(event.source.id) ?? [];
      list.push({ offset: BigInt(record.offset), seq: event.data.seq, partition: record.partition });
      perSource.set(event.source.id, list);
    }
    expect(perSource.size).toBe(sources);
    for (const list of perSource.values()) {
      expect(new Set(list.map((e) => e.partition)).size).toBe(1);
      list.sort((a, b) => (a.offset < b.offset ? -1 : 1));
      expect(list.map((e) => e.seq)).toEqual(Array.from({ length: total / sources }, (_, i) => i));
    }

    const idAt = new Map(envelopes.map(({ record, event }) => [`${record.partition}:${record.offset}`, event.id]));
    for (const receipt of receipts) expect(idAt.get(`${receipt.partition}:${receipt.offset}`)).toBe(receipt.id);

    const metrics = pub.publisher.metrics();
    expect(metrics.eventsPublished).toBeGreaterThanOrEqual(total);
    expect(metrics.batches).toBeLessThan(total / 10); // micro-batching happened
    expect(metrics.bufferedEvents).toBe(0);
  });
});
