import { Logger, type INestApplicationContext } from '@nestjs/common';
import { DualStreamTopics } from '@dual-stream/nestjs';
import { sourceTopics, type ServiceEnv } from '../config/service-env.js';

/**
 * Creates the topics of every configured source type (`SOURCE_TYPES`) that do not exist yet, through the
 * library's `DualStreamTopics.ensure` (partitions and replication from `KAFKA_TOPIC_PARTITIONS` /
 * `KAFKA_TOPIC_REPLICATION`, passed as `kafka.topics` by `dualStreamOptionsFromEnv`), so no service depends on
 * topic auto-creation (off in the library): the ingester before it accepts an event, the consumer before it
 * subscribes (with `withDeadLetters`, the handlers' `{topic}.dlq` too). Existing topics are left as they are;
 * another service creating the same topic at the same moment is fine.
 */
export async function ensureSourceTopics(
  app: INestApplicationContext,
  env: ServiceEnv,
  service: string,
  withDeadLetters = false,
): Promise<string[]> {
  const topics = sourceTopics(env);
  const all = withDeadLetters ? topics.flatMap((t) => [t, `${t}.dlq`]) : topics;
  const created = await app.get(DualStreamTopics).ensure(all);
  if (created.length > 0) {
    new Logger(service).log(
      `created topics ${created.join(', ')} (${env.topicPartitions} partitions, replication ${env.topicReplicationFactor === -1 ? 'broker default' : env.topicReplicationFactor})`,
    );
  }
  return created;
}
