import { Redis } from 'ioredis';
import type { Socket as ClientSocket } from 'socket.io-client';
import type { GapMarker } from '@dual-stream/nestjs';
import { redisUrl } from '../support/infra.js';
import { startSilentPublisher, type SilentPublisher } from './support/silent-publisher.js';
import {
  channelOf,
  collect,
  connectClient,
  eventually,
  freshSourceType,
  publishOne,
  startGateway,
  startPublisher,
  subscribe,
  token,
  uniqueName,
  type GatewayInstance,
  type PublisherHandle,
} from './support/realtime-harness.js';

/**
 * When a publisher skipped more channels than it can name, it reports one gap per topic-partition on
 * `{prefix}events:gaps`; a connected client must still end with every event, recovered from Kafka.
 */
describe('range gap markers (publisher overflow)', () => {
  const prefix = `${uniqueName('rt-range')}:`;
  let gateway: GatewayInstance;
  let pub: PublisherHandle;
  let silent: SilentPublisher;
  let client: ClientSocket;
  const redis = new Redis(redisUrl());

  beforeAll(async () => {
    [gateway, pub] = await Promise.all([startGateway({ prefix }), startPublisher(prefix)]);
    silent = await startSilentPublisher();
  });

  afterAll(async () => {
    client?.close();
    redis.disconnect();
    await Promise.all([gateway?.app.close(), pub?.app.close(), silent?.close()]);
  });

  it('replays the reported range for subscriptions on that partition, in order, without duplicates', async () => {
    const type = await freshSourceType();
    const source = { type, id: 'o-1' };
    const channel = channelOf(source);
    client = await connectClient(gateway.url, await token([channel]));
    const received = collect(client);
    expect(await subscribe(client, { channel })).toMatchObject({ ok: true, channel });

    const first = await publishOne(pub.publisher, source, 0);
    await eventually(() => received.get(channel)?.length === 1, 20_000);

    const skipped = [];
    for (let n = 1; n <= 20; n++) {
      skipped.push(await silent.publisher.publish({ type: 'test.event', source, data: { n } }));
    }
    expect(new Set(skipped.map((r) => r.partition))).toEqual(new Set([first.partition]));

    const marker: GapMarker = {
      kind: 'gap',
      channel: `${prefix}events:gaps`,
      topic: first.topic,
      partition: first.partition,
      fromOffset: skipped[0].offset,
      toOffset: skipped[skipped.length - 1].offset,
      skipped: skipped.length,
    };
    await redis.publish(`${prefix}events:gaps`, JSON.stringify(marker));

    const expected = [first, ...skipped].map((r) => r.id);
    await eventually(() => received.get(channel)?.length === expected.length, 20_000);
    const last = await publishOne(pub.publisher, source, 21);
    await eventually(() => received.get(channel)?.length === expected.length + 1, 20_000);
    expect(received.get(channel)!.map((e) => e.id)).toEqual([...expected, last.id]);
    expect(gateway.hub.metrics().gapMarkers).toBe(1);
  });
});
