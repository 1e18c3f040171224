import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import {
  catchUpFrom,
  connect,
  type ChannelEvent,
  type DualStreamClient,
  type GapInfo,
  type ResetInfo,
} from '@dual-stream/client';
import { sourcePartition, type EventSource, type GapMarker, type PublishReceipt } from '@dual-stream/nestjs';
import { ensureBuilt, startService, type ServiceProcess } from '../e2e/support/service-process.js';
import { eventually, redisUrl, uniqueName } from '../support/infra.js';
import { channelOf, freshSourceType, publishOne } from '../support/realtime-publishing.js';
import {
  startGateway,
  startPublisher,
  TEST_SECRET,
  token,
  type GatewayInstance,
  type PublisherHandle,
} from '../support/realtime-stack.js';

/** The gateway's replay gives up after this many records of the partition (all keys): a small hole beats it. */
const SCAN_LIMIT = 20;

/**
 * A hole the gateway finds on its own (a publisher's gap marker) and cannot replay (scan limit): it sends
 * `recovery` before the live events after the hole, and the SDK fills the hole from the read model (the
 * consumer's catch-up API), so the app still gets every event once, in order, and no gap or reset.
 */
describe('@dual-stream/client fills a gateway recovery hole from the read model', () => {
  const prefix = `${uniqueName('rt-fill')}:`;
  const dbDir = mkdtempSync(path.join(os.tmpdir(), 'recovery-fill-'));
  const redis = new Redis(redisUrl());
  let type: string;
  let gateway: GatewayInstance;
  let pub: PublisherHandle;
  let silent: PublisherHandle;
  let consumer: ServiceProcess;
  let client: DualStreamClient | undefined;

  beforeAll(async () => {
    type = await freshSourceType();
    await ensureBuilt();
    [gateway, pub, silent, consumer] = await Promise.all([
      startGateway({ prefix, replay: { maxRecordsScanned: SCAN_LIMIT } }),
      startPublisher(prefix),
      startPublisher(prefix, false),
      startService('consumer', {
        SOURCE_TYPES: type,
        AUTH_JWT_SECRET: TEST_SECRET,
        CONSUMER_DB_PATH: path.join(dbDir, 'projection.sqlite'),
      }),
    ]);
  }, 240_000);

  afterAll(async () => {
    client?.close();
    redis.disconnect();
    await Promise.all([gateway?.app.close(), pub?.app.close(), silent?.app.close(), consumer?.stop()]);
    rmSync(dbDir, { recursive: true, force: true });
  });

  it('hands over the events of the hole from fetchRecent, before the live events after it', async () => {
    const source: EventSource = { type, id: 'o-1' };
    const channel = channelOf(source);
    const jwt = await token([channel]);
    const got: ChannelEvent[] = [];
    const holes: (GapInfo | ResetInfo)[] = [];
    client = connect({ url: gateway.url, token: jwt, socketOptions: { transports: ['websocket'] } });
    client.subscribe(channel, {
      onEvent: (event) => got.push(event),
      onGap: (info) => holes.push(info),
      onReset: (info) => holes.push(info),
      fetchRecent: catchUpFrom(consumer.url, { token: jwt }),
    });
    await eventually(() => client!.status === 'live', 30_000);
    const first = await publishOne(pub.publisher, source, 0);
    await eventually(() => got.length === 1, 20_000);

    // The hole: more records of other sources on the partition than the replay scans, then the source's own,
    // all written without a Redis notification.
    const partition = sourcePartition(source, 3);
    const neighbours: EventSource[] = [];
    for (let i = 0; neighbours.length < SCAN_LIMIT * 2; i++) {
      const candidate = { type, id: `n-${i}` };
      if (sourcePartition(candidate, 3) === partition) neighbours.push(candidate);
    }
    for (const neighbour of neighbours) await publishOne(silent.publisher, neighbour, 0);
    const missed: PublishReceipt[] = [];
    for (let n = 1; n <= 5; n++) missed.push(await publishOne(silent.publisher, source, n));
    expect(new Set(missed.map((r) => r.partition))).toEqual(new Set([first.partition]));

    const marker: GapMarker = {
      kind: 'gap',
      channel: `${prefix}${channel}`,
      topic: first.topic,
      partition: first.partition,
      fromOffset: missed[0]!.offset,
      toOffset: missed.at(-1)!.offset,
      skipped: missed.length,
    };
    await redis.publish(`${prefix}${channel}`, JSON.stringify(marker));
    const after = await publishOne(pub.publisher, source, 6);

    const expected = [first, ...missed, after].map((r) => r.id);
    await eventually(() => got.length >= expected.length, 90_000);
    await eventually(() => client!.status === 'live', 30_000);
    const last = await publishOne(pub.publisher, source, 7);
    await eventually(() => got.length >= expected.length + 1, 20_000);

    expect(got.map((e) => e.id)).toEqual([...expected, last.id]);
    expect(holes).toEqual([]);
    expect(gateway.hub.metrics()).toMatchObject({ gapMarkers: 1, recoveryNotices: 1 });
  });
});
