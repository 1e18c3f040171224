import { testSubscriptions } from '../../../../test/support/fake-realtime.js';
import type { StatusMessage } from './realtime-hub.interfaces.js';

const CHANNEL = 'events:order:o-1';
const SOURCE = { type: 'order', id: 'o-1' };
const FROM = { topic: 'events.order', partition: 0, offset: '4' };

describe('SubscriptionOpener (Redis faked at the ioredis boundary)', () => {
  let close: () => Promise<void>;
  afterEach(async () => close());

  it('SUBSCRIBEs a channel and the range-gap channel for every connection, releasing them with the last', async () => {
    const t = testSubscriptions();
    close = t.close;
    const [a, b] = [t.connect(), t.connect()];
    for (const { entry } of [a, b]) {
      expect(await t.opener.channel(entry, CHANNEL, SOURCE, undefined, false)).toEqual({
        ok: true,
        channel: CHANNEL,
        recovered: true,
        replayed: 0,
      });
    }
    expect([...t.fake.subscribed].sort()).toEqual(['p:events:gaps', `p:${CHANNEL}`]);
    const key = `c:${CHANNEL}`;
    expect(await t.opener.close(a.entry, key, { channel: CHANNEL })).toEqual({ ok: true, channel: CHANNEL });
    expect(t.fake.subscribed.size).toBe(2);
    expect(await t.opener.close(b.entry, key, { channel: CHANNEL })).toEqual({ ok: true, channel: CHANNEL });
    expect(t.fake.subscribed.size).toBe(0);
    expect(await t.opener.close(b.entry, key, { channel: CHANNEL })).toEqual({
      ok: false,
      channel: CHANNEL,
      error: 'not subscribed',
    });
  });

  it('answers a subscribe with a position once Kafka replayed from it, a re-subscribe at once', async () => {
    const t = testSubscriptions();
    close = t.close;
    t.replay.replay.mockResolvedValue({ recovered: true, replayed: 3, scanned: 3 });
    const { entry } = t.connect();
    expect(await t.opener.channel(entry, CHANNEL, SOURCE, FROM, false)).toMatchObject({ ok: true, replayed: 3 });
    expect(t.replay.replay).toHaveBeenCalledTimes(1);
    expect(t.replay.replay.mock.calls[0].slice(0, 2)).toEqual([SOURCE, FROM]);
    expect(await t.opener.channel(entry, CHANNEL, SOURCE, undefined, true)).toEqual({
      ok: true,
      channel: CHANNEL,
      recovered: true,
      replayed: 0,
    });
    expect(t.replay.replay).toHaveBeenCalledTimes(1);
    expect(entry.subs.size).toBe(1);
  });

  it('refuses and counts what authorization refuses (or throws on), subscribing nothing', async () => {
    const t = testSubscriptions({
      canSubscribe: (_principal, channel) => {
        if (channel.endsWith('o-2')) throw new Error('auth service down');
        return false;
      },
    });
    close = t.close;
    const { entry } = t.connect();
    expect(await t.opener.channel(entry, CHANNEL, SOURCE, undefined, false)).toEqual({
      ok: false,
      channel: CHANNEL,
      error: 'forbidden',
    });
    expect(await t.opener.channel(entry, 'events:order:o-2', SOURCE, undefined, false)).toMatchObject({
      error: 'forbidden',
    });
    expect(t.counters.subscribeRefused).toBe(2);
    expect(t.fake.subscribed.size).toBe(0);
    expect(entry.subs.size).toBe(0);
  });

  it('PSUBSCRIBEs a pattern under the escaped prefix, reports live, and PUNSUBSCRIBEs on close', async () => {
    const t = testSubscriptions({ canSubscribePattern: () => true }, 'a*:');
    close = t.close;
    const { socket, entry } = t.connect();
    expect(await t.opener.pattern(entry, 'events:order:*', false)).toEqual({
      ok: true,
      pattern: 'events:order:*',
      recovered: true,
      replayed: 0,
    });
    expect([...t.fake.patterns]).toEqual(['a\\*:events:order:*']);
    expect(socket.eventsNamed<StatusMessage>('status')).toEqual([{ state: 'live' }]);
    expect(await t.opener.close(entry, 'p:events:order:*', { pattern: 'events:order:*' })).toEqual({
      ok: true,
      pattern: 'events:order:*',
    });
    expect(t.fake.patterns.size).toBe(0);
  });

  it("after a reconnect recovers the failed shard's channels, all if it held the range-gap channel", async () => {
    const t = testSubscriptions();
    close = t.close;
    const { entry } = t.connect();
    await t.opener.channel(entry, CHANNEL, SOURCE, undefined, false);
    await t.opener.channel(entry, 'events:order:o-2', { type: 'order', id: 'o-2' }, undefined, false);
    t.opener.resubscribed([entry], new Set([`p:${CHANNEL}`]));
    expect(t.counters.recoveries).toBe(1);
    t.opener.resubscribed([entry], new Set([t.opener.rangeGapChannel]));
    expect(t.counters.recoveries).toBe(3);
    t.opener.resubscribed([entry]);
    expect(t.counters.recoveries).toBe(5);
  });

  it('drops a subscription: closed, its Redis channels released', async () => {
    const t = testSubscriptions();
    close = t.close;
    const { entry } = t.connect();
    await t.opener.channel(entry, CHANNEL, SOURCE, undefined, false);
    const sub = entry.subs.get(`c:${CHANNEL}`)!;
    t.opener.drop(sub);
    expect(sub.closed).toBe(true);
    expect(t.fake.subscribed.size).toBe(0);
  });
});
