import { jest } from '@jest/globals';
import { FakeGatewaySocket } from '../../../../test/support/fake-gateway-socket.js';
import type { FetchRecent, RecentEvents } from '../catch-up/fetch-recent.js';
import { ConnectionRefusedError } from '../errors/connection-refused.error.js';
import { SubscribeRefusedError } from '../errors/subscribe-refused.error.js';
import type { ChannelEvent } from '../protocol/channel-event.js';
import type { DeliveryInfo, ResetInfo } from '../subscriptions/subscription-options.js';
import { resolveConnectOptions, type ConnectOptions } from './connect-options.js';
import type { ConnectionStatus } from './connection-status.js';
import { GatewayClient } from './gateway-client.js';

const CHANNEL = 'events:order:o-1';
const TOPIC = 'events.order';

const event = (offset: number | string, partition = 1): ChannelEvent => ({
  kind: 'event',
  id: `e-${offset}`,
  type: 'order.updated',
  source: { type: 'order', id: 'o-1' },
  time: '2026-01-01T00:00:00.000Z',
  topic: TOPIC,
  partition,
  offset: String(offset),
});
const at = (offset: number | string, partition = 1) => ({ topic: TOPIC, partition, offset: String(offset) });
const flush = async () => {
  await new Promise<void>((resolve) => setImmediate(resolve));
  await jest.advanceTimersByTimeAsync(0);
};

function setup(options: Partial<ConnectOptions> = {}) {
  let socket!: FakeGatewaySocket;
  const client = new GatewayClient(
    resolveConnectOptions({ url: 'http://gateway.test', token: 'token-1', ...options } as ConnectOptions),
    (settings) => (socket = new FakeGatewaySocket(settings)),
  );
  const got: { offset: string; origin: DeliveryInfo['origin'] }[] = [];
  const onEvent = (e: ChannelEvent, info: DeliveryInfo) => got.push({ offset: e.offset, origin: info.origin });
  const offsets = () => got.map((g) => g.offset);
  const errors: Error[] = [];
  client.on('error', (err) => errors.push(err));
  return { client, socket, got, offsets, onEvent, errors };
}

/** The newest unanswered request of `kind` (older ones belong to dropped connections). */
function request(socket: FakeGatewaySocket, kind = 'subscribe') {
  const open = socket.open(kind);
  if (open.length === 0) throw new Error(`no open ${kind} request (sent: ${socket.sent.map((r) => r.event)})`);
  return open.at(-1)!;
}

const ok = (recovered = true, replayed = 0) => ({ ok: true, channel: CHANNEL, recovered, replayed });

/** The SDK unsubscribed to subscribe again `from`: answer both, the second with `replay` replayed first. */
async function resubscribed(socket: FakeGatewaySocket, from: number, replay: number[]) {
  request(socket, 'unsubscribe').answer({ ok: true, channel: CHANNEL });
  await flush();
  expect(request(socket).payload).toEqual({ channel: CHANNEL, from: at(from) });
  for (const offset of replay) socket.push('event', { channel: CHANNEL, event: event(offset) });
  request(socket).answer(ok(true, replay.length));
  await flush();
}

/** Subscribed and live, one event delivered, then the connection drops and comes back refusing the resume. */
async function deliverThenRefuseResume(socket: FakeGatewaySocket, delivered: number) {
  socket.accept();
  request(socket).answer(ok());
  await flush();
  socket.push('event', { channel: CHANNEL, event: event(delivered) });
  socket.drop();
  await jest.advanceTimersByTimeAsync(1000);
  socket.accept();
  request(socket).answer(ok(false, 0));
  await flush();
}

describe('GatewayClient (fake gateway socket)', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  it('subscribes once connected, delivers in order and drops duplicates by position', async () => {
    const { client, socket, offsets, onEvent } = setup();
    client.subscribe(CHANNEL, { onEvent });
    expect(socket.sent).toHaveLength(0);
    socket.accept();
    expect(request(socket).payload).toEqual({ channel: CHANNEL });
    request(socket).answer(ok());
    await flush();
    for (const offset of [10, 11, 11, 9, 12, 10]) socket.push('event', { channel: CHANNEL, event: event(offset) });
    expect(offsets()).toEqual(['10', '11', '12']);
    expect(client.metrics().duplicatesDropped).toBe(3);
    client.close();
  });

  it('compares offsets as 64-bit integers, per topic and partition', async () => {
    const { client, socket, offsets, onEvent } = setup();
    client.subscribe(CHANNEL, { onEvent });
    socket.accept();
    request(socket).answer(ok());
    await flush();
    for (const offset of ['9007199254740993', '9007199254740992', '9007199254740994']) {
      socket.push('event', { channel: CHANNEL, event: event(offset) });
    }
    // Another partition is not comparable with the last one: it is delivered.
    socket.push('event', { channel: CHANNEL, event: event(5, 2) });
    expect(offsets()).toEqual(['9007199254740993', '9007199254740994', '5']);
    client.close();
  });

  it('holds what arrives before the ack and hands it over sorted and deduplicated', async () => {
    const { client, socket, offsets, onEvent } = setup();
    client.subscribe(CHANNEL, { from: at(4), onEvent });
    socket.accept();
    expect(request(socket).payload).toEqual({ channel: CHANNEL, from: at(4) });
    for (const offset of [7, 5, 4, 6, 7]) socket.push('event', { channel: CHANNEL, event: event(offset) });
    expect(offsets()).toEqual([]);
    expect(client.status).toBe('recovering');
    request(socket).answer(ok(true, 3));
    await flush();
    expect(offsets()).toEqual(['5', '6', '7']);
    expect(client.status).toBe('live');
    client.close();
  });

  it('resubscribes after a reconnect from the last DELIVERED position, not the last received one', async () => {
    const { client, socket, offsets, onEvent } = setup({ reconnectDelayMs: 100 });
    client.subscribe(CHANNEL, { onEvent });
    socket.accept();
    request(socket).answer(ok());
    await flush();
    socket.push('event', { channel: CHANNEL, event: event(20) });
    socket.drop();
    await jest.advanceTimersByTimeAsync(100);
    socket.accept();
    // 21 and 22 arrive while the resubscribe is pending, then the connection drops before its ack.
    expect(request(socket).payload).toEqual({ channel: CHANNEL, from: at(20) });
    socket.push('event', { channel: CHANNEL, event: event(21) });
    socket.push('event', { channel: CHANNEL, event: event(22) });
    socket.drop('ping timeout');
    await jest.advanceTimersByTimeAsync(200);
    socket.accept();
    expect(request(socket).payload).toEqual({ channel: CHANNEL, from: at(20) });
    socket.push('event', { channel: CHANNEL, event: event(21) });
    request(socket).answer(ok(true, 1));
    await flush();
    expect(offsets()).toEqual(['20', '21']);
    client.close();
  });

  it('calls getToken again for every connection attempt', async () => {
    let n = 0;
    const getToken = jest.fn(async () => `token-${++n}`);
    const { client, socket } = setup({ token: undefined, getToken, reconnectDelayMs: 100 });
    await flush();
    socket.accept();
    socket.drop();
    await jest.advanceTimersByTimeAsync(100);
    await flush();
    socket.unreachable();
    await jest.advanceTimersByTimeAsync(200);
    await flush();
    expect(getToken).toHaveBeenCalledTimes(3);
    expect(socket.tokens).toEqual(['token-1', 'token-2', 'token-3']);
    client.close();
  });

  it('reconnects by itself after the gateway disconnects it (slow, token-expired), with a fresh token and backoff', async () => {
    let n = 0;
    const { client, socket, onEvent } = setup({ token: undefined, getToken: () => `t${++n}`, reconnectDelayMs: 100 });
    const reasons: string[] = [];
    client.on('disconnect', (reason) => reasons.push(reason));
    client.subscribe(CHANNEL, { onEvent });
    await flush();
    socket.accept();
    request(socket).answer(ok());
    socket.push('server_disconnect', { reason: 'token-expired' });
    socket.drop('io server disconnect');
    expect(client.status).toBe('offline');
    await jest.advanceTimersByTimeAsync(100);
    await flush();
    expect(socket.connectCalls).toBe(2);
    socket.accept();
    socket.push('server_disconnect', { reason: 'slow' });
    socket.drop('io server disconnect');
    // The connection did not hold: the next delay doubles (drawn from [100, 200] ms).
    await jest.advanceTimersByTimeAsync(99);
    expect(socket.connectCalls).toBe(2);
    await jest.advanceTimersByTimeAsync(101);
    await flush();
    expect(socket.connectCalls).toBe(3);
    expect(reasons).toEqual(['token-expired', 'slow']);
    expect(socket.tokens).toEqual(['t1', 't2', 't3']);
    client.close();
  });

  it('stops after a handshake refusal of a fixed token, and keeps trying with getToken', async () => {
    const fixed = setup({ reconnectDelayMs: 100 });
    fixed.socket.refuse('unauthorized: invalid or expired token', { error: 'unauthorized' });
    await jest.advanceTimersByTimeAsync(60_000);
    expect(fixed.socket.connectCalls).toBe(1);
    expect(fixed.errors[0]).toBeInstanceOf(ConnectionRefusedError);
    fixed.client.close();

    const renewing = setup({ token: undefined, getToken: () => 'fresh', reconnectDelayMs: 100 });
    renewing.socket.refuse('unauthorized: invalid or expired token', { error: 'unauthorized' });
    await jest.advanceTimersByTimeAsync(200);
    expect(renewing.socket.connectCalls).toBe(2);
    renewing.client.close();
  });

  it('calls onReset on recovered: false without a read model, then continues live', async () => {
    const { client, socket, offsets, onEvent } = setup();
    const resets: ResetInfo[] = [];
    client.subscribe(CHANNEL, { from: at(3), onEvent, onReset: (info) => resets.push(info) });
    socket.accept();
    socket.push('event', { channel: CHANNEL, event: event(9) });
    request(socket).answer({ ...ok(false, 0), reason: 'scan-limit' });
    await flush();
    expect(resets).toEqual([
      { channel: CHANNEL, reason: 'resume-refused', gatewayReason: 'scan-limit', position: at(3) },
    ]);
    socket.push('event', { channel: CHANNEL, event: event(10) });
    expect(offsets()).toEqual(['9', '10']);
    client.close();
  });

  it('fills a refused resume from the read model after the last delivered event, then verifies and goes live', async () => {
    const calls: unknown[] = [];
    const fetchRecent: FetchRecent = async (request) => {
      calls.push(request);
      return {
        events: [event(20), event(30), event(40), event(50)],
        last: at(50),
        cursor: at(55),
      };
    };
    const { client, socket, got, offsets, onEvent } = setup();
    const onReset = jest.fn();
    client.subscribe(CHANNEL, { from: at(20), onEvent, onReset, fetchRecent });
    socket.accept();
    // Partly replayed before the hole, then live events past it; all held until the stream is complete.
    socket.push('event', { channel: CHANNEL, event: event(30) });
    socket.push('event', { channel: CHANNEL, event: event(70) });
    request(socket).answer(ok(false, 1));
    await flush();
    expect(calls).toEqual([{ channel: CHANNEL, after: at(20) }]); // no event delivered yet: the given position
    expect(offsets()).toEqual(['30', '40', '50']);
    expect(got.every((g) => g.origin === 'read-model')).toBe(true);
    // Live events keep coming while the SDK verifies: still held.
    socket.push('event', { channel: CHANNEL, event: event(60) });
    await resubscribed(socket, 55, [60, 65]);
    expect(offsets()).toEqual(['30', '40', '50', '60', '65', '70']);
    expect(onReset).not.toHaveBeenCalled();
    expect(client.status).toBe('live');
    client.close();
  });

  it('asks the read model from just before the last delivered event, and resets when it no longer holds it', async () => {
    const requests: unknown[] = [];
    const fetchRecent: FetchRecent = async (request) => {
      requests.push(request);
      return { events: [event(900), event(901)], last: at(901), cursor: at(901) };
    };
    const { client, socket, offsets, onEvent } = setup();
    const resets: ResetInfo[] = [];
    client.subscribe(CHANNEL, { onEvent, onReset: (info) => resets.push(info), fetchRecent });
    await deliverThenRefuseResume(socket, 100);
    expect(requests).toEqual([{ channel: CHANNEL, after: at(99) }]);
    expect(resets.map((r) => r.reason)).toEqual(['read-model-pruned']);
    expect(offsets()).toEqual(['100']);
    client.close();
  });

  it('waits for a read model that has not projected the last delivered event yet', async () => {
    let projected: RecentEvents = { events: [], last: null, cursor: at(40) };
    const fetchRecent = jest.fn<FetchRecent>(async () => projected);
    const { client, socket, offsets, onEvent } = setup();
    client.subscribe(CHANNEL, { from: at(49), onEvent, fetchRecent });
    await deliverThenRefuseResume(socket, 50);
    expect(fetchRecent).toHaveBeenCalledTimes(1);
    expect(socket.open('unsubscribe')).toHaveLength(0);
    projected = { events: [event(50), event(51)], last: at(51), cursor: at(60) };
    await jest.advanceTimersByTimeAsync(500);
    await flush();
    expect(fetchRecent).toHaveBeenCalledTimes(2);
    expect(offsets()).toEqual(['50', '51']);
    request(socket, 'unsubscribe').answer({ ok: true });
    await flush();
    expect(request(socket).payload.from).toEqual(at(60));
    request(socket).answer(ok());
    await flush();
    expect(client.status).toBe('live');
    client.close();
  });

  it('gives up on a read model that makes no progress for fillTimeoutMs', async () => {
    const fetchRecent: FetchRecent = async () => ({ events: [], last: null });
    const { client, socket, onEvent } = setup({ fillTimeoutMs: 3000, fillRetryDelayMaxMs: 500 });
    const resets: ResetInfo[] = [];
    client.subscribe(CHANNEL, { from: at(1), onEvent, onReset: (info) => resets.push(info), fetchRecent });
    socket.accept();
    request(socket).answer(ok(false, 0));
    for (let i = 0; i < 20 && resets.length === 0; i++) {
      await jest.advanceTimersByTimeAsync(500);
      for (const r of socket.open('unsubscribe')) r.answer({ ok: true });
      for (const r of socket.open('subscribe')) r.answer(ok(false, 0));
    }
    expect(resets.map((r) => r.reason)).toEqual(['read-model-stalled']);
    expect(client.status).toBe('live');
    client.close();
  });

  it('joins mid-stream: the read model first, then subscribes from its cursor without duplicates', async () => {
    const fetchRecent: FetchRecent = async () => ({ events: [event(1), event(2)], last: at(2), cursor: at(5) });
    const { client, socket, got, onEvent } = setup();
    client.joinMidStream(CHANNEL, fetchRecent, { onEvent });
    socket.accept();
    await flush();
    expect(request(socket).payload).toEqual({ channel: CHANNEL, from: at(5) });
    socket.push('event', { channel: CHANNEL, event: event(2) });
    socket.push('event', { channel: CHANNEL, event: event(6) });
    request(socket).answer(ok(true, 1));
    await flush();
    expect(got).toEqual([
      { offset: '1', origin: 'read-model' },
      { offset: '2', origin: 'read-model' },
      { offset: '6', origin: 'gateway' },
    ]);
    client.close();
  });

  it('reports a refused subscribe and drops the subscription', async () => {
    const { client, socket, onEvent } = setup();
    const errors: Error[] = [];
    client.subscribe(CHANNEL, { onEvent, onError: (err) => errors.push(err) });
    socket.accept();
    request(socket).answer({ ok: false, channel: CHANNEL, error: 'forbidden' });
    await flush();
    expect(errors[0]).toBeInstanceOf(SubscribeRefusedError);
    expect((errors[0] as SubscribeRefusedError).reason).toBe('forbidden');
    socket.drop();
    await jest.advanceTimersByTimeAsync(1000);
    socket.accept();
    expect(socket.open('subscribe')).toHaveLength(0);
    client.close();
  });

  it('reports the connection status: offline, recovering, live, degraded', async () => {
    const { client, socket, onEvent } = setup();
    const statuses: ConnectionStatus[] = [];
    client.on('status', (s) => statuses.push(s));
    client.subscribe(CHANNEL, { onEvent });
    socket.accept();
    request(socket).answer(ok());
    await flush();
    socket.push('status', { state: 'degraded' });
    socket.push('status', { state: 'recovering' });
    socket.push('status', { state: 'live' });
    socket.drop();
    client.close();
    expect(statuses).toEqual(['recovering', 'live', 'degraded', 'recovering', 'live', 'offline']);
  });

  it("surfaces the gateway's recovery notice through onGap, or onReset without one", async () => {
    const { client, socket, onEvent } = setup();
    const gaps: unknown[] = [];
    const resets: ResetInfo[] = [];
    client.subscribe(CHANNEL, { onEvent, onGap: (g) => gaps.push(g) });
    client.subscribe('events:order:o-2', { onEvent, onReset: (r) => resets.push(r) });
    socket.accept();
    for (const r of socket.open('subscribe')) r.answer(ok());
    await flush();
    socket.push('recovery', { channel: CHANNEL, recovered: false, reason: 'scan-limit', cause: 'gap-marker' });
    socket.push('recovery', {
      channel: 'events:order:o-2',
      recovered: false,
      reason: 'timeout',
      cause: 'redis-reconnect',
    });
    expect(gaps).toEqual([{ channel: CHANNEL, reason: 'scan-limit', cause: 'gap-marker' }]);
    expect(resets).toEqual([
      { channel: 'events:order:o-2', reason: 'gateway-recovery', gatewayReason: 'timeout', cause: 'redis-reconnect' },
    ]);
    client.close();
  });

  it("fills the hole of the gateway's recovery notice from the read model, holding the live events after it", async () => {
    const requests: unknown[] = [];
    const fetchRecent: FetchRecent = async (request) => {
      requests.push(request);
      return { events: [10, 11, 12, 13].map((o) => event(o)), last: at(13), cursor: at(14) };
    };
    const { client, socket, offsets, onEvent } = setup();
    const onGap = jest.fn();
    const onReset = jest.fn();
    client.subscribe(CHANNEL, { onEvent, onGap, onReset, fetchRecent });
    socket.accept();
    request(socket).answer(ok());
    await flush();
    socket.push('event', { channel: CHANNEL, event: event(10) });
    // The gateway's own recovery (a gap marker) could not replay 11..16; its notice comes before event 17.
    socket.push('recovery', { channel: CHANNEL, recovered: false, reason: 'scan-limit', cause: 'gap-marker' });
    expect(client.status).toBe('recovering');
    socket.push('event', { channel: CHANNEL, event: event(17) });
    await flush();
    expect(requests).toEqual([{ channel: CHANNEL, after: at(9) }]);
    expect(offsets()).toEqual(['10', '11', '12', '13']);
    await resubscribed(socket, 14, [15, 16, 17]);
    socket.push('event', { channel: CHANNEL, event: event(18) });
    expect(offsets()).toEqual(['10', '11', '12', '13', '15', '16', '17', '18']);
    expect(onGap).not.toHaveBeenCalled();
    expect(onReset).not.toHaveBeenCalled();
    expect(client.status).toBe('live');
    client.close();
  });

  it("reports a recovery notice's hole the read model cannot fill before the events after it", async () => {
    const fetchRecent: FetchRecent = async () => ({ events: [event(900)], last: at(900), cursor: at(900) });
    const { client, socket, offsets, onEvent } = setup();
    const seen: string[] = [];
    const resets: ResetInfo[] = [];
    client.subscribe(CHANNEL, {
      onEvent: (e, info) => (seen.push(e.offset), onEvent(e, info)),
      onReset: (info) => (seen.push('reset'), resets.push(info)),
      fetchRecent,
    });
    socket.accept();
    request(socket).answer(ok());
    await flush();
    socket.push('event', { channel: CHANNEL, event: event(10) });
    socket.push('recovery', { channel: CHANNEL, recovered: false, reason: 'retention', cause: 'redis-reconnect' });
    socket.push('event', { channel: CHANNEL, event: event(950) });
    await flush();
    expect(resets).toEqual([
      {
        channel: CHANNEL,
        reason: 'read-model-pruned',
        gatewayReason: 'retention',
        cause: 'redis-reconnect',
        position: at(10),
      },
    ]);
    expect(seen).toEqual(['10', 'reset', '950']);
    expect(offsets()).toEqual(['10', '950']);
    expect(client.status).toBe('live');
    client.close();
  });

  it('pattern subscriptions: live events and gap markers, subscribed again after a reconnect', async () => {
    const { client, socket } = setup({ reconnectDelayMs: 100 });
    const seen: string[] = [];
    client.subscribePattern('events:order:*', {
      conflate: true,
      onEvent: (e, info) => seen.push(`${info.channel}@${e.offset}`),
      onGap: (g) => seen.push(`gap ${g.channel} ${g.gap!.fromOffset}-${g.gap!.toOffset}`),
    });
    socket.accept();
    expect(request(socket).payload).toEqual({ pattern: 'events:order:*', conflate: true });
    request(socket).answer({ ok: true, pattern: 'events:order:*', recovered: true, replayed: 0 });
    socket.push('event', { channel: CHANNEL, pattern: 'events:order:*', event: event(3) });
    const gap = {
      kind: 'gap',
      channel: 'p:events:order:o-9',
      topic: TOPIC,
      partition: 1,
      fromOffset: '4',
      toOffset: '8',
      skipped: 2,
    };
    socket.push('gap', { channel: 'events:order:o-9', pattern: 'events:order:*', gap });
    socket.drop();
    await jest.advanceTimersByTimeAsync(100);
    socket.accept();
    expect(request(socket).payload).toEqual({ pattern: 'events:order:*', conflate: true });
    expect(seen).toEqual([`${CHANNEL}@3`, 'gap events:order:o-9 4-8']);
    client.close();
  });

  it('drops and counts malformed frames without breaking delivery', async () => {
    const { client, socket, offsets, onEvent, errors } = setup();
    client.subscribe(CHANNEL, { onEvent });
    socket.accept();
    request(socket).answer(ok());
    await flush();
    socket.push('event', { channel: CHANNEL, event: { ...event(1), offset: '01' } });
    socket.push('event', { channel: CHANNEL, event: { ...event(2), partition: -1 } });
    socket.push('event', 'not an object');
    socket.push('event', { channel: CHANNEL, event: event(3) });
    expect(offsets()).toEqual(['3']);
    expect(client.metrics().malformedMessages).toBe(3);
    expect(errors).toHaveLength(3);
    client.close();
  });

  it('reconnects when a subscribe is not answered within ackTimeoutMs', async () => {
    const { client, socket, onEvent } = setup({ ackTimeoutMs: 1000, reconnectDelayMs: 100 });
    client.subscribe(CHANNEL, { onEvent });
    socket.accept();
    await jest.advanceTimersByTimeAsync(1000);
    expect(socket.connected).toBe(false);
    await jest.advanceTimersByTimeAsync(100);
    expect(socket.connectCalls).toBe(2);
    client.close();
  });

  it('resubscribes from the same position when held events overflowed maxHeldEvents', async () => {
    const { client, socket, offsets, onEvent } = setup({ maxHeldEvents: 2 });
    client.subscribe(CHANNEL, { from: at(1), onEvent });
    socket.accept();
    for (const offset of [2, 3, 4]) socket.push('event', { channel: CHANNEL, event: event(offset) });
    request(socket).answer(ok(true, 3));
    await flush();
    expect(offsets()).toEqual([]);
    await resubscribed(socket, 1, [2, 3]);
    expect(offsets()).toEqual(['2', '3']);
    client.close();
  });

  it('retries a resume the gateway answered `busy` (no replay slot) instead of resetting or filling', async () => {
    const fetchRecent = jest.fn<FetchRecent>(async () => ({ events: [], last: null }));
    const { client, socket, offsets, onEvent } = setup({ reconnectDelayMs: 100 });
    const onReset = jest.fn();
    client.subscribe(CHANNEL, { from: at(7), onEvent, onReset, fetchRecent });
    socket.accept();
    socket.push('event', { channel: CHANNEL, event: event(12) });
    request(socket).answer({ ...ok(false, 0), reason: 'busy' });
    await flush();
    expect(socket.open('unsubscribe')).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(100);
    await resubscribed(socket, 7, [8, 12]);
    expect(offsets()).toEqual(['8', '12']);
    expect(onReset).not.toHaveBeenCalled();
    expect(fetchRecent).not.toHaveBeenCalled();
    client.close();
  });

  it('unsubscribe tells the gateway and stops delivery; a closed client refuses new subscriptions', async () => {
    const { client, socket, offsets, onEvent } = setup();
    const stop = client.subscribe(CHANNEL, { onEvent });
    socket.accept();
    request(socket).answer(ok());
    await flush();
    socket.push('event', { channel: CHANNEL, event: event(1) });
    stop();
    stop();
    expect(socket.sent.filter((r) => r.event === 'unsubscribe').map((r) => r.payload)).toEqual([{ channel: CHANNEL }]);
    socket.push('event', { channel: CHANNEL, event: event(2) });
    expect(offsets()).toEqual(['1']);
    client.close();
    expect(client.status).toBe('offline');
    expect(() => client.subscribe(CHANNEL, { onEvent })).toThrow(/closed/);
  });

  it('refuses a second subscription to the same channel and a missing onEvent', () => {
    const { client, onEvent } = setup();
    const stop = client.subscribe(CHANNEL, { onEvent });
    expect(() => client.subscribe(CHANNEL, { onEvent })).toThrow(/Already subscribed/);
    stop();
    expect(() => client.subscribe(CHANNEL, { onEvent })).not.toThrow();
    expect(() => client.subscribe('events:order:o-2', {} as never)).toThrow(/onEvent/);
    client.close();
  });
});
