// The testcontainers path, for machines with a Docker engine (CI here has none: see global-setup.mjs).
import { getContainerRuntimeClient } from 'testcontainers';

export async function dockerAvailable() {
  let timer;
  try {
    await Promise.race([
      getContainerRuntimeClient(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), 5000);
      }),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

// The Kafka module drives Confluent's image; cp-kafka 8.x is Apache Kafka 4.x and runs in KRaft mode by default.
export const KAFKA_IMAGE = process.env.KAFKA_IMAGE ?? 'confluentinc/cp-kafka:8.1.0';
export const REDIS_IMAGE = process.env.REDIS_IMAGE ?? 'redis:7-alpine';

/** @param {{ kafka: boolean, redis: boolean }} which */
export async function startContainers(which) {
  const containers = [];
  const result = { kafkaBrokers: [], redisUrl: '', containers, started: {} };
  if (which.kafka) {
    const { KafkaContainer } = await import('@testcontainers/kafka');
    const kafka = await new KafkaContainer(KAFKA_IMAGE).start();
    containers.push(kafka);
    result.kafkaBrokers = [`${kafka.getHost()}:${kafka.getMappedPort(9093)}`];
  }
  if (which.redis) {
    const { RedisContainer } = await import('@testcontainers/redis');
    const redis = await new RedisContainer(REDIS_IMAGE).start();
    containers.push(redis);
    result.redisUrl = redis.getConnectionUrl();
  }
  return result;
}
