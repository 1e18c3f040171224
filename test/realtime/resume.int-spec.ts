import { eventually } from '../support/infra.js';
import {
  channelOf,
  freshSourceType,
  idsOf,
  positionOf,
  publishContinuously,
  publishOne,
  type SentEvent,
} from '../support/realtime-publishing.js';
import { realtimeStack, token } from '../support/realtime-stack.js';
import { collect, subscribe } from '../support/socket-client.js';

describe('resume on another gateway instance', () => {
  const stack = realtimeStack('rt-resume', {
    gateways: [{}, {}, { replay: { maxRecordsScanned: 100 } }],
    publisher: true,
  });

  it('delivers exactly the 500 missed events in order, then live ones, without duplicates', async () => {
    const [a, b] = stack.gateways;
    const type = await freshSourceType();
    const source = { type, id: 'o-1' };
    // A second source on the same topic (likely the same partition too): replay must skip its records.
    const other = { type, id: 'o-2' };
    const channel = channelOf(source);
    const auth = await token([`events:${type}:*`]);

    const first = await stack.connect(auth, a);
    const before = collect(first);
    expect(await subscribe(first, { channel })).toEqual({ ok: true, channel, recovered: true, replayed: 0 });

    const sent: SentEvent[] = [];
    for (let i = 0; i < 50; i++) sent.push({ ...(await publishOne(stack.publisher, source, i)), source });
    await eventually(() => before.get(channel)?.length === 50, 20_000);
    expect(before.get(channel)!.map((e) => e.id)).toEqual(idsOf(sent, source));
    const last = before.get(channel)!.at(-1)!;
    first.close();

    // 500 events of this source (interleaved with 500 of another) while the client is away.
    const missed = publishContinuously(stack.publisher, [source, other], { perTick: 100, tickMs: 10, total: 1000 });
    await missed.done;
    expect(missed.errors).toEqual([]);
    const missedIds = idsOf(missed.receipts, source);
    expect(missedIds).toHaveLength(500);

    // Reconnect to the other instance while publishing goes on: replay and live overlap.
    const live = publishContinuously(stack.publisher, [source], { perTick: 5, tickMs: 10, total: 200 });
    const second = await stack.connect(auth, b);
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
    const metrics = b.hub.metrics();
    expect(metrics.replaysRecovered).toBeGreaterThanOrEqual(1);
    expect(metrics.subscriptions).toBe(1);
    // One SUBSCRIBE for the source's channel, plus the shared range-gap channel `{prefix}events:gaps`.
    expect(metrics.redisChannels).toBe(2);
  });

  it('says recovered: false when the replay hits its bound, and still goes live', async () => {
    const bounded = stack.gateways[2];
    const type = await freshSourceType();
    const source = { type, id: 'o-1' };
    const channel = channelOf(source);
    const first = await publishOne(stack.publisher, source, 0);
    const missed = publishContinuously(stack.publisher, [source], { perTick: 100, tickMs: 10, total: 300 });
    await missed.done;

    const client = await stack.connect(await token([channel]), bounded);
    const received = collect(client);
    const ack = await subscribe(client, { channel, from: positionOf(first) });
    expect(ack).toMatchObject({ ok: true, channel, recovered: false });
    expect((ack as { replayed: number }).replayed).toBeLessThanOrEqual(100);
    const replayedIds = (received.get(channel) ?? []).map((e) => e.id);
    // What was replayed is the start of the gap, in order: the client knows to fetch the rest elsewhere.
    expect(replayedIds).toEqual(idsOf(missed.receipts, source).slice(0, replayedIds.length));

    const live = { ...(await publishOne(stack.publisher, source, 999)), source };
    await eventually(() => received.get(channel)?.at(-1)?.id === live.id, 20_000);
    expect(bounded.hub.metrics().replaysNotRecovered).toBe(1);
  });
});
