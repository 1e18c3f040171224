import { eventually, redisUrl, uniqueName, createdSourceType } from '../support/infra.js';
import { ChannelRecorder, startPublisherApp, type PublisherApp } from '../support/publisher-fixtures.js';
import { readRecords } from '../support/kafka-records.js';

describe('DualStreamPublisher: one event, Kafka first then Redis', () => {
  const prefix = `${uniqueName('p')}:`;
  let recorder: ChannelRecorder;
  let plain: PublisherApp;
  let inline: PublisherApp;

  beforeAll(async () => {
    recorder = await ChannelRecorder.start(`${prefix}*`);
    plain = await startPublisherApp({ redis: { url: redisUrl(), channelPrefix: prefix } });
    inline = await startPublisherApp({
      redis: { url: redisUrl(), channelPrefix: prefix },
      realtime: { inlineData: true, maxInlineBytes: 64 },
    });
  });

  afterAll(async () => {
    await plain?.app.close();
    await inline?.app.close();
    await recorder?.stop();
  });

  it('writes the envelope with key and ce_* headers to events.{source.type} and announces its position', async () => {
    const type = await createdSourceType();
    const receipt = await plain.publisher.publish({
      type: 'order.created',
      source: { type, id: 'o-1' },
      data: { total: 42 },
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    });
    expect(receipt).toEqual({
      id: expect.any(String),
      topic: `events.${type}`,
      partition: expect.any(Number),
      offset: '0',
      realtime: 'published',
    });

    const [record] = await readRecords(`events.${type}`, 1, { settleMs: 500 });
    expect(record.key).toBe(`${type}:o-1`);
    expect(record.partition).toBe(receipt.partition);
    expect(record.offset).toBe(receipt.offset);
    const envelope = JSON.parse(record.value);
    expect(envelope).toEqual({
      id: receipt.id,
      type: 'order.created',
      source: { type, id: 'o-1' },
      time: expect.any(String),
      data: { total: 42 },
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    });
    expect(record.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_id: receipt.id,
      ce_type: 'order.created',
      ce_source: `${type}/o-1`,
      ce_time: envelope.time,
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });

    const channel = `${prefix}events:${type}:o-1`;
    const message = await eventually(() => recorder.messages.find((m) => m.channel === channel), 10_000);
    expect(message.payload).toEqual({
      kind: 'event',
      id: receipt.id,
      type: 'order.created',
      source: { type, id: 'o-1' },
      time: envelope.time,
      topic: receipt.topic,
      partition: receipt.partition,
      offset: receipt.offset,
    });
    expect(message.payload).not.toHaveProperty('data');
  });

  it('inlines data only when realtime.inlineData is on and the data is small', async () => {
    const type = await createdSourceType();
    const small = await inline.publisher.publish({ type: 'note.added', source: { type, id: 's' }, data: { n: 1 } });
    const big = await inline.publisher.publish({
      type: 'note.added',
      source: { type, id: 'b' },
      data: { text: 'x'.repeat(200) },
    });
    const smallMsg = await eventually(() => recorder.messages.find((m) => m.payload.id === small.id), 10_000);
    const bigMsg = await eventually(() => recorder.messages.find((m) => m.payload.id === big.id), 10_000);
    expect(smallMsg.payload.data).toEqual({ n: 1 });
    expect(smallMsg.payload.offset).toBe(small.offset);
    expect(bigMsg.payload).not.toHaveProperty('data');
    expect(bigMsg.payload.offset).toBe(big.offset);
  });

  it('gives each event of a multi-partition batch the offset a consumer reads it at', async () => {
    const type = await createdSourceType();
    const topic = `events.${type}`;
    const events = Array.from({ length: 60 }, (_, i) => ({
      type: 'tick',
      source: { type, id: `s${i % 7}` },
      data: { i },
    }));
    const receipts = await plain.publisher.publishBatch(events);
    const records = await readRecords(topic, 60, { settleMs: 500 });
    expect(records).toHaveLength(60);
    const byPosition = new Map(records.map((r) => [`${r.partition}:${r.offset}`, JSON.parse(r.value).id]));
    for (const receipt of receipts) expect(byPosition.get(`${receipt.partition}:${receipt.offset}`)).toBe(receipt.id);
    expect(new Set(receipts.map((r) => r.partition)).size).toBeGreaterThan(1);
  });
});
