import type { StatusMessage } from '@dual-stream/nestjs';
import { eventually, sleep, startOwnRedis } from '../support/infra.js';
import { channelOf, freshSourceType, idsOf, publishContinuously } from '../support/realtime-publishing.js';
import { realtimeStack } from '../support/realtime-stack.js';
import { collect, subscribe } from '../support/socket-client.js';

describe('Redis outage while a client stays connected', () => {
  let redis: Awaited<ReturnType<typeof startOwnRedis>>;
  beforeAll(async () => {
    redis = await startOwnRedis();
  });
  const stack = realtimeStack('rt-outage', {
    publisher: true,
    redisUrl: () => redis.url,
    afterClose: () => redis?.stop(),
  });

  it('ends with every event of its channels in order and no duplicate after 5 s without Redis', async () => {
    const type = await freshSourceType();
    const sources = [
      { type, id: 'a' },
      { type, id: 'b' },
    ];
    const client = await stack.connectWith([`events:${type}:*`]);
    const received = collect(client);
    const states: string[] = [];
    client.on('status', (s: StatusMessage) => states.push(s.state));
    for (const source of sources) {
      expect(await subscribe(client, { channel: channelOf(source) })).toMatchObject({ ok: true });
    }

    const run = publishContinuously(stack.publisher, sources, { perTick: 4, tickMs: 20 });
    await eventually(() => (received.get(channelOf(sources[0]))?.length ?? 0) > 20, 20_000);
    const atKill = run.receipts.length;
    await redis.kill();
    await sleep(5000);
    const duringOutage = run.receipts.length - atKill;
    await redis.restart();
    await sleep(2000);
    await run.stop();
    expect(run.errors).toEqual([]);
    expect(duringOutage).toBeGreaterThan(500); // the publisher kept going: ~200 events/s for 5 s
    expect(run.receipts.filter((r) => r.realtime !== 'published').length).toBeGreaterThan(0);

    for (const source of sources) {
      const expected = idsOf(run.receipts, source);
      await eventually(() => (received.get(channelOf(source))?.length ?? 0) >= expected.length, 30_000).catch(
        (err: Error) => {
          const got = new Set(received.get(channelOf(source))?.map((e) => e.id));
          const missing = expected.filter((id) => !got.has(id));
          throw new Error(
            `${err.message}: ${missing.length} of ${expected.length} missing, hub ${JSON.stringify(stack.gateway.hub.metrics())}`,
          );
        },
      );
      const got = received.get(channelOf(source))!.map((e) => e.id);
      expect(got).toEqual(expected);
    }
    expect(states).toContain('degraded');
    await eventually(() => states.at(-1) === 'live', 10_000);
    const metrics = stack.gateway.hub.metrics();
    expect(metrics.recoveries).toBeGreaterThan(0);
    expect(metrics.redisUp).toBe(true);
  });
});
