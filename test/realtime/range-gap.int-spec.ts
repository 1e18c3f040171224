import { KafkaReplayService, type GapMarker, type RecoveryMessage } from '@dual-stream/nestjs';
import { eventually, sleep } from '../support/infra.js';
import { channelOf, freshSourceType, positionOf, publishOne } from '../support/realtime-publishing.js';
import { realtimeStack } from '../support/realtime-stack.js';
import { collect, subscribe } from '../support/socket-client.js';

/**
 * When a publisher skipped more channels than it can name, it reports one gap per topic-partition on
 * `{prefix}events:gaps`; a connected client must still end with every event, recovered from Kafka.
 */
describe('range gap markers (publisher overflow)', () => {
  const stack = realtimeStack('rt-range', { publisher: true, silentPublisher: true });

  it('replays the reported range for subscriptions on that partition, in order, without duplicates', async () => {
    const type = await freshSourceType();
    const source = { type, id: 'o-1' };
    const channel = channelOf(source);
    const client = await stack.connectWith([channel]);
    const received = collect(client);
    expect(await subscribe(client, { channel })).toMatchObject({ ok: true, channel });

    const first = await publishOne(stack.publisher, source, 0);
    await eventually(() => received.get(channel)?.length === 1, 20_000);

    const skipped = [];
    for (let n = 1; n <= 20; n++) {
      skipped.push(await stack.silent.publish({ type: 'test.event', source, data: { n } }));
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
    const last = await publishOne(stack.publisher, source, 21);
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
  const stack = realtimeStack('rt-slot', {
    gateways: [{ replay: { maxConcurrent: 1, timeoutMs: TIMEOUT_MS } }],
    publisher: true,
    silentPublisher: true,
  });

  it('gap markers arriving while the only slot is taken for longer than replay.timeoutMs: all recovered, no notice', async () => {
    const type = await freshSourceType();
    const sources = Array.from({ length: CHANNELS }, (_, i) => ({ type, id: `s-${i}` }));
    const client = await stack.connectWith([`events:${type}:*`]);
    const received = collect(client);
    const notices: RecoveryMessage[] = [];
    client.on('recovery', (m: RecoveryMessage) => notices.push(m));
    for (const source of sources) {
      expect(await subscribe(client, { channel: channelOf(source) })).toMatchObject({ ok: true });
    }
    const firsts = await Promise.all(sources.map((source) => publishOne(stack.publisher, source, 0)));
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
      sources.map((source) => stack.silent.publish({ type: 'test.event', source, data: { n: 1 } })),
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
