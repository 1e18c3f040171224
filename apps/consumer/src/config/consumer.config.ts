import { intFromEnv, readServiceEnv, topicFor } from '@app/service-kit';

export const CONSUMER_CONFIG = Symbol.for('consumer:config');

export interface ConsumerConfig {
  /** `CONSUMER_DB_PATH`: the SQLite file of the projection (`:memory:` only for throwaway runs). */
  dbPath: string;
  /** `CONSUMER_SOURCE_TYPES` (comma-separated): which `events.{type}` topics the projection follows. */
  sourceTypes: string[];
  /** The topics, with `TOPIC_PREFIX` applied. */
  topics: string[];
  /** `CONSUMER_GROUP_ID`: the Kafka consumer group; its committed offsets are the projection's position. */
  groupId: string;
  /** `CONSUMER_RETENTION`: events kept per source (older ones are pruned; Kafka still has them). */
  retentionPerSource: number;
  /** `CONSUMER_MAX_PAGE`: the largest `limit` the catch-up API accepts. */
  maxPage: number;
}

export function readConsumerConfig(env: NodeJS.ProcessEnv = process.env): ConsumerConfig {
  const service = readServiceEnv('consumer', env);
  const sourceTypes = (env.CONSUMER_SOURCE_TYPES || 'order,user,sensor')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  return {
    dbPath: env.CONSUMER_DB_PATH || '.data/consumer-projection.sqlite',
    sourceTypes,
    topics: sourceTypes.map((type) => topicFor(service, type)),
    groupId: env.CONSUMER_GROUP_ID || `${service.topicPrefix}dual-stream-consumer-projection`,
    retentionPerSource: intFromEnv('CONSUMER_RETENTION', 1000, env),
    maxPage: intFromEnv('CONSUMER_MAX_PAGE', 1000, env),
  };
}

/** One consumer group per topic, so each topic's handler joins, rebalances and commits on its own. */
export function groupIdFor(config: Pick<ConsumerConfig, 'groupId'>, topic: string): string {
  return `${config.groupId}.${topic}`;
}
