import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import {
  DualStreamModule,
  type DualStreamKafkaOptions,
  DualStreamPublisher,
  RealtimeHub,
  type DualStreamHubOptions,
  type EventSource,
  type DualStreamRealtimeOptions,
  type DualStreamRedisClusterOptions,
  type DualStreamReplayOptions,
} from '@dual-stream/nestjs';
import { GatewayModule } from '../../apps/gateway/src/gateway.module.js';
import { SSE_DEFAULTS, type GatewaySseConfig } from '../../apps/gateway/src/gateway.config.js';
import { ProblemExceptionFilter, signGatewayToken, type GatewayPrincipal } from '@app/service-kit';
import { eventually, kafkaBrokers, redisUrl, suiteKafkaDriver, uniqueName } from './infra.js';
import { floodChannel } from './realtime-publishing.js';
import { connectClient, type ClientSocket } from './socket-client.js';

export const TEST_SECRET = 'realtime-test-secret-0123456789abcdef';

export interface GatewayInstance {
  app: INestApplication;
  url: string;
  hub: RealtimeHub;
}

export interface GatewayOptions {
  prefix: string;
  redisUrl?: string;
  hub?: DualStreamHubOptions;
  replay?: DualStreamReplayOptions;
  /** The gateway's own `realtime` block: it decides whether replayed events inline `data`. */
  realtime?: DualStreamRealtimeOptions;
  devTokens?: boolean;
  /** `aud` / `iss` the gateway requires of tokens. */
  jwt?: { audience?: string; issuer?: string };
  /** `GET /sse` settings over `SSE_DEFAULTS`. */
  sse?: Partial<GatewaySseConfig>;
  /** A Redis Cluster instead of `redisUrl` (sharded Pub/Sub). */
  redisCluster?: DualStreamRedisClusterOptions;
  /** Kafka brokers instead of the global setup's. */
  brokers?: string[];
  /** The gateway's `kafka.driver` (the module's default when absent). */
  driver?: DualStreamKafkaOptions['driver'];
}

/** One gateway instance (the real GatewayModule) on a free port; two of them share only Redis and Kafka. */
export async function startGateway(options: GatewayOptions): Promise<GatewayInstance> {
  const app = await NestFactory.create(
    GatewayModule.forRoot({
      dualStream: {
        kafka: {
          brokers: options.brokers ?? kafkaBrokers(),
          clientId: uniqueName('gw'),
          ...suiteKafkaDriver(),
          ...(options.driver && { driver: options.driver }),
        },
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
      sse: { ...SSE_DEFAULTS, ...options.sse },
    }),
    { logger: ['error'] },
  );
  // As bootstrapService does: every HTTP error answers application/problem+json.
  app.useGlobalFilters(new ProblemExceptionFilter());
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, hub: app.get(RealtimeHub) };
}

/** A token the test gateways accept (signed with `TEST_SECRET`). */
export function token(channels: string[], patterns: string[] = [], sub = 'test-user'): Promise<string> {
  const principal: GatewayPrincipal = { sub, channels, patterns };
  return signGatewayToken(TEST_SECRET, principal, 600);
}

export interface PublisherHandle {
  app: INestApplicationContext;
  publisher: DualStreamPublisher;
}

/**
 * The real DualStreamPublisher in a bare Nest context, announcing on `prefix` (on a Redis Cluster when given one);
 * `redis: false` gives a publisher whose notifications never reach Redis (what a skipped stretch looks like to a
 * gateway).
 */
export async function startPublisher(
  prefix: string,
  redis: string | false | DualStreamRedisClusterOptions = redisUrl(),
  brokers = kafkaBrokers(),
): Promise<PublisherHandle> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      DualStreamModule.forRoot({
        logger: false,
        kafka: { brokers, clientId: uniqueName('rt-pub'), ...suiteKafkaDriver() },
        redis:
          redis === false
            ? false
            : typeof redis === 'string'
              ? { url: redis, channelPrefix: prefix }
              : { cluster: redis, channelPrefix: prefix },
        realtime: { breakerProbeMs: 200 },
      }),
    ],
  }).compile();
  const app = await moduleRef.init();
  return { app, publisher: app.get(DualStreamPublisher) };
}

export interface RealtimeStackOptions {
  /** Gateways to start, one per entry (each gets the stack's prefix and Redis). @default [{}] */
  gateways?: Omit<GatewayOptions, 'prefix' | 'redisUrl'>[];
  /** Start a publisher announcing on the stack's prefix. @default false */
  publisher?: boolean;
  /** Start a publisher that writes to Kafka only, never to Redis. @default false */
  silentPublisher?: boolean;
  /** The Redis the gateways and the publisher use, read when the stack starts. @default redisUrl() */
  redisUrl?: () => string;
  /** Runs after everything of the stack closed (e.g. stopping a Redis the test owns). */
  afterClose?: () => Promise<unknown>;
}

/** What a realtime test works with; valid from its `beforeAll` on, closed in its `afterAll`. */
export interface RealtimeStack {
  /** The channel prefix unique to this describe block. */
  readonly prefix: string;
  /** The first gateway. */
  readonly gateway: GatewayInstance;
  readonly gateways: GatewayInstance[];
  readonly publisher: DualStreamPublisher;
  /** The Kafka-only publisher (`silentPublisher: true`). */
  readonly silent: DualStreamPublisher;
  /** A plain Redis connection on the stack's Redis, for publishing forged messages and reading PUBSUB. */
  readonly redis: Redis;
  /** A client of `gateway` (default: the first) authenticated with `authToken`, closed in `afterAll`. */
  connect(
    authToken?: string,
    gateway?: GatewayInstance,
    transports?: ('websocket' | 'polling')[],
  ): Promise<ClientSocket>;
  /** A client allowed `channels` and `patterns`, closed in `afterAll`. */
  connectWith(channels: string[], patterns?: string[]): Promise<ClientSocket>;
  /** Closes `client` in `afterAll` (for clients the stack did not open itself). */
  track<T extends { close(): unknown }>(client: T): T;
}

/**
 * The shared fixture of the realtime tests: registers the `beforeAll` that starts the gateways (the real
 * GatewayModule) and publishers on a prefix unique to the describe block, and the `afterAll` that closes clients,
 * apps and Redis connections. Call it at the top of a `describe`.
 */
export function realtimeStack(name: string, options: RealtimeStackOptions = {}): RealtimeStack {
  const prefix = `${uniqueName(name)}:`;
  const gateways: GatewayInstance[] = [];
  const clients: { close(): unknown }[] = [];
  let pub: PublisherHandle | undefined;
  let silent: PublisherHandle | undefined;
  let redis: Redis | undefined;
  let url = '';
  const required = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`realtimeStack('${name}') has no ${what}: enable it in its options.`);
    return value;
  };

  beforeAll(async () => {
    url = options.redisUrl?.() ?? redisUrl();
    const [started, publisher, silentPublisher] = await Promise.all([
      Promise.all((options.gateways ?? [{}]).map((g) => startGateway({ ...g, prefix, redisUrl: url }))),
      options.publisher ? startPublisher(prefix, url) : undefined,
      options.silentPublisher ? startPublisher(prefix, false) : undefined,
    ]);
    gateways.push(...started);
    [pub, silent] = [publisher, silentPublisher];
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    redis?.disconnect();
    await Promise.all([...gateways.map((g) => g.app.close()), pub?.app.close(), silent?.app.close()]);
    await options.afterClose?.();
  });

  const stack: RealtimeStack = {
    prefix,
    get gateway() {
      return required(gateways[0], 'gateway');
    },
    gateways,
    get publisher() {
      return required(pub, 'publisher').publisher;
    },
    get silent() {
      return required(silent, 'silent publisher').publisher;
    },
    get redis() {
      if (!url) throw new Error(`realtimeStack('${name}').redis is used before its beforeAll ran.`);
      return (redis ??= new Redis(url));
    },
    async connect(authToken, gateway = stack.gateway, transports) {
      return stack.track(await connectClient(gateway.url, authToken, transports));
    },
    async connectWith(channels, patterns = []) {
      return stack.connect(await token(channels, patterns));
    },
    track(client) {
      clients.push(client);
      return client;
    },
  };
  return stack;
}

/**
 * Floods `channel` of `stack` with `total` notifications of `payload` (`floodChannel`) while sampling the hub's
 * queued bytes every 5 ms until `delivered()` holds; resolves with the largest sample (what the hub ever held).
 */
export async function floodWhileSamplingQueue(
  stack: RealtimeStack,
  channel: string,
  source: EventSource,
  { total, payload, delivered }: { total: number; payload: string; delivered: () => boolean },
): Promise<number> {
  let maxQueuedBytes = 0;
  const sampler = setInterval(
    () => (maxQueuedBytes = Math.max(maxQueuedBytes, stack.gateway.hub.metrics().queuedBytes)),
    5,
  );
  try {
    await floodChannel(stack.redis, `${stack.prefix}${channel}`, source, { total, payload });
    await eventually(delivered, 60_000).catch((err: Error) => {
      // Say what the hub saw: a reading client cut as slow reads differently from a stalled delivery.
      const { slowDisconnects, connections, queuedBytes } = stack.gateway.hub.metrics();
      throw new Error(
        `${err.message} (hub: ${slowDisconnects} slow cuts, ${connections} connections, ${queuedBytes} B queued)`,
      );
    });
  } finally {
    clearInterval(sampler);
  }
  return maxQueuedBytes;
}
