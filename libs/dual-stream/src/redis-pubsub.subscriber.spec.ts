import { FakeRedis, hubTestOptions } from '../../../test/support/fake-realtime.js';
import type { PubSubEvents } from './pubsub-subscriber.js';
import { RedisPubSubSubscriber } from './redis-pubsub.subscriber.js';

/** A subscriber on a fake connection, recording what it reports. */
function subscriberOn(deliverWhileMissed?: boolean) {
  const redis = new FakeRedis();
  const log: string[] = [];
  const events: PubSubEvents<string, string> = {
    message: (channel, raw) => log.push(`message ${channel} ${raw}`),
    patternMessage: (pattern, channel, raw) => log.push(`pmessage ${pattern} ${channel} ${raw}`),
    down: () => log.push('down'),
    recovered: () => log.push('recovered'),
    failed: (err) => log.push(`failed ${String(err)}`),
  };
  const subscriber = new RedisPubSubSubscriber<string, string>(
    hubTestOptions(),
    { name: 'test', firstConnectWaitMs: 1000, deliverWhileMissed, connect: () => redis.asRedis() },
    events,
  );
  return { redis, log, subscriber };
}

/** Drops the connection and brings it back: `ready` re-SUBSCRIBEs at once, `recovered` comes a tick later. */
function reconnect(redis: FakeRedis): void {
  redis.status = 'reconnecting';
  redis.emit('close');
  redis.status = 'ready';
  redis.emit('ready');
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('RedisPubSubSubscriber after a reconnect', () => {
  it('holds back channel messages between the new SUBSCRIBE and `recovered` (they are left to the replay)', async () => {
    const { redis, log, subscriber } = subscriberOn();
    const subscribed = subscriber.addChannel('p:events:order:o-1', 'sub');
    redis.ready();
    await subscribed;
    redis.deliver('p:events:order:o-1', 'before-drop');

    reconnect(redis);
    // Subscribed again already, recovery not reported yet: delivering this would move the position past the gap.
    redis.deliver('p:events:order:o-1', 'in-window');
    await tick();
    redis.deliver('p:events:order:o-1', 'after-recovered');

    expect(log).toEqual([
      'message p:events:order:o-1 before-drop',
      'down',
      'recovered',
      'message p:events:order:o-1 after-recovered',
    ]);
  });

  it('delivers them with deliverWhileMissed (subscribers that never replay, like @OnRealtime handlers)', async () => {
    const { redis, log, subscriber } = subscriberOn(true);
    const subscribed = subscriber.addChannel('p:events:order:o-1', 'sub');
    redis.ready();
    await subscribed;

    reconnect(redis);
    redis.deliver('p:events:order:o-1', 'in-window');
    await tick();

    expect(log).toEqual(['down', 'message p:events:order:o-1 in-window', 'recovered']);
  });

  it('delivers pattern messages in the window: pattern subscriptions have no replay to leave them to', async () => {
    const { redis, log, subscriber } = subscriberOn();
    const subscribed = subscriber.addPattern('p:events:order:*', 'pattern-sub');
    redis.ready();
    await subscribed;

    reconnect(redis);
    redis.emit('pmessage', 'p:events:order:*', 'p:events:order:o-2', 'in-window');
    await tick();

    expect(log).toEqual(['down', 'pmessage p:events:order:* p:events:order:o-2 in-window', 'recovered']);
  });
});
