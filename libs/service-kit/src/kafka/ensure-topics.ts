import { Logger } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { sourceTopics, type ServiceEnv } from '../config/service-env.js';

/**
 * Creates the topics of every configured source type (`SOURCE_TYPES`) that do not exist yet, with
 * `KAFKA_TOPIC_PARTITIONS` partitions and `KAFKA_TOPIC_REPLICATION` replicas, so no service depends on the
 * broker auto-creating topics: the ingester before it accepts an event, the consumer before it subscribes.
 * Existing topics are left as they are. It does not wait for leaders (kafkajs' wait trips over KRaft's
 * UNKNOWN_TOPIC_OR_PARTITION): the producer and the transport's subscribe retry that. Another service
 * creating the same topic at the same moment is fine (already exists).
 */
export async function ensureSourceTopics(env: ServiceEnv, service: string): Promise<string[]> {
  const topics = sourceTopics(env);
  const admin = new Kafka({
    clientId: `${env.clientId}-setup`,
    brokers: env.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length === 0) return [];
    await admin.createTopics({
      topics: missing.map((topic) => ({
        topic,
        numPartitions: env.topicPartitions,
        replicationFactor: env.topicReplicationFactor,
      })),
      waitForLeaders: false,
    });
    new Logger(service).log(
      `created topics ${missing.join(', ')} (${env.topicPartitions} partitions, replication ${env.topicReplicationFactor === -1 ? 'broker default' : env.topicReplicationFactor})`,
    );
    return missing;
  } finally {
    await admin.disconnect();
  }
}
