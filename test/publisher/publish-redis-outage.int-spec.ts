import { Redis } from 'ioredis';
import { channelFor, defaultTopic, type GapMarker, type PublishReceipt } from '@dual-stream/nestjs';
import {
  createTopic,
  eventually,
  sleep,
  startOwnRedis,
  uniqueName,
  uniqueSourceType,
  createdSourceType,
} from '../support/infra.js';
import { ChannelRecorder, startPublisherApp, type PublisherApp } from '../support/publisher-fixtures.js';
import { readRecords } from '../support/kafka-records.js';

/**
 * One publishing run (5 s, 20 events per round) during which Redis is SIGKILLed for 1.5 s and restarted; the `it`s
 * below each check one claim about that same run.
 */
describe('DualStreamPublisher: Redis dies and comes back during a publishing run', () => {
  let redis: Awaited<ReturnType<typeof startOwnRedis>>;
  let recorder: ChannelRecorder;
  let pub: PublisherApp;
  const prefix = `${uniqueName('p')}:`;
  const type = uniqueSourceType();
  const topic = defaultTopic({ source: { type, id: '-' } });
  const receipts: { receipt: PublishReceipt; at: number; sourceId: string }[] = [];
  const rejections: unknown[] = [];
  let killedAt = Infinity;
  let restartedAt = Infinity;
  const publishedAfterRestart = () =>
    receipts.filter((r) => r.at > restartedAt && r.receipt.realtime === 'published').map((r) => r.receipt.id);
  const gapMarkers = () => recorder.messages.filter((m) => m.payload.kind === 'gap').map((m) => m.payload as GapMarker);

  beforeAll(async () => {
    redis = await startOwnRedis();
    recorder = await ChannelRecorder.start(`${prefix}*`, redis.url);
    pub = await startPublisherApp({
      redis: { url: redis.url, channelPrefix: prefix },
      realtime: { breakerThreshold: 3, breakerProbeMs: 200, timeoutMs: 250, warnIntervalMs: 60_000 },
    });
    await createTopic(topic, 3);

    let seq = 0;
    const started = Date.now();
    const faults = (async () => {
      await sleep(1_000);
      killedAt = Date.now();
      await redis.kill();
      await sleep(1_500);
      await redis.restart();
      restartedAt = Date.now();
    })();
    // 5 s of publishing, then until notifications flowed again (bounded).
    while (Date.now() - started < 5_000 || (publishedAfterRestart().length === 0 && Date.now() - started < 20_000)) {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          pub.publisher.publish({ type: 'tick', source: { type, id: `s${i}` }, data: { seq: seq++ } }).then(
            (receipt) => receipts.push({ receipt, at: Date.now(), sourceId: `s${i}` }),
            (err) => rejections.push(err),
          ),
        ),
      );
      await sleep(20);
    }
    await faults;
  });

  afterAll(async () => {
    await pub?.app.close();
    await recorder?.stop();
    await redis?.stop();
  });

  it('never rejects a publish, and skips notifications only once Redis is gone', () => {
    expect(rejections).toEqual([]);
    expect(receipts.map((r) => r.receipt.realtime)).toContain('skipped');
    expect(receipts.filter((r) => r.at < killedAt).every((r) => r.receipt.realtime === 'published')).toBe(true);
  });

  it('Kafka holds every acknowledged event, once', async () => {
    const records = await readRecords(topic, receipts.length, { settleMs: 500 });
    expect(records).toHaveLength(receipts.length);
    const ids = new Set(records.map((r) => JSON.parse(r.value).id));
    for (const { receipt } of receipts) expect(ids.has(receipt.id)).toBe(true);
  });

  it('announces gap markers that cover exactly the skipped notifications of each channel and partition', async () => {
    const channelOf = new Map(receipts.map((r) => [r.receipt.id, channelFor(prefix, { type, id: r.sourceId })]));
    const missed = receipts.map((r) => r.receipt).filter((r) => r.realtime !== 'published');
    // Every marker the publisher counts as sent arrives (and there is at least one).
    const markers = await eventually(() => {
      const found = gapMarkers();
      return found.length > 0 && found.length === pub.publisher.metrics().gapMarkersSent && found;
    }, 10_000);
    for (const receipt of missed) {
      const covering = markers.find(
        (m) =>
          m.channel === channelOf.get(receipt.id) &&
          m.topic === receipt.topic &&
          m.partition === receipt.partition &&
          BigInt(m.fromOffset) <= BigInt(receipt.offset) &&
          BigInt(receipt.offset) <= BigInt(m.toOffset),
      );
      expect(covering).toBeDefined();
    }
    const missedChannels = new Set(missed.map((r) => channelOf.get(r.id)));
    for (const marker of markers) {
      expect(missedChannels.has(marker.channel)).toBe(true);
      const inRange = missed
        .filter((r) => channelOf.get(r.id) === marker.channel && r.partition === marker.partition)
        .map((r) => BigInt(r.offset));
      expect(marker.skipped).toBe(inRange.length);
      expect(marker.fromOffset).toBe(inRange.reduce((a, b) => (a < b ? a : b)).toString());
      expect(marker.toOffset).toBe(inRange.reduce((a, b) => (a > b ? a : b)).toString());
    }
  });

  it('resumes live notifications by itself once Redis is back, with its breaker closed again', async () => {
    const late = publishedAfterRestart();
    expect(late.length).toBeGreaterThan(0);
    await eventually(
      () => recorder.messages.some((m) => m.payload.kind === 'event' && late.includes(m.payload.id)),
      10_000,
    );
    const metrics = pub.publisher.metrics();
    expect(metrics.breakerOpened).toBeGreaterThanOrEqual(1);
    expect(metrics.breakerState).toBe('closed');
  });
});

describe('DualStreamPublisher: Redis down at start-up', () => {
  it('starts, publishes to Kafka without Redis, and announces once Redis appears', async () => {
    const redis = await startOwnRedis();
    await redis.kill();
    const pub = await startPublisherApp({
      redis: { url: redis.url, channelPrefix: `${uniqueName('p')}:` },
      realtime: { breakerThreshold: 1, breakerProbeMs: 100 },
    });
    try {
      const type = await createdSourceType();
      const first = await pub.publisher.publish({ type: 'tick', source: { type, id: 'a' }, data: 1 });
      expect(['failed', 'skipped']).toContain(first.realtime);
      expect(pub.publisher.status.realtime).toBe('open');
      await redis.restart();
      const later = await eventually(
        async () => {
          const receipt = await pub.publisher.publish({ type: 'tick', source: { type, id: 'a' }, data: 2 });
          return receipt.realtime === 'published' && receipt;
        },
        20_000,
        200,
      );
      expect(BigInt(later.offset)).toBeGreaterThan(BigInt(first.offset));
      expect(pub.publisher.metrics().gapMarkersSent).toBeGreaterThanOrEqual(1);
    } finally {
      await pub.app.close();
      await redis.stop();
    }
  });
});

describe('DualStreamPublisher: Redis that refuses scripting', () => {
  it('falls back to a pipeline of PUBLISH and still announces every event', async () => {
    const redis = await startOwnRedis();
    const admin = new Redis(redis.url);
    await admin.call('ACL', 'SETUSER', 'default', '-@scripting');
    await expect(admin.eval('return 1', 0)).rejects.toThrow(/NOPERM/);
    const prefix = `${uniqueName('p')}:`;
    const recorder = await ChannelRecorder.start(`${prefix}*`, redis.url);
    const pub = await startPublisherApp({ redis: { url: redis.url, channelPrefix: prefix } });
    try {
      const type = await createdSourceType();
      const receipts = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          pub.publisher.publish({ type: 'tick', source: { type, id: `s${i % 3}` }, data: i }),
        ),
      );
      // The very first batch may be the one that discovered the refusal.
      const later = await pub.publisher.publishBatch(
        Array.from({ length: 5 }, (_, i) => ({ type: 'tick', source: { type, id: 'z' }, data: i })),
      );
      expect(later.every((r) => r.realtime === 'published')).toBe(true);
      const announced = [...receipts, ...later].filter((r) => r.realtime === 'published').map((r) => r.id);
      await eventually(() => announced.every((id) => recorder.messages.some((m) => m.payload.id === id)), 10_000);
    } finally {
      await pub.app.close();
      await recorder.stop();
      admin.disconnect();
      await redis.stop();
    }
  });
});
