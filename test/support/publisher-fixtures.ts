import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { IHeaders } from 'kafkajs';
import { DualStreamModule, DualStreamPublisher, type DualStreamModuleOptions } from '@dual-stream/nestjs';
import { createTopic, eventually, kafkaBrokers, redisUrl, testKafka, uniqueName } from './infra.js';

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
        kafka: { brokers: kafkaBrokers(), clientId: uniqueName('pub'), ...options.kafka },
      }),
    ],
  }).compile();
  const app = await moduleRef.init();
  return { app, publisher: app.get(DualStreamPublisher) };
}

/** A `source.type` unique to this run (its topic `events.{type}` does not exist: see `createdSourceType`). */
export const uniqueSourceType = (prefix = 't'): string => uniqueName(prefix).replace(/-/g, '_');

/** A `source.type` unique to this run with its topic `events.{type}` created (`partitions`). */
export async function createdSourceType(prefix = 't', partitions = 3, brokers = kafkaBrokers()): Promise<string> {
  const type = uniqueSourceType(prefix);
  await createTopic(`events.${type}`, partitions, brokers);
  return type;
}

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** Reads a topic from the beginning with a throw-away group until `count` records arrived. */
export async function consumeTopic(
  topic: string,
  count: number,
  timeoutMs = 60_000,
  brokers = kafkaBrokers(),
): Promise<ConsumedRecord[]> {
  const consumer = testKafka(brokers).consumer({
    groupId: uniqueName('g'),
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  const records: ConsumedRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          records.push({
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            key: String(m.key),
            value: String(m.value),
            headers: headersOf(m.headers),
          });
        }
      },
    });
    await eventually(() => records.length >= count, timeoutMs);
    // Anything beyond `count` would be a duplicate: give strays a moment to show up.
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    await consumer.disconnect();
  }
  return records;
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k] = String(v);
  return out;
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
