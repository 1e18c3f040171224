import type { GapMarker, PublishReceipt, RecoveryMessage } from '@dual-stream/nestjs';
import { eventually } from '../support/infra.js';
import { channelOf, freshSourceType, publishOne } from '../support/realtime-publishing.js';
import { realtimeStack } from '../support/realtime-stack.js';
import { collect, subscribe } from '../support/socket-client.js';

const INT64_MAX = '9223372036854775807';

/**
 * Redis is not a trusted input (docs/protocol.md "Realtime notification" and "Gap markers"): anything that
 * reaches the gateway over Pub/Sub is parsed by one validating parser; what is malformed is counted and
 * dropped, forged positions cannot hide real events, and nothing on a channel can take the gateway down.
 */
describe('messages from Redis are untrusted', () => {
  const stack = realtimeStack('rt-untrusted', {
    gateways: [{ replay: { maxRecordsScanned: 5 } }],
    publisher: true,
    silentPublisher: true,
  });
  const connect = (channels: string[]) => stack.connectWith(channels);

  /** A client subscribed to a fresh source's channel that already received one real event. */
  async function liveSubscriber(id: string) {
    const type = await freshSourceType();
    const source = { type, id };
    const channel = channelOf(source);
    const client = await connect([channel]);
    const received = collect(client);
    expect(await subscribe(client, { channel })).toMatchObject({ ok: true });
    const first = await publishOne(stack.publisher, source, 0);
    await eventually(() => received.get(channel)?.length === 1, 20_000);
    return { source, channel, client, received, first };
  }

  it('counts and drops malformed notifications and gap markers; real events still arrive exactly once', async () => {
    const { source, channel, received, first } = await liveSubscriber('m-1');
    const { type } = source;

    const valid = {
      kind: 'event',
      id: 'forged-1',
      type: 'test.event',
      source,
      time: '2026-01-01T00:00:00Z',
      topic: first.topic,
      partition: first.partition,
      offset: '1',
    };
    const gap: GapMarker = {
      kind: 'gap',
      channel: `${stack.prefix}${channel}`,
      topic: first.topic,
      partition: first.partition,
      fromOffset: '1',
      toOffset: '2',
      skipped: 1,
    };
    const onChannel = [
      'not json',
      '{',
      '[]',
      'null',
      '42',
      '"event"',
      JSON.stringify({ ...valid, offset: 5 }),
      JSON.stringify({ ...valid, offset: '01' }),
      JSON.stringify({ ...valid, offset: '-1' }),
      JSON.stringify({ ...valid, offset: '99999999999999999999' }),
      JSON.stringify({ ...valid, offset: '9223372036854775808' }),
      JSON.stringify({ ...valid, partition: -1 }),
      JSON.stringify({ ...valid, partition: 1.5 }),
      JSON.stringify({ ...valid, partition: '0' }),
      JSON.stringify({ ...valid, topic: 'secrets' }),
      JSON.stringify({ ...valid, source: { type, id: 'someone-else' } }),
      JSON.stringify({ ...valid, id: 7 }),
      JSON.stringify({ ...valid, kind: 'surprise' }),
      JSON.stringify({ ...gap, fromOffset: 'x' }),
      JSON.stringify({ ...gap, fromOffset: '3', toOffset: '2' }),
      JSON.stringify({ ...gap, partition: -1 }),
      JSON.stringify({ ...gap, channel: `${stack.prefix}events:other:x` }),
      JSON.stringify({ ...gap, skipped: 'many' }),
    ];
    const onRangeGap = [
      'not json',
      JSON.stringify({ ...gap, channel: `${stack.prefix}events:gaps`, fromOffset: 'x' }),
      JSON.stringify({ ...gap, channel: `${stack.prefix}events:gaps`, topic: '../etc' }),
      JSON.stringify({ ...valid }),
    ];
    for (const raw of onChannel) await stack.redis.publish(`${stack.prefix}${channel}`, raw);
    for (const raw of onRangeGap) await stack.redis.publish(`${stack.prefix}events:gaps`, raw);
    const expected = onChannel.length + onRangeGap.length;
    await eventually(() => stack.gateway.hub.metrics().malformedMessages === expected, 20_000);

    const later = [];
    for (let n = 1; n <= 3; n++) later.push(await publishOne(stack.publisher, source, n));
    await eventually(() => received.get(channel)?.length === 4, 20_000);
    expect(received.get(channel)!.map((e) => e.id)).toEqual([first, ...later].map((r) => r.id));
    expect(stack.gateway.hub.metrics()).toMatchObject({ malformedMessages: expected, gapMarkers: 0, connections: 1 });
    // Still serving new connections.
    const other = await connect([channel]);
    expect(await subscribe(other, { channel })).toMatchObject({ ok: true });
  });

  it('a forged notification with a huge offset does not make later real events count as duplicates', async () => {
    const { source, channel, received, first } = await liveSubscriber('f-1');
    const before = stack.gateway.hub.metrics().forgedPositions;

    const forged = {
      kind: 'event',
      id: 'forged-huge',
      type: 'test.event',
      source,
      time: '2026-01-01T00:00:00Z',
      topic: first.topic,
      partition: first.partition,
      offset: '9223372036854775806',
    };
    await stack.redis.publish(`${stack.prefix}${channel}`, JSON.stringify(forged));
    await eventually(() => received.get(channel)?.length === 2, 20_000);

    const later: PublishReceipt[] = [];
    for (let n = 1; n <= 5; n++) later.push(await publishOne(stack.publisher, source, n));
    await eventually(() => received.get(channel)!.length === 7, 20_000);
    const real = received.get(channel)!.filter((e) => e.id !== forged.id);
    expect(real.map((e) => e.id)).toEqual([first, ...later].map((r) => r.id));
    expect(stack.gateway.hub.metrics().forgedPositions).toBe(before + 1);
  });

  it('well-formed but forged gap markers with huge ranges crash nothing and cost at most a bounded replay', async () => {
    const { source, channel, received, first } = await liveSubscriber('g-1');
    const markers: GapMarker[] = [
      {
        kind: 'gap',
        channel: `${stack.prefix}${channel}`,
        topic: first.topic,
        partition: first.partition,
        fromOffset: INT64_MAX,
        toOffset: INT64_MAX,
        skipped: 1,
      },
      {
        kind: 'gap',
        channel: `${stack.prefix}${channel}`,
        topic: first.topic,
        partition: 999,
        fromOffset: '0',
        toOffset: INT64_MAX,
        skipped: 1,
      },
      {
        kind: 'gap',
        channel: `${stack.prefix}events:gaps`,
        topic: first.topic,
        partition: first.partition,
        fromOffset: '0',
        toOffset: INT64_MAX,
        skipped: 2 ** 40,
      },
      {
        kind: 'gap',
        channel: `${stack.prefix}events:gaps`,
        topic: 'no.such.topic',
        partition: 0,
        fromOffset: '0',
        toOffset: '1',
        skipped: 1,
      },
    ];
    for (const marker of markers) {
      await stack.redis.publish(marker.channel, JSON.stringify(marker));
    }
    const later = await publishOne(stack.publisher, source, 1);
    await eventually(() => received.get(channel)?.some((e) => e.id === later.id), 20_000);
    expect(received.get(channel)!.map((e) => e.id)).toEqual([first.id, later.id]);
    expect(stack.gateway.hub.metrics().connections).toBeGreaterThan(0);
  });

  it('tells the client when a background recovery could not close the gap', async () => {
    const { source, channel, client, first } = await liveSubscriber('r-1');
    const notices: RecoveryMessage[] = [];
    client.on('recovery', (m: RecoveryMessage) => notices.push(m));

    // More records than the gateway's replay may scan (maxRecordsScanned: 5), never announced.
    const skipped = [];
    for (let n = 1; n <= 8; n++) {
      skipped.push(await stack.silent.publish({ type: 'test.event', source, data: { n } }));
    }
    const marker: GapMarker = {
      kind: 'gap',
      channel: `${stack.prefix}${channel}`,
      topic: first.topic,
      partition: first.partition,
      fromOffset: skipped[0].offset,
      toOffset: skipped[skipped.length - 1].offset,
      skipped: skipped.length,
    };
    await stack.redis.publish(marker.channel, JSON.stringify(marker));
    await eventually(() => notices.length === 1, 20_000);
    expect(notices[0]).toMatchObject({ channel, recovered: false, cause: 'gap-marker' });
    expect(typeof notices[0].reason).toBe('string');
  });
});
