import { KAFKA_DRIVERS } from '@dual-stream/nestjs';
import type { DualStreamEvent, DualStreamKafkaOptions, DualStreamModuleOptions } from '@dual-stream/nestjs';
import { ConfigurationError } from '../errors/configuration.error.js';
import { intFromEnv, listFromEnv } from './env-values.js';
import { readSourceTypes } from './source-types.parser.js';

/**
 * The environment the three demo services share. The same names are used by `npm run demo`,
 * docker-compose and the e2e tests, so one list documents them all (docs/configuration.md).
 */
export interface ServiceEnv {
  /** `KAFKA_BROKERS`: comma-separated `host:port` list. */
  kafkaBrokers: string[];
  /** `REDIS_URL`; `REALTIME_ENABLED=false` turns the Redis lane off (`redis: false`). */
  redisUrl: string | false;
  /**
   * `REDIS_CLUSTER_NODES`: comma-separated `host:port` seeds of a Redis Cluster; when set (and realtime is on)
   * it replaces `REDIS_URL` and notifications use sharded Pub/Sub (`redis: { cluster }`). @default undefined
   */
  redisClusterNodes: { host: string; port: number }[] | undefined;
  /** `CHANNEL_PREFIX`: prepended to every Redis channel. */
  channelPrefix: string;
  /** `TOPIC_PREFIX`: prepended to every Kafka topic, `{TOPIC_PREFIX}events.{source.type}`. */
  topicPrefix: string;
  /** `KAFKA_CLIENT_ID`, default `dual-stream-{service}`. */
  clientId: string;
  /** `KAFKA_DRIVER`: the module's `kafka.driver`, `kafkajs` or `platformatic`. @default 'kafkajs' */
  kafkaDriver: KafkaDriverName;
  /** `SOURCE_TYPES`: the source types accepted, projected and created as topics (see `readSourceTypes`). */
  sourceTypes: string[];
  /** `KAFKA_TOPIC_PARTITIONS`: partitions of a topic the services create. @default 3 */
  topicPartitions: number;
  /** `KAFKA_TOPIC_REPLICATION`: replication factor of a topic the services create; `-1` is the broker's default. @default -1 */
  topicReplicationFactor: number;
}

type KafkaDriverName = NonNullable<DualStreamKafkaOptions['driver']>;

const DEFAULT_BROKERS = '127.0.0.1:9092';
const DEFAULT_REDIS = 'redis://127.0.0.1:6379';

export function readServiceEnv(service: string, env: NodeJS.ProcessEnv = process.env): ServiceEnv {
  const brokers = (env.KAFKA_BROKERS || DEFAULT_BROKERS)
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const realtime = !/^(0|false|off|no)$/i.test(env.REALTIME_ENABLED ?? '');
  // -1 asks the broker for its `default.replication.factor`; 0 would be refused by the broker.
  const replication =
    env.KAFKA_TOPIC_REPLICATION?.trim() === '-1' ? -1 : intFromEnv('KAFKA_TOPIC_REPLICATION', -1, env);
  if (replication === 0) {
    throw new ConfigurationError(
      'KAFKA_TOPIC_REPLICATION',
      'KAFKA_TOPIC_REPLICATION must be at least 1 (or -1 for the broker default).',
    );
  }
  const partitions = intFromEnv('KAFKA_TOPIC_PARTITIONS', 3, env);
  if (partitions === 0) {
    throw new ConfigurationError('KAFKA_TOPIC_PARTITIONS', 'KAFKA_TOPIC_PARTITIONS must be at least 1.');
  }
  const clusterNodes = listFromEnv('REDIS_CLUSTER_NODES', env).map(parseNode);
  const kafkaDriver = (env.KAFKA_DRIVER?.trim() || 'kafkajs') as KafkaDriverName;
  if (!(KAFKA_DRIVERS as readonly string[]).includes(kafkaDriver)) {
    throw new ConfigurationError(
      'KAFKA_DRIVER',
      `KAFKA_DRIVER must be ${KAFKA_DRIVERS.join(' or ')} (got "${env.KAFKA_DRIVER}").`,
    );
  }
  return {
    kafkaBrokers: brokers,
    redisUrl: realtime ? env.REDIS_URL || DEFAULT_REDIS : false,
    redisClusterNodes: realtime && clusterNodes.length > 0 ? clusterNodes : undefined,
    channelPrefix: env.CHANNEL_PREFIX ?? '',
    topicPrefix: env.TOPIC_PREFIX ?? '',
    clientId: env.KAFKA_CLIENT_ID || `dual-stream-${service}`,
    kafkaDriver,
    sourceTypes: readSourceTypes(env),
    topicPartitions: partitions,
    topicReplicationFactor: replication,
  };
}

/** One `host:port` of `REDIS_CLUSTER_NODES`. */
function parseNode(entry: string): { host: string; port: number } {
  const split = entry.lastIndexOf(':');
  const host = entry.slice(0, split).replace(/^\[|\]$/g, '');
  const port = Number(entry.slice(split + 1));
  if (split <= 0 || !host || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigurationError(
      'REDIS_CLUSTER_NODES',
      `REDIS_CLUSTER_NODES must be comma-separated host:port entries, e.g. 10.0.0.1:7000,10.0.0.2:7000 (got "${entry}").`,
    );
  }
  return { host, port };
}

/** The topic an event goes to, honouring `TOPIC_PREFIX`; all three services must agree on it. */
export function topicFor(env: Pick<ServiceEnv, 'topicPrefix'>, sourceType: string): string {
  return `${env.topicPrefix}events.${sourceType}`;
}

/** Every topic of the configured source types. */
export function sourceTopics(env: Pick<ServiceEnv, 'topicPrefix'> & { sourceTypes: readonly string[] }): string[] {
  return env.sourceTypes.map((type) => topicFor(env, type));
}

/** `DualStreamModule.forRoot()` options built from the shared environment. */
export function dualStreamOptionsFromEnv(
  service: string,
  overrides: Partial<DualStreamModuleOptions> = {},
  env: NodeJS.ProcessEnv = process.env,
): DualStreamModuleOptions {
  const e = readServiceEnv(service, env);
  return {
    // Operators tune how long callers wait for Kafka (503 sooner or later) without a rebuild.
    durable: { timeoutMs: intFromEnv('DURABLE_TIMEOUT_MS', 10_000, env) },
    buffer: { maxBlockMs: intFromEnv('BUFFER_MAX_BLOCK_MS', 1000, env) },
    ...overrides,
    kafka: {
      brokers: e.kafkaBrokers,
      clientId: e.clientId,
      driver: e.kafkaDriver,
      topic: (event: DualStreamEvent) => topicFor(e, event.source.type),
      topics: { partitions: e.topicPartitions, replicationFactor: e.topicReplicationFactor },
      ...overrides.kafka,
    },
    redis:
      e.redisUrl === false
        ? false
        : e.redisClusterNodes
          ? { cluster: { nodes: e.redisClusterNodes }, channelPrefix: e.channelPrefix }
          : { url: e.redisUrl, channelPrefix: e.channelPrefix },
  };
}

export { redactUrl } from '../../../infra-env/src/infra-env.mjs';
