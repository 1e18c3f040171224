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
  type PublisherHandle,
} from './support/realtime-harness.js';

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
  const prefix = `${uniqueName('rt-slot')}:`;
  let gateway: GatewayInstance;
  let pub: PublisherHandle;
  let silent: SilentPublisher;
  let redis: Redis;
  let client: ClientSocket;

  beforeAll(async () => {
    [gateway, pub, silent] = await Promise.all([
      startGateway({ prefix, replay: { maxConcurrent: 1, timeoutMs: TIMEOUT_MS } }),
      startPublisher(prefix),
      startSilentPublisher(),
    ]);
    redis = new Redis(redisUrl());
  });

  afterAll(async () => {
    client?.close();
    redis?.disconnect();
    await Promise.all([gateway?.app.close(), pub?.app.close(), silent?.close()]);
  });

  it('gap markers arriving while the only slot is taken for longer than replay.timeoutMs: all recovered, no notice', async () => {
    const type = await freshSourceType();
    const sources = Array.from({ length: CHANNELS }, (_, i) => ({ type, id: `s-${i}` }));
    client = await connectClient(gateway.url, await token([`events:${type}:*`]));
    const received = collect(client);
    const notices: RecoveryMessage[] = [];
    client.on('recovery', (m: RecoveryMessage) => notices.push(m));
    for (const source of sources) {
      expect(await subscribe(client, { channel: channelOf(source) })).toMatchObject({ ok: true });
    }
    const firsts = await Promise.all(sources.map((source) => publishOne(pub.publisher, source, 0)));
    await eventually(() => sources.every((s) => received.get(channelOf(s))?.length === 1), 20_000);

    // The only replay slot is held (a replay whose page is not taken) for 3 × replay.timeoutMs.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holder = gateway.app
      .get(KafkaReplayService)
      .replay(
        sources[0],
        { ...positionOf(firsts[0]), offset: (BigInt(firsts[0].offset) - 1n).toString() },
        () => held,
        { timeoutMs: 60_000 },
      );
    await eventually(() => gateway.app.get(KafkaReplayService).activeReplays === 1, 10_000);

    // One event per source that Redis never announced, then the publisher's gap marker for each channel.
    const skipped = await Promise.all(
      sources.map((source) => silent.publisher.publish({ type: 'test.event', source, data: { n: 1 } })),
    );
    for (const [i, source] of sources.entries()) {
      const marker: GapMarker = {
        kind: 'gap',
        channel: `${prefix}${channelOf(source)}`,
        topic: skipped[i].topic,
        partition: skipped[i].partition,
        fromOffset: skipped[i].offset,
        toOffset: skipped[i].offset,
        skipped: 1,
      };
      await redis.publish(marker.channel, JSON.stringify(marker));
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
