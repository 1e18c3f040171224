import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload, Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { DualStreamModule, DualStreamServer, OnDurable } from '@dual-stream/nestjs';
import { brokers, uniqueName } from './consume-records.js';
import type { ConsumeProbe } from './consume-probe.js';
import type { BenchDriver } from '../support/bench-driver.js';

type Envelope = { data: { sentAt?: number } };

/** NestJS' own Kafka transport (ServerKafka) with its defaults, one `@EventPattern(topic)` handler. */
export async function startNestKafka(topic: string, probe: ConsumeProbe): Promise<INestMicroservice> {
  @Controller()
  class NestKafkaHandler {
    @EventPattern<string>(topic)
    async handle(@Payload() event: Envelope) {
      await probe.handle(event);
    }
  }
  @Module({ controllers: [NestKafkaHandler] })
  class NestKafkaModule {}

  const app = await NestFactory.createMicroservice<MicroserviceOptions>(NestKafkaModule, {
    transport: Transport.KAFKA,
    options: {
      client: { clientId: uniqueName('nest'), brokers },
      consumer: { groupId: uniqueName('nest-group') },
      subscribe: { fromBeginning: true },
    },
    logger: false,
  });
  await app.listen();
  return app;
}

/** Ours: `@OnDurable(topic)` served by DualStreamServer, created the NestFactory.createMicroservice way. */
export async function startDualStream(
  topic: string,
  probe: ConsumeProbe,
  handler: { concurrency: number; keyConcurrency: number },
  driver: BenchDriver = 'kafkajs',
): Promise<INestMicroservice> {
  @Controller()
  class DualStreamHandler {
    @OnDurable({ topic, ...handler })
    async handle(@Payload() event: Envelope) {
      await probe.handle(event);
    }
  }
  @Module({
    imports: [
      DualStreamModule.forRoot({
        kafka: { brokers, clientId: uniqueName('ours'), driver },
        redis: false,
        logger: false,
      }),
    ],
    controllers: [DualStreamHandler],
  })
  class DualStreamBenchModule {}

  const app = await NestFactory.createMicroservice<MicroserviceOptions>(DualStreamBenchModule, {
    inject: [DualStreamServer],
    useFactory: (strategy: DualStreamServer) => ({ strategy }),
    logger: false,
  } as never);
  await app.listen();
  return app;
}
