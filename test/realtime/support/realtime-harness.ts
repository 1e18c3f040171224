import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import {
  DualStreamModule,
  DualStreamPublisher,
  RealtimeHub,
  sourceKey,
  type DualStreamHubOptions,
  type DualStreamRealtimeOptions,
  type DualStreamRedisClusterOptions,
  type DualStreamReplayOptions,
  type EventMessage,
  type EventSource,
  type KafkaPosition,
  type PublishReceipt,
  type RealtimeNotification,
  type SubscribeAck,
  type SubscribeRequest,
} from '@dual-stream/nestjs';
import { io, type Socket as ClientSocket } from 'socket.io-client';
import { GatewayModule } from '../../../apps/gateway/src/gateway.module.js';
import { signGatewayToken, type GatewayPrincipal } from '@app/service-kit';
import { createTopic, eventually, kafkaBrokers, redisUrl, testKafka, uniqueName } from '../../support/infra.js';

export const TEST_SECRET = 'realtime-test-secret-0123456789abcdef';

export interface GatewayInstance {
  app: INestApplication;
  url: string;
  hub: RealtimeHub;
}

export interface GatewayOptions {
  prefix: string;
  redisUrl?: string;
  /** A Redis Cluster instead of `redisUrl` (sharded Pub/Sub). */
  redisCluster?: DualStreamRedisClusterOptions;
  /** Kafka brokers instead of the global setup's. */
  brokers?: string[];
  hub?: DualStreamHubOptions;
  replay?: DualStreamReplayOptions;
  /** The gateway's own `realtime` block: it decides whether replayed events inline `data`. */
  realtime?: DualStreamRealtimeOptions;
  devTokens?: boolean;
  /** `aud` / `iss` the gateway requires of tokens. */
  jwt?: { audience?: string; issuer?: string };
}

/** One gateway instance (the real GatewayModule) on a free port; two of them share only Redis and Kafka. */
export async function startGateway(options: GatewayOptions): Promise<GatewayInstance> {
  const app = await NestFactory.create(
    GatewayModule.forRoot({
      dualStream: {
        kafka: { brokers: options.brokers ?? kafkaBrokers(), clientId: uniqueName('gw') },
        redis: options.redisCluster
          ? { cluster: options.redisCluster, channelPrefix: options.prefix }
          : { url: options.redisUrl ?? redisUrl(), channelPrefix: options.prefix },
        logger: false,
        ...(options.hub && { hub: options.hub }),
        ...(options.replay && { replay: options.replay }),
        ...(options.realtime && { realtime: options.realtime }),
      },
      jwtSecret: TEST_SECRET,
      devTokens: options.devTokens ?? false,
      jwtAudience: options.jwt?.audience,
      jwtIssuer: options.jwt?.issuer,
    }),
    { logger: ['error'] },
  );
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, hub: app.get(RealtimeHub) };
}

export function token(channels: string[], patterns: string[] = [], sub = 'test-user'): Promise<string> {
  const principal: GatewayPrincipal = { sub, channels, patterns };
  return signGatewayToken(TEST_SECRET, principal, 600);
}

/**
 * A socket.io client on `/events` (websocket only unless told, no automatic reconnection: tests reconnect
 * explicitly).
 */
export function connectClient(
  url: string,
  authToken?: string,
  transports: ('websocket' | 'polling')[] = ['websocket'],
): Promise<ClientSocket> {
  const socket = io(`${url}/events`, {
    auth: authToken === undefined ? {} : { token: authToken },
    transports,
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/**
 * Stops reading the client's TCP socket (the websocket transport's), so the kernel buffers fill and the
 * gateway sees real backpressure; writes still go out. Returns the function that reads again.
 */
export function stopReading(socket: ClientSocket): () => void {
  const tcp = (socket.io.engine.transport as unknown as { ws: { _socket: { pause(): void; resume(): void } } }).ws
    ._socket;
  tcp.pause();
  return () => tcp.resume();
}

export function subscribe(socket: ClientSocket, request: SubscribeRequest): Promise<SubscribeAck> {
  return socket.timeout(60_000).emitWithAck('subscribe', request) as Promise<SubscribeAck>;
}

/** Everything a client received, per channel, in arrival order. */
export function collect(socket: ClientSocket): Map<string, RealtimeNotification[]> {
  const received = new Map<string, RealtimeNotification[]>();
  socket.on('event', (message: EventMessage) => {
    let list = received.get(message.channel);
    if (!list) received.set(message.channel, (list = []));
    list.push(message.event);
  });
  return received;
}

export interface PublisherHandle {
  app: INestApplicationContext;
  publisher: DualStreamPublisher;
}

/** The real DualStreamPublisher in a bare Nest context, announcing on `prefix` (on a Redis Cluster when given one). */
export async function startPublisher(
  prefix: string,
  redis: string | DualStreamRedisClusterOptions = redisUrl(),
  brokers = kafkaBrokers(),
): Promise<PublisherHandle> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      DualStreamModule.forRoot({
        logger: false,
        kafka: { brokers, clientId: uniqueName('rt-pub') },
        redis:
          typeof redis === 'string' ? { url: redis, channelPrefix: prefix } : { cluster: redis, channelPrefix: prefix },
        realtime: { breakerProbeMs: 200 },
      }),
    ],
  }).compile();
  const app = await moduleRef.init();
  return { app, publisher: app.get(DualStreamPublisher) };
}

/** A fresh source type (so a fresh topic `events.{type}`, created with 3 partitions) for one test. */
export async function freshSourceType(): Promise<string> {
  const type = uniqueName('rt').replace(/-/g, '_');
  await createTopic(`events.${type}`, 3);
  return type;
}

export const channelOf = (source: EventSource): string => `events:${source.type}:${source.id}`;

export type SentEvent = PublishReceipt & { source: EventSource };

export function publishOne(publisher: DualStreamPublisher, source: EventSource, n: number): Promise<PublishReceipt> {
  return publisher.publish({ type: 'test.event', source, data: { n } });
}

/**
 * Publishes `perTick` events every `tickMs` until `stop()` (or `total` is reached); receipts in call order.
 * Per-key order is the publisher's guarantee, so receipts of one source have increasing offsets.
 */
export function publishContinuously(
  publisher: DualStreamPublisher,
  sources: EventSource[],
  { perTick, tickMs, total = Number.POSITIVE_INFINITY }: { perTick: number; tickMs: number; total?: number },
): { receipts: SentEvent[]; errors: unknown[]; stop: () => Promise<void>; done: Promise<void> } {
  const receipts: SentEvent[] = [];
  const errors: unknown[] = [];
  const inflight = new Set<Promise<unknown>>();
  let sent = 0;
  let stopped = false;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const timer = setInterval(() => {
    for (let i = 0; i < perTick && sent < total && !stopped; i++) {
      const source = sources[sent % sources.length];
      const p = publishOne(publisher, source, sent++).then(
        (r) => void receipts.push({ ...r, source }),
        (e) => void errors.push(e),
      );
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    }
    if (sent >= total) stopped = true;
    if (stopped) {
      clearInterval(timer);
      void Promise.all(inflight).then(finish);
    }
  }, tickMs);
  return {
    receipts,
    errors,
    done,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

export const positionOf = (r: KafkaPosition): KafkaPosition => ({
  topic: r.topic,
  partition: r.partition,
  offset: r.offset,
});

/** Ids of one source's acknowledged events, ordered by offset (the order Kafka holds them in). */
export function idsOf(sent: SentEvent[], source: EventSource): string[] {
  return sent
    .filter((r) => sourceKey(r.source) === sourceKey(source))
    .sort((a, b) => Number(BigInt(a.offset) - BigInt(b.offset)))
    .map((r) => r.id);
}

/** Reads every record of one source from Kafka (the "fetch" of fetch-then-subscribe, as a consumer API would). */
export async function readSourceFromKafka(source: EventSource): Promise<{ id: string; position: KafkaPosition }[]> {
  const topic = `events.${source.type}`;
  const admin = testKafka().admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const targets = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  const consumer = testKafka().consumer({ groupId: uniqueName('rt-fetch'), maxWaitTimeInMs: 100 });
  const found: { id: string; position: KafkaPosition }[] = [];
  const reached = new Set<number>();
  for (const [p, high] of targets) if (high === 0n) reached.add(p);
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const high = targets.get(batch.partition)!;
        for (const m of batch.messages) {
          if (BigInt(m.offset) >= high) break;
          if (m.key?.toString() === sourceKey(source)) {
            found.push({
              id: JSON.parse(m.value!.toString()).id,
              position: { topic, partition: batch.partition, offset: m.offset },
            });
          }
          if (BigInt(m.offset) === high - 1n) reached.add(batch.partition);
        }
      },
    });
    await eventually(() => reached.size === targets.size, 30_000);
  } finally {
    await consumer.disconnect();
  }
  return found.sort((a, b) => Number(BigInt(a.position.offset) - BigInt(b.position.offset)));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export { eventually, uniqueName };
