import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sourcePartition, type KafkaPosition } from '@dual-stream/nestjs';
import { signGatewayToken } from '@app/service-kit';
import { eventually, sleep, testKafka, uniqueName, withAdmin } from '../support/infra.js';
import { collect, connectClient, subscribe, type ClientSocket } from '../support/socket-client.js';
import { ensureBuilt, http, startService, type ServiceProcess } from './support/service-process.js';

interface Receipt {
  id: string;
  topic: string;
  partition: number;
  offset: string;
  realtime: string;
}

const SECRET = 'e2e-gateway-secret-0123456789abcdef0123';
const event = (sourceType: string, sourceId: string, n: number) => ({
  type: `${sourceType}.updated`,
  source: { type: sourceType, id: sourceId },
  data: { n },
});

/** The three services as separate processes on the shared Kafka and Redis, isolated by topic/channel prefix. */
describe('end to end: ingester -> Kafka/Redis -> consumer projection and gateway sockets', () => {
  const prefix = `${uniqueName('e2e-pipe')}-`;
  const dbDir = mkdtempSync(path.join(os.tmpdir(), 'e2e-consumer-'));
  const env = {
    TOPIC_PREFIX: prefix,
    CHANNEL_PREFIX: prefix,
    SOURCE_TYPES: 'order,user',
    CONSUMER_DB_PATH: path.join(dbDir, 'projection.sqlite'),
    AUTH_JWT_SECRET: SECRET,
  };
  let readToken: string;
  const asReader = () => ({ headers: { authorization: `Bearer ${readToken}` } });
  let ingester: ServiceProcess;
  let consumer: ServiceProcess;
  let gateway: ServiceProcess;
  const sockets: ClientSocket[] = [];

  const post = async (body: unknown): Promise<Receipt> => {
    const res = await http(`${ingester.url}/events`, { body });
    if (res.status !== 202) throw new Error(`POST /events answered ${res.status}: ${res.text}`);
    return res.body;
  };
  const postBatch = async (body: unknown[]): Promise<Receipt[]> => {
    const res = await http(`${ingester.url}/events/batch`, { body });
    if (res.status !== 202) throw new Error(`POST /events/batch answered ${res.status}: ${res.text}`);
    return res.body.receipts;
  };
  const catchUp = async (type: string, id: string, after?: string) =>
    (
      await http(
        `${consumer.url}/sources/${type}/${encodeURIComponent(id)}/events?limit=1000${after ? `&after=${after}` : ''}`,
        asReader(),
      )
    ).body;
  /** A socket subscribed to `channel`: the ack, and what arrived on the channel so far. */
  const subscribed = async (channel: string, from?: KafkaPosition) => {
    const token = await signGatewayToken(SECRET, { sub: 'e2e', channels: ['events:*'], patterns: [] });
    const client = await connectClient(gateway.url, token);
    sockets.push(client);
    const received = collect(client);
    const ack = await subscribe(client, { channel, from });
    return { ack, events: () => received.get(channel) ?? [] };
  };

  beforeAll(async () => {
    readToken = await signGatewayToken(SECRET, { sub: 'e2e-reader', channels: ['events:*'], patterns: [] });
    await ensureBuilt();
    [ingester, consumer, gateway] = await Promise.all([
      startService('ingester', env),
      startService('consumer', env),
      startService('gateway', env),
    ]);
    // The consumer is ready once its groups joined; readiness covers Kafka and its store.
    await eventually(async () => (await http(`${consumer.url}/health/ready`)).status === 200, 60_000, 500);
  }, 180_000);

  afterAll(async () => {
    for (const s of sockets) s.close();
    await Promise.allSettled([ingester?.stop(), consumer?.stop(), gateway?.stop()]);
    rmSync(dbDir, { recursive: true, force: true });
  }, 60_000);

  it('an event POSTed to the ingester reaches the consumer projection and a subscribed socket', async () => {
    const { ack, events } = await subscribed('events:order:first');
    expect(ack).toMatchObject({ ok: true, channel: 'events:order:first' });

    const receipt = await post(event('order', 'first', 1));
    expect(receipt).toMatchObject({ topic: `${prefix}events.order`, realtime: 'published' });

    const live = await eventually(() => events().find((e) => e.id === receipt.id), 30_000);
    expect(live).toMatchObject({
      topic: receipt.topic,
      partition: receipt.partition,
      offset: receipt.offset,
      source: { type: 'order', id: 'first' },
    });

    const projected = await eventually(
      async () => {
        const r = await http(`${consumer.url}/events/${receipt.id}`, asReader());
        return r.status === 200 ? r.body : undefined;
      },
      60_000,
      200,
    );
    expect(projected).toMatchObject({
      id: receipt.id,
      offset: receipt.offset,
      partition: receipt.partition,
      data: { n: 1 },
    });
  });

  it('the catch-up API validates its parameters', async () => {
    const bad = async (query: string) => (await http(`${consumer.url}${query}`, asReader())).body;
    expect(await bad('/sources/order/o*1/events')).toMatchObject({
      statusCode: 400,
      error: 'invalid_query',
      problems: [expect.objectContaining({ path: 'source' })],
    });
    expect(await bad('/sources/Order/o-1/events')).toMatchObject({
      statusCode: 400,
      problems: [expect.objectContaining({ path: 'source' })],
    });
    expect(await bad('/sources/order/o-1/events?after=-1&limit=0')).toMatchObject({
      statusCode: 400,
      problems: [expect.objectContaining({ path: 'after' }), expect.objectContaining({ path: 'limit' })],
    });
    expect(await bad('/sources/order/o-1/events?limit=1001')).toMatchObject({
      statusCode: 400,
      problems: [expect.objectContaining({ path: 'limit' })],
    });
    expect(await bad('/sources/order/o-1/events?after=1&after=2')).toMatchObject({
      statusCode: 400,
      problems: [expect.objectContaining({ path: 'after' })],
    });
    expect(await bad('/sources/sensor/s-1/events')).toMatchObject({
      status: 400,
      error: 'unknown_source_type',
      allowed: ['order', 'user'],
    });
    expect((await http(`${consumer.url}/events/no-such-event`, asReader())).status).toBe(404);
    expect(await bad('/sources/order/never-seen/events')).toMatchObject({
      source: { type: 'order', id: 'never-seen' },
      events: [],
      last: null,
    });
  });

  it('a client joining mid-stream catches up from the consumer API, then subscribes `from` it: no gap, no duplicate', async () => {
    const id = 'mid-stream';
    const first = await postBatch(Array.from({ length: 20 }, (_, i) => event('order', id, i)));
    await eventually(async () => (await catchUp('order', id)).events.length === 20, 60_000, 200);
    const page = await catchUp('order', id);
    expect(page.last).toEqual({ topic: first[19]!.topic, partition: first[19]!.partition, offset: first[19]!.offset });
    expect(page.cursor).toEqual(page.last);

    // Published after the catch-up read and before the subscription: only Kafka replay can fill this gap.
    const gap = await postBatch(Array.from({ length: 10 }, (_, i) => event('order', id, 20 + i)));
    const { ack, events } = await subscribed(`events:order:${id}`, page.cursor);
    expect(ack).toMatchObject({ ok: true, recovered: true });
    const live: Receipt[] = [];
    for (let i = 0; i < 10; i++) live.push(await post(event('order', id, 30 + i)));

    const expected = [...first, ...gap, ...live].map((r) => r.id);
    await eventually(() => page.events.length + events().length >= expected.length, 30_000);
    await sleep(300); // anything extra (a duplicate) would arrive now
    const got = [...page.events.map((e: { id: string }) => e.id), ...events().map((e) => e.id)];
    expect(got).toEqual(expected);
    const offsets = events().map((e) => BigInt(e.offset));
    expect(offsets.every((o, i) => i === 0 || o > offsets[i - 1]!)).toBe(true);
  });

  it('catch-up of a source with no event yet returns a cursor; subscribing `from` it misses nothing published in between', async () => {
    const id = `empty-${Date.now()}`;
    const topic = `${prefix}events.order`;
    const partitions = await withAdmin(
      async (admin) => (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.length,
    );
    const partition = sourcePartition({ type: 'order', id }, partitions);
    // Another source on the same partition, so the projection has read that partition.
    let neighbour = 0;
    while (sourcePartition({ type: 'order', id: `n-${neighbour}` }, partitions) !== partition) neighbour++;
    const other = await post(event('order', `n-${neighbour}`, 0));
    expect(other.partition).toBe(partition);
    const page = await eventually(
      async () => {
        const p = await catchUp('order', id);
        return p.cursor && BigInt(p.cursor.offset) >= BigInt(other.offset) ? p : undefined;
      },
      60_000,
      200,
    );
    expect(page).toMatchObject({ events: [], last: null, cursor: { topic, partition } });

    // Published after the read and before the subscription: replayed from Kafka because of the cursor.
    const gap = await postBatch(Array.from({ length: 5 }, (_, i) => event('order', id, i)));
    const { ack, events } = await subscribed(`events:order:${id}`, page.cursor);
    expect(ack).toMatchObject({ ok: true, recovered: true, replayed: 5 });
    const live = await post(event('order', id, 5));
    const expected = [...gap, live].map((r) => r.id);
    await eventually(() => events().length >= expected.length, 30_000);
    expect(events().map((e) => e.id)).toEqual(expected);
  });

  it('two sources with the same event id are both projected (ids are unique per source)', async () => {
    const shared = `shared-${Date.now()}`;
    const a = await post({ ...event('user', 'twin-a', 1), id: shared });
    const b = await post({ ...event('user', 'twin-b', 2), id: shared });
    expect([a.id, b.id]).toEqual([shared, shared]);
    for (const [source, n] of [
      ['twin-a', 1],
      ['twin-b', 2],
    ] as const) {
      const page = await eventually(
        async () => {
          const p = await catchUp('user', source);
          return p.events.length === 1 ? p : undefined;
        },
        60_000,
        200,
      );
      expect(page.events[0]).toMatchObject({ id: shared, data: { n } });
    }
  });

  it('each service exports its own series on /metrics and reports ready', async () => {
    const [ing, gw, con] = await Promise.all(
      [ingester, gateway, consumer].map(async (s) => (await http(`${s.url}/metrics`)).text),
    );
    const value = (text: string, series: string) =>
      Number(new RegExp(`^${series}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    expect(value(ing, 'dual_stream_published_events_total')).toBeGreaterThanOrEqual(31);
    expect(value(ing, 'dual_stream_realtime_skipped_total')).toBe(0);
    expect(value(gw, 'dual_stream_hub_connections')).toBeGreaterThanOrEqual(1);
    expect(value(gw, 'dual_stream_hub_replays_total')).toBeGreaterThanOrEqual(1);
    expect(gw).toContain('dual_stream_hub_slow_disconnects_total');
    expect(con).toMatch(/^dual_stream_consumer_lag\{[^}]*topic="[^"]*events\.order"[^}]*partition="\d"[^}]*\} \d+$/m);
    expect(value(con, 'consumer_projected_events_total')).toBeGreaterThan(0);
    expect(con).toContain('consumer_handler_errors_total');
    for (const s of [ingester, gateway, consumer]) {
      expect((await http(`${s.url}/health/ready`)).body).toMatchObject({ status: 'ok', degraded: false });
    }
  });

  it('poison records go to the dead-letter topic and the projection moves on', async () => {
    const topic = `${prefix}events.order`;
    const producer = testKafka().producer();
    await producer.connect();
    try {
      await producer.send({
        topic,
        messages: [
          { key: 'order:poison', value: 'this is not json' },
          { key: 'order:poison', value: JSON.stringify({ hello: 'not an envelope' }) },
          {
            key: 'order:poison',
            value: JSON.stringify({
              id: 'x',
              type: 'a',
              time: '2026-01-01T00:00:00Z',
              source: { type: 'order', id: 'bad*id' },
              data: 1,
            }),
          },
        ],
      });
    } finally {
      await producer.disconnect();
    }
    const after = await post(event('order', 'poison', 1));
    await eventually(
      async () => (await http(`${consumer.url}/events/${after.id}`, asReader())).status === 200,
      60_000,
      200,
    );
    const dead = await eventually(
      async () => {
        const offsets = await withAdmin((admin) => admin.fetchTopicOffsets(`${topic}.dlq`));
        const n = offsets.reduce((sum, o) => sum + Number(o.high), 0);
        return n >= 3 ? n : undefined;
      },
      60_000,
      500,
    );
    expect(dead).toBe(3);
    expect((await catchUp('order', 'poison')).events.map((e: { id: string }) => e.id)).toEqual([after.id]);
    // The broker-side gauges refresh every 2 s.
    const dlqSeries = new RegExp(`^dual_stream_dlq_records\\{[^}]*topic="${topic}.dlq"[^}]*\\} 3$`, 'm');
    await eventually(async () => dlqSeries.test((await http(`${consumer.url}/metrics`)).text), 30_000, 500);
    expect((await http(`${consumer.url}/metrics`)).text).toMatch(/^consumer_dead_lettered_total\{[^}]*\} 3$/m);
    expect(consumer.exited).toBe(false);
  });

  it('the consumer killed mid-stream and restarted ends with every acknowledged event exactly once', async () => {
    const sources = ['r-0', 'r-1', 'r-2', 'r-3'];
    const receipts: { source: string; receipt: Receipt }[] = [];
    const publishRound = async (round: number) => {
      const events = sources.flatMap((s) => Array.from({ length: 10 }, (_, i) => event('user', s, round * 10 + i)));
      const got = await postBatch(events);
      got.forEach((receipt, i) => receipts.push({ source: events[i]!.source.id, receipt }));
    };
    for (let round = 0; round < 4; round++) await publishRound(round);
    // Mid-stream: some of these are projected and committed, some are not yet.
    await eventually(async () => (await catchUp('user', 'r-0')).events.length > 0, 60_000, 100);
    await consumer.stop('SIGKILL');
    for (let round = 4; round < 8; round++) await publishRound(round);
    consumer = await startService('consumer', env, consumer.port);
    for (let round = 8; round < 10; round++) await publishRound(round);

    for (const source of sources) {
      const mine = receipts.filter((r) => r.source === source).map((r) => r.receipt);
      const page = await eventually(
        async () => {
          const p = await catchUp('user', source);
          return p.events.length >= mine.length ? p : undefined;
        },
        120_000,
        500,
      );
      expect(page!.events.map((e: { id: string }) => e.id)).toEqual(mine.map((r) => r.id));
      expect(new Set(page!.events.map((e: { offset: string }) => e.offset)).size).toBe(mine.length);
    }
    const metrics = (await http(`${consumer.url}/metrics`)).text;
    expect(metrics).toContain('consumer_projected_events_total');
  }, 240_000);
});
