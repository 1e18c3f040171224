import { Logger } from '@nestjs/common';
import { readServiceEnv } from '@app/service-kit';
import { Kafka, logLevel } from 'kafkajs';

/**
 * Creates the followed topics (broker defaults for partitions and replication) when they do not exist yet,
 * so the consumer can start before the first event of a source type was ever published. It does not wait for
 * leaders (kafkajs' wait trips over KRaft's UNKNOWN_TOPIC_OR_PARTITION): the transport's subscribe retries that.
 */
export async function ensureTopics(topics: string[]): Promise<void> {
  const env = readServiceEnv('consumer');
  const admin = new Kafka({
    clientId: `${env.clientId}-setup`,
    brokers: env.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    await admin.createTopics({
      topics: missing.map((topic) => ({ topic, numPartitions: -1, replicationFactor: -1 })),
      waitForLeaders: false,
    });
    new Logger('Consumer').log(`created topics ${missing.join(', ')}`);
  } finally {
    await admin.disconnect();
  }
}
