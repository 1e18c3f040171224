import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { DualStreamModule, DualStreamPublisher, type DualStreamModuleOptions } from '@dual-stream/nestjs';
import { kafkaBrokers, redisUrl, suiteKafkaDriver, uniqueName } from './infra.js';

export interface PublisherApp {
  app: INestApplicationContext;
  publisher: DualStreamPublisher;
}

/** A Nest application context with only DualStreamModule, for publisher tests. */
export async function startPublisherApp(options: Partial<DualStreamModuleOptions> = {}): Promise<PublisherApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      DualStreamModule.forRoot({
        logger: false,
        ...options,
        kafka: { brokers: kafkaBrokers(), clientId: uniqueName('pub'), ...suiteKafkaDriver(), ...options.kafka },
      }),
    ],
  }).compile();
  const app = await moduleRef.init();
  return { app, publisher: app.get(DualStreamPublisher) };
}

/** Collects every message published on channels matching `pattern` (tests only; apps SUBSCRIBE). */
export class ChannelRecorder {
  readonly messages: { channel: string; payload: any }[] = [];
  private constructor(private readonly redis: Redis) {}

  static async start(pattern: string, url = redisUrl()): Promise<ChannelRecorder> {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 100 });
    redis.on('error', () => undefined);
    const recorder = new ChannelRecorder(redis);
    redis.on('pmessage', (_p: string, channel: string, message: string) =>
      recorder.messages.push({ channel, payload: JSON.parse(message) }),
    );
    await redis.connect();
    await redis.psubscribe(pattern);
    return recorder;
  }

  async stop(): Promise<void> {
    this.redis.disconnect();
  }
}
