import { Logger } from '@nestjs/common';
import {
  ConfigurationError,
  intFromEnv,
  readAuthEnv,
  readServiceEnv,
  sourceTopics,
  type AuthConfig,
  type ServiceEnv,
} from '@app/service-kit';

export const CONSUMER_CONFIG = Symbol.for('consumer:config');

export interface ConsumerConfig {
  /** The shared service environment (brokers, prefixes, `SOURCE_TYPES`, topic settings). */
  service: ServiceEnv;
  /** `CONSUMER_DB_PATH`: the SQLite file of the projection (a file: the writer thread and the API share it). */
  dbPath: string;
  /** `SOURCE_TYPES`: the projection follows one `events.{type}` topic per type, every type the ingester accepts. */
  sourceTypes: string[];
  /** The topics, with `TOPIC_PREFIX` applied. */
  topics: string[];
  /** `CONSUMER_GROUP_ID`: the Kafka consumer group; its committed offsets are the projection's position. */
  groupId: string;
  /** `CONSUMER_RETENTION`: events kept per source (older ones are pruned; Kafka still has them). */
  retentionPerSource: number;
  /** `CONSUMER_BATCH_SIZE`: the most records of one partition written in one transaction. @default 500 */
  batchSize: number;
  /**
   * `CONSUMER_FETCH_MAX_BYTES`: most record bytes one fetch brings back (per group, and per partition). kafkajs
   * decodes a fetch in one event-loop task; at 256 KiB (~700 demo events) that task stays a few milliseconds, so
   * the catch-up API is not kept waiting behind a 10 MiB decode while the projection catches up. @default 262144
   */
  fetchMaxBytes: number;
  /**
   * `CONSUMER_FETCH_MIN_BYTES` / `CONSUMER_FETCH_WAIT_MS`: the broker answers a fetch once it has this many
   * bytes or waited this long. Under load the projection then takes fewer, larger batches (fewer round trips,
   * offset commits and fsyncs per event); when quiet an event reaches the read model at most the wait later.
   * @default 65536 and 200
   */
  fetchMinBytes: number;
  fetchMaxWaitMs: number;
  /** `CONSUMER_MAX_PAGE`: the largest `limit` the catch-up API accepts. */
  maxPage: number;
  /** `AUTH_JWT_*`: the catch-up API accepts the gateway's tokens. */
  auth: AuthConfig;
}

/** Reads the consumer's environment once; a wrong or unsafe value throws `ConfigurationError`. */
export function readConsumerConfig(env: NodeJS.ProcessEnv = process.env): ConsumerConfig {
  const service = readServiceEnv('consumer', env);
  const auth = readAuthEnv(env);
  for (const warning of auth.warnings) new Logger('Consumer').warn(warning);
  const dbPath = env.CONSUMER_DB_PATH || '.data/consumer-projection.sqlite';
  if (dbPath === ':memory:') {
    throw new ConfigurationError(
      'CONSUMER_DB_PATH',
      'CONSUMER_DB_PATH=:memory: cannot work: the projection is written on its own thread and read by the API, which need one file; for a throwaway run use a file in a temporary directory.',
    );
  }
  return {
    service,
    dbPath,
    sourceTypes: service.sourceTypes,
    topics: sourceTopics(service),
    groupId: env.CONSUMER_GROUP_ID || `${service.topicPrefix}dual-stream-consumer-projection`,
    retentionPerSource: intFromEnv('CONSUMER_RETENTION', 1000, env),
    batchSize: Math.max(1, intFromEnv('CONSUMER_BATCH_SIZE', 500, env)),
    fetchMaxBytes: Math.max(1024, intFromEnv('CONSUMER_FETCH_MAX_BYTES', 256 * 1024, env)),
    fetchMinBytes: Math.max(1, intFromEnv('CONSUMER_FETCH_MIN_BYTES', 64 * 1024, env)),
    fetchMaxWaitMs: Math.max(10, intFromEnv('CONSUMER_FETCH_WAIT_MS', 200, env)),
    maxPage: intFromEnv('CONSUMER_MAX_PAGE', 1000, env),
    auth: auth.config,
  };
}

/** One consumer group per topic, so each topic's handler joins, rebalances and commits on its own. */
export function groupIdFor(config: Pick<ConsumerConfig, 'groupId'>, topic: string): string {
  return `${config.groupId}.${topic}`;
}
