import { jest } from '@jest/globals';
import { deferred, testChannelSubscription, testNotification } from '../../../../test/support/fake-realtime.js';
import type { RealtimeNotification } from '../interfaces/dual-stream-event.interface.js';
import type { SubscriptionHooks } from './channel-subscription.js';
import type { HubConnection } from './hub-connection.js';
import { HubCounters } from './hub-counters.js';
import { LiveMessage } from './socket-packet.js';

const note = (offset: string | number) => testNotification(offset);
const live = (offset: string | number) => new LiveMessage(note(offset), JSON.stringify(note(offset)));

/** A subscription on a connection that records the offsets it is asked to send. */
function subscription(hooks: Partial<SubscriptionHooks>, maxBuffer = 100) {
  const sent: string[] = [];
  const conflateKeys: (string | undefined)[] = [];
  const connection = {
    closed: false,
    sendEvent: (
      message: LiveMessage<RealtimeNotification>,
      _channel: string,
      _pattern?: string,
      conflateKey?: string,
    ) => {
      sent.push(message.event.offset);
      conflateKeys.push(conflateKey);
    },
    hasRoom: () => true,
    waitForRoom: () => Promise.resolve(),
  } as unknown as HubConnection;
  const counters = new HubCounters();
  const all: SubscriptionHooks = {
    highWatermark: hooks.highWatermark ?? (() => Promise.resolve(undefined)),
    recover: hooks.recover ?? (() => undefined),
  };
  const sub = testChannelSubscription(connection, counters, { maxBuffer, hooks: all });
  sub.state = 'live';
  return { sub, sent, counters, conflateKeys };
}

describe('ChannelSubscription position checks', () => {
  it('looks nothing up while live offsets only grow', () => {
    const highWatermark = jest.fn(() => Promise.resolve(100n));
    const { sub, sent } = subscription({ highWatermark });
    for (const offset of [1, 2, 3]) sub.onLive(live(offset));
    expect(sent).toEqual(['1', '2', '3']);
    expect(highWatermark).not.toHaveBeenCalled();
  });

  it('holds later live messages in order while a suspicious position is checked, then delivers them', async () => {
    const lookup = deferred<bigint | undefined>();
    const { sub, sent, counters } = subscription({ highWatermark: () => lookup.promise });
    sub.onLive(live(1));
    sub.onLive(live('9000000000000000000'));
    sub.onLive(live(2)); // would be dropped against the forged position: held, checked
    sub.onLive(live(3));
    expect(sent).toEqual(['1', '9000000000000000000']);
    lookup.resolve(10n);
    await lookup.promise;
    await Promise.resolve();
    expect(sent).toEqual(['1', '9000000000000000000', '2', '3']);
    expect(counters.forgedPositions).toBe(1);
  });

  it('keeps a real position (below the high-water mark) and drops the duplicate', async () => {
    const { sub, sent, counters } = subscription({ highWatermark: () => Promise.resolve(10n) });
    sub.onLive(live(5));
    sub.onLive(live(5));
    await new Promise(setImmediate);
    expect(sent).toEqual(['5']);
    expect(counters).toMatchObject({ forgedPositions: 0, duplicatesDropped: 1 });
  });

  it('treats replayed and client-given positions as verified: no lookup for their duplicates', () => {
    const highWatermark = jest.fn(() => Promise.resolve(100n));
    const { sub, sent, counters } = subscription({ highWatermark });
    sub.holds({ topic: 'events.o', partition: 0, offset: '4' });
    sub.deliver(note(5));
    sub.onLive(live(4));
    sub.onLive(live(5));
    expect(sent).toEqual(['5']);
    expect(counters.duplicatesDropped).toBe(2);
    expect(highWatermark).not.toHaveBeenCalled();
  });

  it('asks for a recovery when held messages overflowed during a slow check', async () => {
    const lookup = deferred<bigint | undefined>();
    const recover = jest.fn();
    const { sub } = subscription({ highWatermark: () => lookup.promise, recover }, 2);
    sub.onLive(live(9));
    sub.onLive(live(1));
    for (const offset of [2, 3, 4]) sub.onLive(live(offset));
    lookup.resolve(100n);
    await new Promise(setImmediate);
    expect(recover).toHaveBeenCalledWith(sub);
  });

  it('applies a changed conflate (a re-subscribe) to later deliveries', () => {
    const { sub, conflateKeys } = subscription({});
    sub.onLive(live(1));
    sub.conflate = true;
    sub.onLive(live(2));
    expect(conflateKeys).toEqual([undefined, 'c:events:o:1']);
  });
});
