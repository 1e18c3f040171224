import type { Socket as ClientSocket } from 'socket.io-client';
import type { EventSource, StatusMessage } from '@dual-stream/nestjs';
import { startClusterRedis, shardOf, type ClusterRedis } from '../support/cluster.js';
import { eventually, uniqueName } from '../support/infra.js';
import { channelOf, freshSourceType, idsOf, publishContinuously } from '../support/realtime-publishing.js';
import {
  startGateway,
  startPublisher,
  token,
  type GatewayInstance,
  type PublisherHandle,
} from '../support/realtime-stack.js';
import { collect, connectClient, subscribe } from '../support/socket-client.js';

const CHANNELS = 50;
const CLIENTS = 100;

describe('Redis Cluster: sharded Pub/Sub through a master failover (SIGKILL)', () => {
  const prefix = `${uniqueName('rc')}:`;
  let redis: ClusterRedis;
  let gateway: GatewayInstance;
  let pub: PublisherHandle;
  const clients: ClientSocket[] = [];

  beforeAll(async () => {
    redis = await startClusterRedis();
    [gateway, pub] = await Promise.all([
      startGateway({ prefix, redisCluster: { nodes: redis.nodes }, replay: { maxConcurrent: 128 } }),
      startPublisher(prefix, { nodes: redis.nodes }),
    ]);
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all([gateway?.app.close(), pub?.app.close()]);
    await redis?.stop();
  });

  it('every client ends with every event of its channel in order, no duplicate; no publish failed', async () => {
    const type = await freshSourceType();
    const sources: EventSource[] = Array.from({ length: CHANNELS }, (_, i) => ({ type, id: `s${i}` }));
    const shards = new Map<number, EventSource[]>();
    for (const source of sources) {
      const master = await shardOf(redis, `${prefix}${channelOf(source)}`);
      shards.set(master, [...(shards.get(master) ?? []), source]);
    }
    // The channels really spread over the masters (sharded Pub/Sub), and the one we kill owns some of them.
    expect(shards.size).toBe(3);
    const victim = [...shards.keys()][0];

    const jwt = await token([`events:${type}:*`]);
    const received: ReturnType<typeof collect>[] = [];
    const states: string[][] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const client = await connectClient(gateway.url, jwt);
      clients.push(client);
      received.push(collect(client));
      const seen: string[] = [];
      states.push(seen);
      client.on('status', (s: StatusMessage) => seen.push(s.state));
    }
    await Promise.all(
      clients.map(async (client, i) =>
        expect(await subscribe(client, { channel: channelOf(sources[i % CHANNELS]) })).toMatchObject({ ok: true }),
      ),
    );
    // A pattern has no sharded form: refused with the reason, not silently ignored.
    expect(await subscribe(clients[0], { pattern: `events:${type}:*` })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/not available with sharded Pub\/Sub/),
    });

    // ~1,000 events/s over the 50 channels.
    const run = publishContinuously(pub.publisher, sources, { perTick: 10, tickMs: 10 });
    await eventually(() => run.receipts.length > 1500, 30_000);
    await redis.cluster.server(victim).kill();
    const killedAt = run.receipts.length;
    // The replica is promoted (cluster-node-timeout 1 s) and notifications flow there again.
    await eventually(async () => !(await redis.cluster.masterPorts()).includes(victim), 30_000);
    await eventually(() => run.receipts.slice(killedAt + 200).some((r) => r.realtime === 'published'), 30_000);
    const afterFailover = run.receipts.length;
    await eventually(() => run.receipts.length > afterFailover + 1500, 30_000);
    await run.stop();

    expect(run.errors).toEqual([]);
    const notPublished = run.receipts.filter((r) => r.realtime !== 'published');
    expect(notPublished.length).toBeGreaterThan(0); // the kill was felt by the publisher...
    // ...only on the victim's shard: the other masters kept getting their notifications.
    const victimChannels = new Set(shards.get(victim)!.map((s) => channelOf(s)));
    const otherShardsDuring = run.receipts
      .slice(killedAt, afterFailover)
      .filter((r) => !victimChannels.has(channelOf(r.source)));
    expect(otherShardsDuring.some((r) => r.realtime === 'published')).toBe(true);

    for (let i = 0; i < CLIENTS; i++) {
      const source = sources[i % CHANNELS];
      const expected = idsOf(run.receipts, source);
      const got = () => received[i].get(channelOf(source))?.map((e) => e.id) ?? [];
      await eventually(() => got().length >= expected.length, 60_000).catch((err: Error) => {
        const have = new Set(got());
        const missing = run.receipts.filter((r) => expected.includes(r.id) && !have.has(r.id));
        throw new Error(
          `client ${i} on ${channelOf(source)}: ${err.message}: ${got().length} of ${expected.length}, missing ` +
            `${JSON.stringify(missing.map((r) => [r.offset, r.realtime, run.receipts.indexOf(r)]))} of ` +
            `${run.receipts.length}, hub ${JSON.stringify(gateway.hub.metrics())}`,
        );
      });
      expect(got()).toEqual(expected);
    }
    const hub = gateway.hub.metrics();
    expect(hub.recoveries).toBeGreaterThan(0);
    expect(hub.redisUp).toBe(true);
    // Clients of the failed shard saw it (degraded, then live again); every client ends live.
    expect(states.some((s) => s.includes('degraded'))).toBe(true);
    await eventually(() => states.every((s) => s.length === 0 || s.at(-1) === 'live'), 20_000);
  });
});
