import type { GapMarker } from '@dual-stream/nestjs';
import { eventually } from '../support/infra.js';
import { channelOf, freshSourceType, publishOne } from '../support/realtime-publishing.js';
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
