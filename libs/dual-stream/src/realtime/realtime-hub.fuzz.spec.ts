import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { fakeReplayService, FakeHubSocket, FakeRedis, hubTestOptions } from '../../../../test/support/fake-realtime.js';
import {
  fuzzParameters,
  hostileString,
  nearMiss,
  offsetLike,
  partitionLike,
  socketValue,
} from '../../../../test/support/fuzz-arbitraries.js';
import { parseChannel } from '../events/channel-parser.js';
import { escapeRedisGlob, validatePattern } from './channel-names.js';
import type { SubscribeAck, UnsubscribeAck } from './realtime-hub.interfaces.js';
import { RealtimeHub } from './realtime-hub.service.js';

/** A prefix with glob characters: PSUBSCRIBE must take it literally. */
const PREFIX = 'app*[1]:';
const MAX_ECHO = 300;

/** The hub, its Redis connection faked at the ioredis boundary and Kafka at the replay service. */
class FuzzedHub extends RealtimeHub {
  constructor(readonly fake: FakeRedis) {
    // Small caps, so that fuzzed requests reach them; every channel and pattern is authorized.
    const options = hubTestOptions(
      { maxSubscriptionsPerConnection: 4, maxPatternsPerConnection: 2, canSubscribePattern: () => true },
      PREFIX,
    );
    super(options, fakeReplayService().asService());
    fake.ready();
  }

  protected override redisConnector(): () => Redis {
    return () => this.fake.asRedis();
  }
}

const channel = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('events:order:o-1', 'events:order:o-2', 'events:user:u-1') },
  { weight: 2, arbitrary: nearMiss(fc.constantFrom('events:order:o-1', 'events:user:u-1')) },
  { weight: 1, arbitrary: hostileString() },
  { weight: 1, arbitrary: socketValue },
);
const pattern = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('events:order:*', 'events:*', 'events:user:u-*') },
  { weight: 2, arbitrary: nearMiss(fc.constantFrom('events:order:*', 'events:*:o-*')) },
  { weight: 1, arbitrary: hostileString() },
  { weight: 1, arbitrary: socketValue },
);
const from = fc.oneof(
  fc.record(
    {
      topic: fc.constantFrom('events.order', 'events.user', 'events.other'),
      partition: partitionLike,
      offset: offsetLike,
    },
    { requiredKeys: [] },
  ),
  socketValue,
);
const conflate = fc.oneof(fc.boolean(), socketValue);
/** A `subscribe` / `unsubscribe` body: channel or pattern requests with any extras, or any decoded frame. */
const body = fc.oneof(
  { weight: 3, arbitrary: fc.record({ channel, from, conflate }, { requiredKeys: ['channel'] }) },
  { weight: 2, arbitrary: fc.record({ pattern, from, conflate }, { requiredKeys: ['pattern'] }) },
  { weight: 1, arbitrary: fc.record({ channel, pattern }) },
  { weight: 1, arbitrary: socketValue },
);
const command = fc.record({ op: fc.constantFrom('subscribe', 'unsubscribe'), body });

const isChannel = (value: unknown) => typeof value === 'string' && !!parseChannel(value);
const isPattern = (value: unknown) => typeof value === 'string' && validatePattern(value) === value;
const holds = (check: (value: unknown) => boolean) => (value: unknown) => {
  try {
    return check(value);
  } catch {
    return false;
  }
};

/** What every ack must be: `{ ok: true, ... }` for a valid channel or pattern, or `{ ok: false, error }`. */
function checkAck(ack: SubscribeAck | UnsubscribeAck, op: string): void {
  expect(JSON.parse(JSON.stringify(ack))).toEqual(ack); // it goes back over the socket as JSON
  const { ok, channel: ackChannel, pattern: ackPattern, ...rest } = ack as Record<string, unknown>;
  expect(ackChannel === undefined || ackPattern === undefined).toBe(true);
  if (ok === true) {
    expect(ackChannel !== undefined ? holds(isChannel)(ackChannel) : holds(isPattern)(ackPattern)).toBe(true);
    if (op === 'subscribe') {
      expect(Object.keys(rest).sort()).toEqual(['recovered', 'replayed']);
      expect(typeof rest.recovered === 'boolean' && Number.isSafeInteger(rest.replayed)).toBe(true);
    } else {
      expect(rest).toEqual({});
    }
    return;
  }
  expect(ok).toBe(false);
  expect(Object.keys(rest)).toEqual(['error']);
  expect(typeof rest.error === 'string' && rest.error.length > 0).toBe(true);
  for (const echoed of [ackChannel, ackPattern]) {
    if (echoed !== undefined) expect(typeof echoed === 'string' && echoed.length <= MAX_ECHO).toBe(true);
  }
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('realtime hub subscribe/unsubscribe (fuzz)', () => {
  it('answers any concurrent subscribes and unsubscribes with a well-formed ack, subscribes Redis to valid names only, and leaves nothing after a disconnect', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 8 }), async (commands) => {
        const hub = new FuzzedHub(new FakeRedis());
        const socket = new FakeHubSocket();
        hub.attach(socket.asSocket(), {});
        try {
          const acks = await Promise.all(
            commands.map(({ op, body }) =>
              op === 'subscribe' ? hub.subscribe(socket.asSocket(), body) : hub.unsubscribe(socket.asSocket(), body),
            ),
          );
          acks.forEach((ack, i) => checkAck(ack, commands[i].op));
          await flush();
          const redis = hub.fake;
          for (const name of redis.subscribed) {
            expect(name === `${PREFIX}events:gaps` || holds(isChannel)(name.slice(PREFIX.length))).toBe(true);
          }
          const escaped = escapeRedisGlob(PREFIX);
          for (const name of redis.patterns) {
            expect(name.startsWith(escaped) && holds(isPattern)(name.slice(escaped.length))).toBe(true);
          }
          expect(hub.metrics().subscriptions + hub.metrics().patternSubscriptions).toBeLessThanOrEqual(4);
          socket.disconnect();
          await flush();
          expect([redis.subscribed.size, redis.patterns.size, hub.metrics().connections]).toEqual([0, 0, 0]);
        } finally {
          await hub.onApplicationShutdown();
        }
      }),
      // A run that does not settle within 5 s is a hang: fast-check fails it (and prints its seed).
      fuzzParameters(100, { timeout: 5000 }),
    );
  });
});
