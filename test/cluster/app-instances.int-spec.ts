import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type ChannelEvent, type DualStreamClient } from '@dual-stream/client';
import { channelFor, type EventSource } from '@dual-stream/nestjs';
import { signGatewayToken } from '@app/service-kit';
import {
  clusterServiceEnv,
  startClusterKafka,
  startClusterRedis,
  type ClusterKafka,
  type ClusterRedis,
} from '../support/cluster.js';
import { eventually, sleep, uniqueName, withAdmin } from '../support/infra.js';
import { startTcpBalancer, type TcpBalancer } from '../support/tcp-proxy.js';
import { http } from '../e2e/support/service-process.js';
import { ServiceFleet } from '../e2e/support/service-fleet.js';

const SECRET = 'cluster-instances-secret-0123456789abcdef';
/** This file's app ports (ingester, 2 gateways, 2 consumers) and the load balancer's. */
const BASE_PORT = 4200;
const BALANCER_PORT = 4210;

interface Receipt {
  id: string;
  partition: number;
  offset: string;
}

/** Publishes one event per source through the ingester every `tickMs` until stopped; receipts per source, in order. */
function publishThroughIngester(ingesterUrl: string, sources: EventSource[], tickMs = 50) {
  const sent = new Map<string, Receipt[]>(sources.map((s) => [s.id, []]));
  const failures: string[] = [];
  let running = true;
  const loop = (async () => {
    for (let round = 0; running; round++) {
      const events = sources.map((source) => ({ type: 'order.updated', source, data: { round } }));
      const res = await http(`${ingesterUrl}/events/batch`, { body: events });
      if (res.status === 202) {
        res.body.receipts.forEach((r: Receipt, i: number) => sent.get(sources[i].id)!.push(r));
      } else failures.push(`${res.status} ${res.text.slice(0, 200)}`);
      await sleep(tickMs);
    }
  })();
  return {
    sent,
    failures,
    total: () => [...sent.values()].reduce((n, list) => n + list.length, 0),
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/**
 * Several instances of every app on the cluster (3 Kafka nodes, RF 3; Redis Cluster, sharded Pub/Sub): one
 * ingester, two gateways behind a load balancer, two consumers in one group sharing one projection. One
 * gateway and one consumer are SIGKILLed mid-stream.
 */
describe('several instances of every app on the cluster: a gateway and a consumer SIGKILLed', () => {
  const prefix = `${uniqueName('inst')}-`;
  // The projection on tmpfs: its fsyncs cost nothing, and both consumers open the same file (WAL).
  const dbDir = mkdtempSync(path.join(existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'cluster-instances-'));
  let kafka: ClusterKafka;
  let redis: ClusterRedis;
  let fleet: ServiceFleet;
  let balancer: TcpBalancer;
  const clients: DualStreamClient[] = [];

  beforeAll(async () => {
    [kafka, redis] = await Promise.all([startClusterKafka(), startClusterRedis()]);
    fleet = new ServiceFleet(
      {
        ...clusterServiceEnv(kafka, redis),
        TOPIC_PREFIX: prefix,
        CHANNEL_PREFIX: prefix,
        SOURCE_TYPES: 'order',
        AUTH_JWT_SECRET: SECRET,
        CONSUMER_DB_PATH: path.join(dbDir, 'projection.sqlite'),
      },
      BASE_PORT,
    );
    await fleet.start({ gateways: 2, consumers: 2 });
    balancer = await startTcpBalancer(
      fleet.gateways.map((g) => g.port),
      BALANCER_PORT,
    );
  }, 240_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await balancer?.close();
    await fleet?.stop();
    await Promise.allSettled([kafka?.stop(), redis?.stop()]);
    rmSync(dbDir, { recursive: true, force: true });
  }, 90_000);

  it('one of two gateways SIGKILLed: its clients reconnect to the other and resume, every event once, in order', async () => {
    const sources: EventSource[] = Array.from({ length: 12 }, (_, i) => ({ type: 'order', id: `gw-${i}` }));
    const token = await signGatewayToken(SECRET, {
      sub: 'cluster-test',
      channels: sources.map((s) => channelFor('', s)),
      patterns: [],
    });
    // 8 clients, each on 3 of the channels; one by one, so the balancer alternates them between the gateways.
    const received: Map<string, string[]>[] = [];
    for (let c = 0; c < 8; c++) {
      const got = new Map<string, string[]>();
      received.push(got);
      const client = connect({
        url: balancer.url,
        token,
        reconnectDelayMs: 200,
        reconnectDelayMaxMs: 1000,
        socketOptions: { transports: ['websocket'] },
      });
      clients.push(client);
      for (let k = 0; k < 3; k++) {
        const channel = channelFor('', sources[(c * 3 + k) % sources.length]);
        got.set(channel, []);
        client.subscribe(channel, { onEvent: (event: ChannelEvent) => got.get(channel)!.push(event.id) });
      }
      await eventually(() => client.status === 'live', 30_000);
    }
    const [victim, survivor] = fleet.gateways;
    const onVictim = clients.filter((_, c) => balancer.assigned[c] === victim.port);
    expect(onVictim.length).toBe(4);

    const run = publishThroughIngester(fleet.ingester.url, sources);
    await eventually(() => received.every((got) => [...got.values()].every((ids) => ids.length >= 10)), 60_000);
    await victim.stop('SIGKILL');
    await eventually(() => onVictim.every((c) => c.metrics().reconnects === 1 && c.status === 'live'), 60_000);
    await sleep(1000);
    await run.stop();
    expect(run.failures).toEqual([]);

    // Every reconnect landed on the surviving gateway, and nobody on it reconnected.
    expect(balancer.assigned.slice(clients.length)).toEqual(onVictim.map(() => survivor.port));
    for (const client of clients) if (!onVictim.includes(client)) expect(client.metrics().reconnects).toBe(0);
    for (const got of received) {
      for (const [channel, ids] of got) {
        const expected = run.sent.get(channel.split(':').at(-1)!)!.map((r) => r.id);
        await eventually(() => ids.length >= expected.length, 60_000);
        await sleep(100);
        expect(ids).toEqual(expected);
      }
    }
  }, 240_000);

  it('one of two consumers SIGKILLed: the other takes its partitions, the projection holds every event exactly once', async () => {
    const topic = `${prefix}events.order`;
    const groupId = `${prefix}dual-stream-consumer-projection.${topic}`;
    const members = async () =>
      (await withAdmin((admin) => admin.describeGroups([groupId]), kafka.brokers)).groups[0]?.members ?? [];
    await Promise.all(
      fleet.consumers.map((c) =>
        eventually(async () => (await http(`${c.url}/health/ready`)).status === 200, 90_000, 500),
      ),
    );
    await eventually(async () => (await members()).length === 2, 60_000, 500);

    const sources: EventSource[] = Array.from({ length: 12 }, (_, i) => ({ type: 'order', id: `cs-${i}` }));
    const run = publishThroughIngester(fleet.ingester.url, sources);
    await eventually(() => run.total() > 600, 60_000);
    const [victim, survivor] = fleet.consumers;
    await victim.stop('SIGKILL');
    const killedAt = run.total();
    await eventually(() => run.total() > killedAt + 600, 60_000);
    await run.stop();
    expect(run.failures).toEqual([]);

    // The group goes on with the survivor alone (after the session timeout of the killed member).
    await eventually(async () => (await members()).length === 1, 90_000, 500);
    const token = await signGatewayToken(SECRET, {
      sub: 'cluster-test',
      channels: sources.map((s) => channelFor('', s)),
      patterns: [],
    });
    for (const source of sources) {
      const expected = run.sent.get(source.id)!;
      const page = await eventually(
        async () => {
          const res = await http(`${survivor.url}/sources/order/${source.id}/events?limit=1000`, {
            headers: { authorization: `Bearer ${token}` },
          });
          return res.body?.events?.length >= expected.length ? res.body : undefined;
        },
        120_000,
        500,
      );
      expect(page.events.map((e: { id: string }) => e.id)).toEqual(expected.map((r) => r.id));
      expect(new Set(page.events.map((e: { offset: string }) => e.offset)).size).toBe(expected.length);
    }
  }, 300_000);
});
