import type { Redis } from 'ioredis';
import {
  deferred,
  fakeReplayService,
  FakeHubSocket,
  FakeRedis,
  hubTestOptions,
  testNotification,
} from '../../../../test/support/fake-realtime.js';
import type { DualStreamHubOptions } from '../interfaces/dual-stream-options.interface.js';
import type { EventMessage, RecoveryMessage, SubscribeAck } from './realtime-hub.interfaces.js';
import { RealtimeHub } from './realtime-hub.service.js';

const PREFIX = 'p:';
const CHANNEL = 'events:order:o-1';
let redis: FakeRedis;

/** The real hub with its Redis connection replaced at the ioredis boundary. */
class TestHub extends RealtimeHub {
  protected override redisConnector(): () => Redis {
    return () => redis.asRedis();
  }
}

function setup(hub: DualStreamHubOptions = {}, replay = fakeReplayService()) {
  redis = new FakeRedis();
  redis.ready();
  const instance = new TestHub(hubTestOptions(hub, PREFIX), replay.asService());
  const connect = (principal: unknown = {}, expiresAt?: number) => {
    const socket = new FakeHubSocket();
    instance.attach(socket.asSocket(), principal, { expiresAt });
    return socket;
  };
  const subscribe = (socket: FakeHubSocket, request: unknown) => instance.subscribe(socket.asSocket(), request);
  return { hub: instance, replay, connect, subscribe };
}

const note = (offset: string | number, extra: object = {}) =>
  JSON.stringify(
    testNotification(offset, {
      type: 'order.created',
      source: { type: 'order', id: 'o-1' },
      topic: 'events.order',
      ...extra,
    }),
  );
const offsetsOf = (socket: FakeHubSocket) => socket.eventsNamed<EventMessage>('event').map((m) => m.event.offset);
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('RealtimeHub (fakes at the ioredis and socket boundaries)', () => {
  it('drops and counts malformed Redis payloads without throwing, and still delivers valid ones', async () => {
    const { hub, connect, subscribe } = setup();
    const socket = connect();
    expect(await subscribe(socket, { channel: CHANNEL })).toMatchObject({ ok: true });
    for (const raw of ['x', '{', note('x'), note(-1), note(1, { partition: -1 }), note(1, { topic: 'other' })]) {
      expect(() => redis.deliver(`${PREFIX}${CHANNEL}`, raw)).not.toThrow();
    }
    expect(() =>
      redis.deliver(
        `${PREFIX}events:gaps`,
        JSON.stringify({ kind: 'gap', channel: `${PREFIX}events:gaps`, fromOffset: 'x' }),
      ),
    ).not.toThrow();
    redis.deliver(`${PREFIX}${CHANNEL}`, note(1));
    expect(offsetsOf(socket)).toEqual(['1']);
    expect(hub.metrics()).toMatchObject({ malformedMessages: 7, gapMarkers: 0 });
  });

  it('makes one subscription of 20 concurrent identical subscribes, and leaves nothing after detach', async () => {
    const { hub, connect, subscribe } = setup();
    const socket = connect();
    const acks = await Promise.all(Array.from({ length: 20 }, () => subscribe(socket, { channel: CHANNEL })));
    expect(acks.every((a) => a.ok)).toBe(true);
    expect(hub.metrics()).toMatchObject({ subscriptions: 1, redisChannels: 2 });
    redis.deliver(`${PREFIX}${CHANNEL}`, note(1));
    expect(offsetsOf(socket)).toEqual(['1']);
    socket.disconnect();
    expect(hub.metrics()).toMatchObject({ connections: 0, subscriptions: 0, redisChannels: 0 });
    expect(redis.subscribed.size).toBe(0);
  });

  it('applies an unsubscribe that arrives while the subscribe awaits authorization, after it', async () => {
    const allow = deferred<boolean>();
    const { hub, connect, subscribe } = setup({ canSubscribe: () => allow.promise });
    const socket = connect();
    const subscribing = subscribe(socket, { channel: CHANNEL });
    const unsubscribing = hub.unsubscribe(socket.asSocket(), { channel: CHANNEL });
    allow.resolve(true);
    expect(await subscribing).toMatchObject({ ok: true });
    expect(await unsubscribing).toEqual({ ok: true, channel: CHANNEL });
    expect(hub.metrics()).toMatchObject({ subscriptions: 0, redisChannels: 0 });
    expect(redis.subscribed.size).toBe(0);
  });

  it('creates nothing when the socket disconnects while a subscribe awaits authorization', async () => {
    const allow = deferred<boolean>();
    const { hub, connect, subscribe } = setup({ canSubscribe: () => allow.promise });
    const socket = connect();
    const subscribing = subscribe(socket, { channel: CHANNEL });
    socket.disconnect();
    allow.resolve(true);
    expect(await subscribing).toMatchObject({ ok: false, error: 'disconnected' });
    expect(hub.metrics()).toMatchObject({ subscriptions: 0, redisChannels: 0 });
  });

  it('keeps concurrent subscribes of different channels within the cap', async () => {
    const { hub, connect, subscribe } = setup({ maxSubscriptionsPerConnection: 3, canSubscribe: async () => true });
    const socket = connect();
    const acks = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((id) => subscribe(socket, { channel: `events:o:${id}` })),
    );
    expect(acks.filter((a) => a.ok)).toHaveLength(3);
    expect(hub.metrics().subscriptions).toBe(3);
  });

  it('caps patterns per connection and distinct patterns per gateway, and validates their grammar', async () => {
    const { connect, subscribe } = setup({
      maxPatternsPerConnection: 1,
      maxPatterns: 2,
      canSubscribePattern: () => true,
    });
    const [a, b, c] = [connect(), connect(), connect()];
    expect(await subscribe(a, { pattern: 'events:*a*a' })).toMatchObject({ ok: false, error: /Invalid pattern/ });
    expect(await subscribe(a, { pattern: 'events:a:*' })).toMatchObject({ ok: true });
    expect(await subscribe(a, { pattern: 'events:b:*' })).toMatchObject({ error: /per connection/ });
    expect(await subscribe(b, { pattern: 'events:b:*' })).toMatchObject({ ok: true });
    expect(await subscribe(c, { pattern: 'events:c:*' })).toMatchObject({ error: /holds 2 distinct patterns/ });
    expect(await subscribe(c, { pattern: 'events:a:*' })).toMatchObject({ ok: true });
    expect([...redis.patterns].sort()).toEqual(['p:events:a:*', 'p:events:b:*']);
  });

  it('answers a subscribe without channel or pattern, and echoes only strings, at most 300 characters', async () => {
    const { hub, connect, subscribe } = setup();
    const socket = connect();
    expect(await subscribe(socket, {})).toEqual({ ok: false, error: 'subscribe needs a `channel` or a `pattern`' });
    expect(await subscribe(socket, { channel: 42 })).toEqual({ ok: false, error: expect.stringMatching(/string/) });
    const long = `events:o:${'x'.repeat(400)}`;
    const ack = (await subscribe(socket, { channel: long })) as SubscribeAck & { channel: string };
    expect(ack.channel).toHaveLength(300);
    expect(await hub.unsubscribe(socket.asSocket(), { channel: long })).toEqual({
      ok: false,
      channel: long.slice(0, 300),
      error: 'not subscribed',
    });
  });

  it('disconnects at the token expiry with reason token-expired and refuses subscribes after it', async () => {
    const { hub, connect, subscribe } = setup();
    const expired = connect({}, Date.now() - 1);
    expect(await subscribe(expired, { channel: CHANNEL })).toMatchObject({ ok: false, error: /token expired/ });
    expect(expired.emitted).toEqual([['server_disconnect', { reason: 'token-expired' }]]);
    expect(expired.disconnected).toBe(true);

    const soon = connect({}, Date.now() + 20);
    expect(await subscribe(soon, { channel: CHANNEL })).toMatchObject({ ok: true });
    for (let i = 0; i < 100 && !soon.disconnected; i++) await new Promise((r) => setTimeout(r, 10));
    expect(soon.emitted).toEqual([['server_disconnect', { reason: 'token-expired' }]]);
    expect(hub.metrics()).toMatchObject({ tokenExpiries: 2, connections: 0, subscriptions: 0, redisChannels: 0 });
  });

  it('undoes a forged live position once a drop would depend on it, and delivers the real events', async () => {
    const replay = fakeReplayService(10n);
    const { hub, connect, subscribe } = setup({}, replay);
    const socket = connect();
    await subscribe(socket, { channel: CHANNEL });
    redis.deliver(`${PREFIX}${CHANNEL}`, note(3));
    redis.deliver(`${PREFIX}${CHANNEL}`, note('9223372036854775806'));
    expect(replay.highWatermarks).not.toHaveBeenCalled(); // nothing is looked up on the hot path
    redis.deliver(`${PREFIX}${CHANNEL}`, note(4));
    redis.deliver(`${PREFIX}${CHANNEL}`, note(5));
    await flush();
    expect(offsetsOf(socket)).toEqual(['3', '9223372036854775806', '4', '5']);
    expect(hub.metrics()).toMatchObject({ forgedPositions: 1, duplicatesDropped: 0 });
    expect(replay.highWatermarks).toHaveBeenCalledTimes(1);
    redis.deliver(`${PREFIX}${CHANNEL}`, note(5)); // a real duplicate is still dropped
    await flush();
    expect(offsetsOf(socket)).toHaveLength(4);
    expect(hub.metrics().duplicatesDropped).toBe(1);
  });

  it('recovers a position-less subscription on a range gap only when its source is on that partition', async () => {
    const { replay, connect, subscribe } = setup();
    const socket = connect();
    await subscribe(socket, { channel: CHANNEL });
    const marker = (partition: number) =>
      JSON.stringify({
        kind: 'gap',
        channel: `${PREFIX}events:gaps`,
        topic: 'events.order',
        partition,
        fromOffset: '5',
        toOffset: '9',
        skipped: 1,
      });
    // kafkajs' default partitioner puts key `order:o-1` in one of the 3 partitions; find which by trying all.
    const replayed: number[] = [];
    for (const partition of [0, 1, 2]) {
      replay.replay.mockClear();
      redis.deliver(`${PREFIX}events:gaps`, marker(partition));
      for (let i = 0; i < 50 && replay.replay.mock.calls.length === 0; i++) await flush();
      if (replay.replay.mock.calls.length > 0) replayed.push(partition);
    }
    expect(replayed).toHaveLength(1);
  });

  it('tells the client with a recovery message when a gap-marker recovery ends recovered: false', async () => {
    const { replay, connect, subscribe } = setup();
    const socket = connect();
    await subscribe(socket, { channel: CHANNEL, from: { topic: 'events.order', partition: 0, offset: '2' } });
    replay.replay.mockResolvedValue({ recovered: false, replayed: 0, scanned: 5, reason: 'scan-limit' });
    const gap = { kind: 'gap', channel: `${PREFIX}${CHANNEL}`, topic: 'events.order', partition: 0 };
    redis.deliver(`${PREFIX}${CHANNEL}`, JSON.stringify({ ...gap, fromOffset: '3', toOffset: '9', skipped: 7 }));
    for (let i = 0; i < 50 && socket.eventsNamed('recovery').length === 0; i++) await flush();
    expect(socket.eventsNamed<RecoveryMessage>('recovery')).toEqual([
      { channel: CHANNEL, recovered: false, reason: 'scan-limit', cause: 'gap-marker' },
    ]);
  });

  it('queues the recovery notice before the live events buffered during that recovery (they are after the hole)', async () => {
    const { replay, connect, subscribe } = setup();
    const socket = connect();
    await subscribe(socket, { channel: CHANNEL, from: { topic: 'events.order', partition: 0, offset: '2' } });
    // While the gap marker's replay runs, live events 10 and 11 arrive (buffered); the replay then gives up.
    replay.replay.mockImplementation(async () => {
      redis.deliver(`${PREFIX}${CHANNEL}`, note(10));
      redis.deliver(`${PREFIX}${CHANNEL}`, note(11));
      return { recovered: false, replayed: 0, scanned: 5, reason: 'scan-limit' };
    });
    const gap = { kind: 'gap', channel: `${PREFIX}${CHANNEL}`, topic: 'events.order', partition: 0 };
    redis.deliver(`${PREFIX}${CHANNEL}`, JSON.stringify({ ...gap, fromOffset: '3', toOffset: '9', skipped: 7 }));
    for (let i = 0; i < 50 && offsetsOf(socket).length < 2; i++) await flush();
    const order = socket.written
      .filter(([event]) => event === 'recovery' || event === 'event')
      .map(([event, payload]) => (event === 'event' ? (payload as EventMessage).event.offset : event));
    expect(order).toEqual(['recovery', '10', '11']);
    redis.deliver(`${PREFIX}${CHANNEL}`, note(12)); // live afterwards, and one notice only
    expect(offsetsOf(socket)).toEqual(['10', '11', '12']);
    expect(socket.eventsNamed('recovery')).toHaveLength(1);
  });
});
