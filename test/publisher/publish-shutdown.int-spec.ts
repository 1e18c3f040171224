import { redisUrl, uniqueName, createdSourceType } from '../support/infra.js';
import { startPublisherApp } from '../support/publisher-fixtures.js';
import { readRecords } from '../support/kafka-records.js';

describe('DualStreamPublisher: shutdown flushes what is buffered', () => {
  it('writes every accepted event to Kafka and resolves every call before close() returns', async () => {
    const type = await createdSourceType();
    const topic = `events.${type}`;
    // A long linger keeps events buffered until close() flushes them.
    const pub = await startPublisherApp({
      redis: { url: redisUrl(), channelPrefix: `${uniqueName('p')}:` },
      batch: { lingerMs: 60_000, maxEvents: 10_000 },
    });
    const n = 2_000;
    const settled: PromiseSettledResult<unknown>[] = [];
    const calls = Array.from({ length: n }, (_, i) =>
      pub.publisher.publish({ type: 'tick', source: { type, id: `s${i % 10}` }, data: { i } }).then(
        (value) => settled.push({ status: 'fulfilled', value }),
        (reason) => settled.push({ status: 'rejected', reason }),
      ),
    );
    expect(pub.publisher.status.bufferedEvents).toBe(n);
    await pub.app.close();
    expect(settled).toHaveLength(n);
    expect(settled.filter((s) => s.status === 'rejected')).toEqual([]);
    await Promise.all(calls);
    expect(pub.publisher.status.state).toBe('closed');

    const records = await readRecords(topic, n, { settleMs: 500 });
    expect(records).toHaveLength(n);
    expect(new Set(records.map((r) => JSON.parse(r.value).data.i)).size).toBe(n);
  });
});
