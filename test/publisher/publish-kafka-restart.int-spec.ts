import { BackpressureError, DurablePublishError, type PublishReceipt } from '@dual-stream/nestjs';
import { createTopic, startOwnKafka } from '../support/infra.js';
import { consumeTopic, startPublisherApp, uniqueSourceType, type PublisherApp } from '../support/publisher-fixtures.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('DualStreamPublisher: the Kafka broker crashes and comes back', () => {
  let kafka: Awaited<ReturnType<typeof startOwnKafka>>;
  let pub: PublisherApp;

  beforeAll(async () => {
    kafka = await startOwnKafka();
  });

  afterAll(async () => {
    await pub?.app.close();
    await kafka?.stop();
  });

  it('fails calls with typed errors while down, recovers without an app restart, and every receipt is in Kafka', async () => {
    const type = uniqueSourceType();
    const topic = `events.${type}`;
    await createTopic(topic, 3, kafka.brokers);
    pub = await startPublisherApp({
      kafka: { brokers: kafka.brokers },
      redis: false,
      durable: { timeoutMs: 2_000 },
      buffer: { maxEvents: 500 },
    });

    const ok: { receipt: PublishReceipt; source: string; seq: number; at: number }[] = [];
    const errors: Error[] = [];
    let restartedAt = Infinity;
    let stop = false;
    const worker = async (source: string) => {
      for (let seq = 0; !stop; seq++) {
        try {
          const receipt = await pub.publisher.publish({ type: 'tick', source: { type, id: source }, data: { seq } });
          ok.push({ receipt, source, seq, at: Date.now() });
        } catch (err) {
          errors.push(err as Error);
          await sleep(50);
        }
      }
    };
    const workers = Array.from({ length: 8 }, (_, i) => worker(`s${i}`));
    await sleep(1_500);
    await kafka.kill();
    await sleep(3_000);
    await kafka.restart();
    restartedAt = Date.now();
    const started = Date.now();
    while (Date.now() - started < 45_000 && ok.filter((o) => o.at > restartedAt).length < 200) await sleep(100);
    stop = true;
    await Promise.all(workers);

    expect(errors.length).toBeGreaterThan(0);
    for (const err of errors) expect(err instanceof DurablePublishError || err instanceof BackpressureError).toBe(true);
    expect(ok.filter((o) => o.at > restartedAt).length).toBeGreaterThanOrEqual(200);

    // Every acknowledged event is in Kafka exactly where its receipt says.
    const records = await consumeTopic(topic, ok.length, 60_000, kafka.brokers);
    const idAt = new Map(records.map((r) => [`${r.partition}:${r.offset}`, JSON.parse(r.value).id]));
    for (const { receipt } of ok) expect(idAt.get(`${receipt.partition}:${receipt.offset}`)).toBe(receipt.id);
    // Per source, acknowledged events are in call order.
    for (let i = 0; i < 8; i++) {
      const mine = ok.filter((o) => o.source === `s${i}`).sort((a, b) => a.seq - b.seq);
      const offsets = mine.map((o) => BigInt(o.receipt.offset));
      expect(offsets).toEqual([...offsets].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    }
  });
});
