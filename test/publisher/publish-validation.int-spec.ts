import { InvalidEventError, PublisherClosedError } from '@dual-stream/nestjs';
import { kafkaBrokers, redisUrl, uniqueName, withAdmin, createdSourceType } from '../support/infra.js';
import { startPublisherApp, type PublisherApp } from '../support/publisher-fixtures.js';

async function recordCount(topic: string): Promise<number> {
  return withAdmin(async (admin) => {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  });
}

describe('DualStreamPublisher: bad input and closed publisher', () => {
  let pub: PublisherApp;

  beforeAll(async () => {
    pub = await startPublisherApp({
      redis: { url: redisUrl(), channelPrefix: `${uniqueName('p')}:` },
      maxEventBytes: 2048,
    });
  });

  afterAll(async () => {
    await pub?.app.close();
  });

  it.each([
    ['bad type', { type: 'Order Created', source: { type: 'order', id: '1' }, data: 1 }, 'type'],
    ['bad source.type', { type: 'a', source: { type: 'Order', id: '1' }, data: 1 }, 'source.type'],
    ['glob * in source.id', { type: 'a', source: { type: 'order', id: 'a*' }, data: 1 }, 'source.id'],
    ['glob ? in source.id', { type: 'a', source: { type: 'order', id: 'a?' }, data: 1 }, 'source.id'],
    ['glob [ in source.id', { type: 'a', source: { type: 'order', id: 'a[1]' }, data: 1 }, 'source.id'],
    ['backslash in source.id', { type: 'a', source: { type: 'order', id: 'a\\b' }, data: 1 }, 'source.id'],
    ['space in source.id', { type: 'a', source: { type: 'order', id: 'a b' }, data: 1 }, 'source.id'],
    ['control char in source.id', { type: 'a', source: { type: 'order', id: 'a\u0007' }, data: 1 }, 'source.id'],
    ['empty source.id', { type: 'a', source: { type: 'order', id: '' }, data: 1 }, 'source.id'],
    ['257-char source.id', { type: 'a', source: { type: 'order', id: 'x'.repeat(257) }, data: 1 }, 'source.id'],
    [
      'a CE_-prefixed header',
      { type: 'a', source: { type: 'order', id: '1' }, data: 1, headers: { CE_source: 'x' } },
      'headers.CE_source',
    ],
    [
      'a time without seconds',
      { type: 'a', source: { type: 'order', id: '1' }, data: 1, time: '2026-01-01T00:00Z' },
      'time: must be an RFC 3339 date-time',
    ],
    [
      'an impossible date',
      { type: 'a', source: { type: 'order', id: '1' }, data: 1, time: '2026-02-30T00:00:00Z' },
      'time: has no day 30',
    ],
    [
      'data without a JSON form',
      { type: 'a', source: { type: 'order', id: '1' }, data: () => 1 },
      'data: has no JSON form',
    ],
    [
      'oversized event',
      { type: 'a', source: { type: 'order', id: '1' }, data: 'x'.repeat(4000) },
      'over maxEventBytes',
    ],
  ])('rejects %s with InvalidEventError naming the problem', async (_name, event, needle) => {
    const error = await pub.publisher.publish(event as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as InvalidEventError).message).toContain(needle);
    expect((error as InvalidEventError).problems.length).toBeGreaterThan(0);
  });

  it('publishes nothing of a publishBatch that holds one bad event, and lists its index', async () => {
    const type = await createdSourceType();
    const topic = `events.${type}`;
    const good = (i: number) => ({ type: 'tick', source: { type, id: `s${i}` }, data: { i } });
    const error = await pub.publisher
      .publishBatch([good(0), good(1), { type: 'tick', source: { type, id: 'bad id' }, data: { i: 2 } }, good(3)])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as InvalidEventError).problems).toEqual([expect.objectContaining({ index: 2, path: 'source.id' })]);
    // A marker published afterwards proves the bad batch had its chance to land first.
    const marker = await pub.publisher.publish(good(99));
    expect(marker.offset).toBe('0');
    expect(await recordCount(topic)).toBe(1);
  });

  it('refuses an event whose kafka.topic(event) is not a legal topic name, and sends nothing', async () => {
    const own = await startPublisherApp({
      redis: false,
      kafka: { brokers: kafkaBrokers(), topic: () => 'events order' },
    });
    try {
      const error = await own.publisher
        .publishBatch([{ type: 'a', source: { type: 'order', id: '1' }, data: 1 }])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidEventError);
      expect((error as InvalidEventError).problems).toEqual([
        {
          index: 0,
          path: 'topic',
          message:
            'kafka.topic(event) returned "events order", which must contain only [a-zA-Z0-9._-] (found " " at 6)',
        },
      ]);
      expect(own.publisher.metrics().eventsPublished).toBe(0);
    } finally {
      await own.app.close();
    }
  });

  it('rejects publish() after close with PublisherClosedError', async () => {
    const own = await startPublisherApp({ redis: false });
    await own.app.close();
    await expect(
      own.publisher.publish({ type: 'a', source: { type: 'order', id: '1' }, data: 1 }),
    ).rejects.toBeInstanceOf(PublisherClosedError);
    await expect(
      own.publisher.publishBatch([{ type: 'a', source: { type: 'order', id: '1' }, data: 1 }]),
    ).rejects.toBeInstanceOf(PublisherClosedError);
    expect(own.publisher.status.state).toBe('closed');
  });
});
