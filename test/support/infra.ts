import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { ensureTopics } from '@dual-stream/nestjs';
import { startRedis } from './local-infra/redis-launcher.mjs';
import { startKafka } from './local-infra/kafka-launcher.mjs';
import { sleep } from './local-infra/proc.mjs';

export { sleep };

/** Brokers chosen by the global setup (environment, testcontainers or the local launcher). */
export function kafkaBrokers(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run integration tests through jest (globalSetup sets it).');
  return brokers.split(',');
}

/**
 * The Kafka driver the module fixtures use: `DUAL_STREAM_KAFKA_DRIVER` (kafkajs | platformatic) runs the suites
 * on another driver (`DUAL_STREAM_KAFKA_DRIVER=platformatic npm run test:int -- test/transport`); the module's
 * default (kafkajs) otherwise.
 */
export function suiteKafkaDriver(): { driver?: 'kafkajs' | 'platformatic' } {
  const driver = process.env.DUAL_STREAM_KAFKA_DRIVER;
  if (!driver) return {};
  if (driver !== 'kafkajs' && driver !== 'platformatic') {
    throw new Error(`DUAL_STREAM_KAFKA_DRIVER must be kafkajs or platformatic, got ${JSON.stringify(driver)}`);
  }
  return { driver };
}

export function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set: run integration tests through jest (globalSetup sets it).');
  return url;
}

/** Names unique to this run, so tests share one broker and one Redis without seeing each other. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** A `source.type` (and so a fresh topic `events.{type}`) unique to this run. */
export const uniqueSourceType = (prefix = 't'): string => uniqueName(prefix).replace(/-/g, '_');

export function testKafka(brokers = kafkaBrokers()): Kafka {
  return new Kafka({ clientId: uniqueName('test'), brokers, logLevel: logLevel.NOTHING });
}

export async function withAdmin<T>(fn: (admin: Admin) => Promise<T>, brokers = kafkaBrokers()): Promise<T> {
  const admin = testKafka(brokers).admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Creates topics the way apps do (the library's `ensureTopics`; auto-creation is off) and waits for leaders. */
export async function createTopics(topics: string[], partitions = 3, brokers = kafkaBrokers()): Promise<void> {
  await ensureTopics(
    { kafka: { brokers, clientId: 'test-setup' } },
    topics.map((topic) => ({ topic, partitions, replicationFactor: 1 })),
  );
}

export async function createTopic(topic: string, numPartitions = 3, brokers = kafkaBrokers()): Promise<void> {
  await createTopics([topic], numPartitions, brokers);
}

/** A `source.type` unique to this run with its topic `events.{type}` created (`partitions`). */
export async function createdSourceType(prefix = 't', partitions = 3, brokers = kafkaBrokers()): Promise<string> {
  const type = uniqueSourceType(prefix);
  await createTopic(`events.${type}`, partitions, brokers);
  return type;
}

/** A redis-server owned by one test: kill it and restart it on the same port for fault tests. */
export const startOwnRedis = startRedis;

/** A Kafka broker owned by one test, on free ports in a temp dir (slow: ~10 s to start). */
export const startOwnKafka = (): ReturnType<typeof startKafka> => startKafka({ port: 0 });

type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/** Polls until `check` returns a truthy value or `timeoutMs` passes; returns the value or throws. */
export async function eventually<T>(
  check: () => Promise<T> | T,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as Truthy<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
    }
    await sleep(intervalMs);
  }
}
