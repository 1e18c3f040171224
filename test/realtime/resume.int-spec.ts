import type { Socket as ClientSocket } from 'socket.io-client';
import {
  channelOf,
  collect,
  connectClient,
  eventually,
  freshSourceType,
  idsOf,
  positionOf,
  publishContinuously,
  publishOne,
  startGateway,
  startPublisher,
  subscribe,
  token,
  uniqueName,
  type GatewayInstance,
  type PublisherHandle,
  type SentEvent,
} from './support/realtime-harness.js';

describe('resume on another gateway instance', () => {
  const prefix = `${uniqueName('rt-resume')}:`;
  let gatewayA: GatewayInstance;
  let gatewayB: GatewayInstance;
  let bounded: GatewayInstance;
  let pub: PublisherHandle;
  const clients: ClientSocket[] = [];

  beforeAll(async () => {
    [gatewayA, gatewayB, bounded, pub] = await Promise.all([
      startGateway({ prefix }),
      startGateway({ prefix }),
      startGateway({ prefix, replay: { maxRecordsScanned: 100 } }),
      startPublisher(prefix),
    ]);
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all([gatewayA?.app.close(), gatewayB?.app.close(), bounded?.app.close(), pub?.app.close()]);
  });

  it('delivers exactly the 500 missed events in order, then live ones, without duplicates', async () => {
    const type = await freshSourceType();
    const source = { type, id: 'o-1' };
    // A second source on the same topic (likely the same partition too): replay must skip its records.
    const other = { type, id: 'o-2' };
    const channel = channelOf(source);
    const auth = await token([`events:${type}:*`]);

    const first = await connectClient(gatewayA.url, auth);
    clients.push(first);
    const before = collect(first);
    expect(await subscribe(first, { channel })).toEqual({ ok: true, channel, recovered: true, replayed: 0 });

    const sent: SentEvent[] = [];
    for (let i = 0; i < 50; i++) sent.push({ ...(await publishOne(pub.publisher, source, i)), source });
    await eventually(() => before.get(channel)?.length === 50, 20_000);
    expect(before.get(channel)!.map((e) => e.id)).toEqual(idsOf(sent, source));
    const last = before.get(channel)!.at(-1)!;
    first.close();

    // 500 events of this source (interleaved with 500 of another) while the client is away.
    const missed = publishContinuously(pub.publisher, [source, other], { perTick: 100, tickMs: 10, total: 1000 });
    await missed.done;
    expect(missed.errors).toEqual([]);
    const missedIds = idsOf(missed.receipts, source);
    expect(missedIds).toHaveLength(500);

    // Reconnect to the other instance while publishing goes on: replay and live overlap.
    const live = publishContinuously(pub.publisher, [source], { perTick: 5, tickMs: 10, total: 200 });
    const second = await connectClient(gatewayB.url, auth);
    clients.push(second);
    const after = collect(second);
    const ack = await subscribe(second, { channel, from: positionOf(last) });
    await live.done;
    expect(live.errors).toEqual([]);
    expect(ack).toMatchObject({ ok: true, channel, recovered: true });
    expect((ack as { replayed: number }).replayed).toBeGreaterThanOrEqual(500);

    const expected = [...missedIds, ...idsOf(live.receipts, source)];
    await eventually(() => (after.get(channel)?.length ?? 0) >= expected.length, 30_000);
    const got = after.get(channel)!.map((e) => e.id);
    expect(got).toEqual(expected);
    expect(new Set(got).size).toBe(got.length);
    expect(got.slice(0, 500)).toEqual(missedIds);
    expect(after.get(channel)!.every((e) => e.source.id === 'o-1')).toBe(true);
    const metrics = gatewayB.hub.metrics();
    expect(metrics.replaysRecovered).toBeGreaterThanOrEqual(1);
    expect(metrics.subscriptions).toBe(1);
    // One SUBSCRIBE for the source's channel, plus the shared range-gap channel `{prefix}events:gaps`.
    expect(metrics.redisChannels).toBe(2);
  });

  it('says recovered: false when the replay hits its bound, and still goes live', async () => {
    const type = await freshSourceType();
    const source = { type, id: 'o-1' };
    const channel = channelOf(source);
    const first = await publishOne(pub.publisher, source, 0);
    const missed = publishContinuously(pub.publisher, [source], { perTick: 100, tickMs: 10, total: 300 });
    await missed.done;

    const client = await connectClient(bounded.url, await token([channel]));
    clients.push(client);
    const received = collect(client);
    const ack = await subscribe(client, { channel, from: positionOf(first) });
    expect(ack).toMatchObject({ ok: true, channel, recovered: false });
    expect((ack as { replayed: number }).replayed).toBeLessThanOrEqual(100);
    const replayedIds = (received.get(channel) ?? []).map((e) => e.id);
    // What was replayed is the start of the gap, in order: the client knows to fetch the rest elsewhere.
    expect(replayedIds).toEqual(idsOf(missed.receipts, source).slice(0, replayedIds.length));

    const live = { ...(await publishOne(pub.publisher, source, 999)), source };
    await eventually(() => received.get(channel)?.at(-1)?.id === live.id, 20_000);
    expect(bounded.hub.metrics().replaysNotRecovered).toBe(1);
  });
});
