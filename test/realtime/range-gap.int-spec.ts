import { Redis } from 'ioredis';
import type { Socket as ClientSocket } from 'socket.io-client';
import { KafkaReplayService, type GapMarker, type RecoveryMessage } from '@dual-stream/nestjs';
import { redisUrl } from '../support/infra.js';
import { startSilentPublisher, type SilentPublisher } from './support/silent-publisher.js';
import {
  channelOf,
  collect,
  connectClient,
  eventually,
  freshSourceType,
  positionOf,
  publishOne,
  sleep,
  startGateway,
  startPublisher,
  subscribe,
  token,
  uniqueName,
  type GatewayInstance,
  type GatewayOptions,
  type PublisherHandle,
} from './support/realtime-harness.js';

/** A gateway (with `replay` options), an announcing and a silent publisher, and a Redis client for markers. */
function gapStack(tag: string, replay: GatewayOptions['replay'] = {}) {
  const stack = { prefix: `${uniqueName(tag)}:` } as {
    prefix: string;
    gateway: GatewayInstance;
    pub: PublisherHandle;
    silent: SilentPublisher;
    client?: ClientSocket;
    redis: Redis;
  };
  beforeAll(async () => {
    [stack.gateway, stack.pub, stack.silent] = await Promise.all([
      startGateway({ prefix: stack.prefix, replay }),
      startPublisher(stack.prefix),
      startSilentPublisher(),
    ]);
    stack.redis = new Redis(redisUrl());
  });
  afterAll(async () => {
    stack.client?.close();
    stack.redis?.disconnect();
    await Promise.all([stack.gateway?.app.close(), stack.pub?.app.close(), stack.silent?.close()]);
  });
  return stack;
}

/**
 * When a publisher skipped more channels than it can name, it reports one gap per topic-partition on
 * `{prefix}events:gaps`; a connected client must still end with every event, recovered from Kafka.
 */
describe('range gap markers (publisher overflow)', () => {
  const stack = gapStack('rt-range');

  it('replays the reported range for subscriptions on that partition, in order, without duplicates', async () => {
    const type = await freshSourceType();
    const source = { type, id: 'o-1' };
    const channel = channelOf(source);
    const client = (stack.client = await connectClient(stack.gateway.url, await token([channel])));
    const received = collect(client);
    expect(await subscribe(client, { channel })).toMatchObject({ ok: true, channel });

    const first = await publishOne(stack.pub.publisher, source, 0);
    await eventually(() => received.get(channel)?.length === 1, 20_000);

    const skipped = [];
    for (let n = 1; n <= 20; n++) {
      skipped.push(await stack.silent.publisher.publish({ type: 'test.event', source, data: { n } }));
    }
    expect(new Set(skipped.map((r) => r.partition))).toEqual(new Set([first.partition]));

    const marker: GapMarker = {
      kind: 'gap',
      channel: `${stack.prefix}events:gaps`,
      topic: first.topic,
      partition: first.partition,
      fromOffset: skipped[0].offset,
      toOffset: skipped[skipped.length - 1].offset,
      skipped: skipped.length,
    };
    await stack.redis.publish(`${stack.prefix}events:gaps`, JSON.stringify(marker));

    const expected = [first, ...skipped].map((r) => r.id);
    await eventually(() => received.get(channel)?.length === expected.length, 20_000);
    const last = await publishOne(stack.pub.publisher, source, 21);
    await eventually(() => received.get(channel)?.length === expected.length + 1, 20_000);
    expect(received.get(channel)!.map((e) => e.id)).toEqual([...expected, last.id]);
    expect(stack.gateway.hub.metrics().gapMarkers).toBe(1);
  });
});

const CHANNELS = 12;
const TIMEOUT_MS = 1_500;

/**
 * Found by the chaos soak (`npm run soak`): on a loaded machine Redis answers late, the publisher sends a gap
 * marker for every channel of a late batch, and each gateway starts a recovery per subscription. With all
 * replay slots taken, those recoveries used to give up after `replay.timeoutMs` of waiting for a slot and tell
 * every client `recovered: false, reason: busy`: a hole nobody had looked for, so every app reloaded from its
 * read model. A recovery the hub starts itself now waits for its slot and is timed from then on.
 */
describe('background recoveries wait for a replay slot instead of reporting a hole', () => {
  const stack = gapStack('rt-slot', { maxConcurrent: 1, timeoutMs: TIMEOUT_MS });

  it('gap markers arriving while the only slot is taken for longer than replay.timeoutMs: all recovered, no notice', async () => {
    const type = await freshSourceType();
    const sources = Array.from({ length: CHANNELS }, (_, i) => ({ type, id: `s-${i}` }));
    const client = (stack.client = await connectClient(stack.gateway.url, await token([`events:${type}:*`])));
    const received = collect(client);
    const notices: RecoveryMessage[] = [];
    client.on('recovery', (m: RecoveryMessage) => notices.push(m));
    for (const source of sources) {
      expect(await subscribe(client, { channel: channelOf(source) })).toMatchObject({ ok: true });
    }
    const firsts = await Promise.all(sources.map((source) => publishOne(stack.pub.publisher, source, 0)));
    await eventually(() => sources.every((s) => received.get(channelOf(s))?.length === 1), 20_000);

    // The only replay slot is held (a replay whose page is not taken) for 3 × replay.timeoutMs.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holder = stack.gateway.app
      .get(KafkaReplayService)
      .replay(
        sources[0],
        { ...positionOf(firsts[0]), offset: (BigInt(firsts[0].offset) - 1n).toString() },
        () => held,
        { timeoutMs: 60_000 },
      );
    await eventually(() => stack.gateway.app.get(KafkaReplayService).activeReplays === 1, 10_000);

    // One event per source that Redis never announced, then the publisher's gap marker for each channel.
    const skipped = await Promise.all(
      sources.map((source) => stack.silent.publisher.publish({ type: 'test.event', source, data: { n: 1 } })),
    );
    for (const [i, source] of sources.entries()) {
      const marker: GapMarker = {
        kind: 'gap',
        channel: `${stack.prefix}${channelOf(source)}`,
        topic: skipped[i].topic,
        partition: skipped[i].partition,
        fromOffset: skipped[i].offset,
        toOffset: skipped[i].offset,
        skipped: 1,
      };
      await stack.redis.publish(marker.channel, JSON.stringify(marker));
    }
    await sleep(3 * TIMEOUT_MS);
    release();
    await holder;

    await eventually(() => sources.every((s) => received.get(channelOf(s))?.length === 2), 30_000);
    for (const [i, source] of sources.entries()) {
      expect(received.get(channelOf(source))!.map((e) => e.id)).toEqual([firsts[i].id, skipped[i].id]);
    }
    expect(notices).toEqual([]);
  });
});
