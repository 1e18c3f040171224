import type { Socket as ClientSocket } from 'socket.io-client';
import {
  channelOf,
  collect,
  connectClient,
  eventually,
  freshSourceType,
  idsOf,
  publishContinuously,
  readSourceFromKafka,
  startGateway,
  startPublisher,
  subscribe,
  token,
  uniqueName,
  type GatewayInstance,
  type PublisherHandle,
} from './support/realtime-harness.js';

describe('join mid-stream under load (catch-up from the read model, then resume)', () => {
  const prefix = `${uniqueName('rt-join')}:`;
  let gateway: GatewayInstance;
  let pub: PublisherHandle;
  let client: ClientSocket;

  beforeAll(async () => {
    [gateway, pub] = await Promise.all([startGateway({ prefix }), startPublisher(prefix)]);
  });

  afterAll(async () => {
    client?.close();
    await Promise.all([gateway?.app.close(), pub?.app.close()]);
  });

  it('fetch-then-subscribe-from at ~1,000 events/s leaves no gap and no duplicate', async () => {
    const type = await freshSourceType();
    const source = { type, id: 'hot' };
    const channel = channelOf(source);
    const run = publishContinuously(pub.publisher, [source], { perTick: 10, tickMs: 10, total: 5000 });
    // Mid-stream means some hundreds acknowledged already, however fast this host publishes today.
    await eventually(() => run.receipts.length >= 200, 30_000);

    // "Fetch": what a consumer API would return, read straight from Kafka up to its current end.
    const fetched = await readSourceFromKafka(source);
    expect(fetched.length).toBeGreaterThan(100);
    client = await connectClient(gateway.url, await token([channel]));
    const received = collect(client);
    const ack = await subscribe(client, { channel, from: fetched.at(-1)!.position });
    expect(ack).toMatchObject({ ok: true, channel, recovered: true });

    await run.done;
    expect(run.errors).toEqual([]);
    const all = idsOf(run.receipts, source);
    expect(all).toHaveLength(5000);
    const fetchedIds = fetched.map((f) => f.id);
    await eventually(() => fetchedIds.length + (received.get(channel)?.length ?? 0) >= all.length, 30_000);
    const got = [...fetchedIds, ...received.get(channel)!.map((e) => e.id)];
    expect(got).toEqual(all);
  });
});
