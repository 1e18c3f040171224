import { eventually } from '../support/infra.js';
import {
  channelOf,
  freshSourceType,
  idsOf,
  publishContinuously,
  readSourceFromKafka,
} from '../support/realtime-publishing.js';
import { realtimeStack } from '../support/realtime-stack.js';
import { collect, subscribe } from '../support/socket-client.js';

describe('join mid-stream under load (catch-up from the read model, then resume)', () => {
  const stack = realtimeStack('rt-join', { publisher: true });

  it('fetch-then-subscribe-from at ~1,000 events/s leaves no gap and no duplicate', async () => {
    const type = await freshSourceType();
    const source = { type, id: 'hot' };
    const channel = channelOf(source);
    const run = publishContinuously(stack.publisher, [source], { perTick: 10, tickMs: 10, total: 5000 });
    // Mid-stream means some hundreds acknowledged already, however fast this host publishes today.
    await eventually(() => run.receipts.length >= 200, 30_000);

    // "Fetch": what a consumer API would return, read straight from Kafka up to its current end.
    const fetched = await readSourceFromKafka(source);
    expect(fetched.length).toBeGreaterThan(100);
    const client = await stack.connectWith([channel]);
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
