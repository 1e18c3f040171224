import type { EventMessage, RealtimeNotification, SubscribeAck } from '@dual-stream/nestjs';
import { eventually } from '../support/infra.js';
import { channelOf, freshSourceType, publishOne } from '../support/realtime-publishing.js';
import { realtimeStack, token } from '../support/realtime-stack.js';
import { RawSocketIo } from './support/raw-socket-io.js';

/**
 * Subscribes of one connection arrive back to back (socket.io runs each handler as its packet is decoded) and
 * each awaits authorization and Redis: the check for an existing subscription and the insert must not be
 * separated by an await, or duplicates slip in, bypass caps and leak Redis subscriptions.
 */
describe('concurrent subscribes on one connection', () => {
  const stack = realtimeStack('rt-race', {
    gateways: [{ hub: { maxSubscriptionsPerConnection: 5 } }],
    publisher: true,
  });
  const connect = async (channels: string[]) =>
    stack.track(await RawSocketIo.connect(stack.gateway.url, await token(channels)));
  const numsub = async (channel: string) => {
    const reply = (await stack.redis.call('PUBSUB', 'NUMSUB', `${stack.prefix}${channel}`)) as [string, number];
    return Number(reply[1]);
  };
  const acksOf = (client: RawSocketIo, ids: number[]) => ids.map((id) => client.acks.get(id) as SubscribeAck);
  const eventsOf = (client: RawSocketIo) => client.eventsNamed<EventMessage>('event').map((m) => m.event);

  it('20 identical subscribes in one TCP write: one subscription, one delivery per event, nothing left after leaving', async () => {
    const type = await freshSourceType();
    const source = { type, id: 'o-1' };
    const channel = channelOf(source);
    const client = await connect([channel]);
    const ids = client.emitBatch(
      'subscribe',
      Array.from({ length: 20 }, () => ({ channel })),
    );
    await eventually(() => ids.every((id) => client.acks.has(id)), 30_000);
    expect(acksOf(client, ids)).toEqual(ids.map(() => expect.objectContaining({ ok: true, channel })));
    expect(stack.gateway.hub.metrics()).toMatchObject({ subscriptions: 1, connections: 1 });
    expect(await numsub(channel)).toBe(1);

    const sent: RealtimeNotification[] = [];
    for (let n = 0; n < 4; n++) sent.push((await publishOne(stack.publisher, source, n)) as never);
    // Per channel events arrive in order, so once the last one is here every duplicate would be too.
    await eventually(() => eventsOf(client).some((e) => e.id === sent[3].id), 20_000);
    expect(eventsOf(client).map((e) => e.id)).toEqual(sent.map((r) => r.id));

    client.close();
    await eventually(() => stack.gateway.hub.metrics().connections === 0, 20_000);
    expect(stack.gateway.hub.metrics()).toMatchObject({ subscriptions: 0, redisChannels: 0 });
    await eventually(async () => (await numsub(channel)) === 0, 20_000);
  });

  it('subscribes beyond the cap in one TCP write are refused, even while the first ones are pending', async () => {
    const client = await connect(['events:*']);
    const channels = Array.from({ length: 12 }, (_, i) => `events:capped:c-${i}`);
    const ids = client.emitBatch(
      'subscribe',
      channels.map((channel) => ({ channel })),
    );
    await eventually(() => ids.every((id) => client.acks.has(id)), 30_000);
    const acks = acksOf(client, ids);
    expect(acks.filter((a) => a.ok)).toHaveLength(5);
    expect(acks.filter((a) => !a.ok)).toEqual(
      Array.from({ length: 7 }, () => expect.objectContaining({ error: expect.stringMatching(/limit reached \(5/) })),
    );
    expect(stack.gateway.hub.metrics().subscriptions).toBe(5);
    client.close();
    await eventually(() => stack.gateway.hub.metrics().redisChannels === 0, 20_000);
  });

  it('an unsubscribe written right behind a subscribe leaves nothing behind', async () => {
    const type = await freshSourceType();
    const source = { type, id: 'u-1' };
    const sentinel = { type, id: 'u-2' };
    const client = await connect([`events:${type}:*`]);
    const first = await publishOne(stack.publisher, source, 0);
    const ids = client.emitPackets([
      [
        'subscribe',
        { channel: channelOf(source), from: { topic: first.topic, partition: first.partition, offset: '0' } },
      ],
      ['unsubscribe', { channel: channelOf(source) }],
      ['subscribe', { channel: channelOf(sentinel) }],
    ]);
    await eventually(() => ids.every((id) => client.acks.has(id)), 30_000);
    expect(client.acks.get(ids[1])).toEqual({ ok: true, channel: channelOf(source) });
    expect(stack.gateway.hub.metrics().subscriptions).toBe(1);
    const after = await publishOne(stack.publisher, source, 1);
    const last = await publishOne(stack.publisher, sentinel, 2);
    await eventually(() => eventsOf(client).some((e) => e.id === last.id), 20_000);
    expect(eventsOf(client).filter((e) => e.id === after.id)).toEqual([]);
    expect(await numsub(channelOf(source))).toBe(0);
    client.close();
    await eventually(() => stack.gateway.hub.metrics().connections === 0, 20_000);
  });

  it('a disconnect while subscribes are pending leaves no Redis subscription behind', async () => {
    const type = await freshSourceType();
    const client = await connect([`events:${type}:*`]);
    const channels = ['a', 'b', 'c', 'd'].map((id) => channelOf({ type, id }));
    client.emitBatch(
      'subscribe',
      channels.map((channel) => ({ channel, from: { topic: `events.${type}`, partition: 0, offset: '0' } })),
    );
    client.close();
    await eventually(() => stack.gateway.hub.metrics().connections === 0, 20_000);
    await eventually(
      () => stack.gateway.hub.metrics().redisChannels === 0 && stack.gateway.hub.metrics().subscriptions === 0,
    );
    await eventually(async () => (await Promise.all(channels.map(numsub))).every((n) => n === 0), 20_000);
  });
});
