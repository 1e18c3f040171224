import { Module, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { IHeaders } from 'kafkajs';
import {
  DualStreamModule,
  DualStreamPublisher,
  DualStreamServer,
  type DualStreamModuleOptions,
} from '@dual-stream/nestjs';
import { kafkaBrokers, redisUrl, suiteKafkaDriver, testKafka, uniqueName, withAdmin } from './infra.js';

export interface HandlerApp {
  app: INestApplication;
  server: DualStreamServer;
  publisher: DualStreamPublisher;
  /** Consumer-group joins seen so far, per group (1 each = no rebalance). */
  groupJoins: Map<string, number>;
  close(): Promise<void>;
}

/**
 * A hybrid Nest app (as users run it): DualStreamModule plus the given controllers, the transport connected with
 * `app.connectMicroservice({ strategy: app.get(DualStreamServer) }, { inheritAppConfig: true })`.
 */
export async function startHandlerApp(
  controllers: Type[],
  options: Partial<DualStreamModuleOptions> = {},
  configure?: (app: INestApplication) => void,
  providers: Type[] = [],
): Promise<HandlerApp> {
  @Module({
    imports: [
      DualStreamModule.forRoot({
        logger: false,
        ...options,
        kafka: { brokers: kafkaBrokers(), clientId: uniqueName('app'), ...suiteKafkaDriver(), ...options.kafka },
        redis: options.redis === false ? false : { url: redisUrl(), ...options.redis },
        consumer: {
          sessionTimeoutMs: 10_000,
          heartbeatIntervalMs: 1_000,
          shutdownTimeoutMs: 5_000,
          ...options.consumer,
        },
      }),
    ],
    controllers,
    providers,
  })
  class HandlerTestModule {}

  const app = await NestFactory.create(HandlerTestModule, { logger: false, abortOnError: false });
  configure?.(app);
  const server = app.get(DualStreamServer);
  const groupJoins = new Map<string, number>();
  server.on('group.join', ({ groupId }) => groupJoins.set(groupId, (groupJoins.get(groupId) ?? 0) + 1));
  app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
  try {
    await app.startAllMicroservices();
    await app.init();
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  return { app, server, publisher: app.get(DualStreamPublisher), groupJoins, close: () => app.close() };
}

/** Produces raw records (anything, including non-JSON) straight with kafkajs. */
export async function produceRaw(
  topic: string,
  messages: { key?: string; value: string | Buffer; headers?: IHeaders }[],
): Promise<void> {
  const producer = testKafka().producer();
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

/** The group's committed offsets (next offset to read) per partition; -1 = nothing committed. */
export async function committedOffsets(groupId: string, topic: string): Promise<Map<number, bigint>> {
  return withAdmin(async (admin) => {
    const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map(result.partitions.map((p) => [p.partition, BigInt(p.offset)]));
  });
}

/** A promise with its resolver, for handlers the test releases by hand. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
