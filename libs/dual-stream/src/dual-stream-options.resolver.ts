import { Logger, type LoggerService } from '@nestjs/common';
import { defaultTopic } from './events/event-naming.js';
import type {
  DualStreamBatchOptions,
  DualStreamBufferOptions,
  DualStreamConsumerOptions,
  DualStreamDurableOptions,
  DualStreamHubOptions,
  DualStreamKafkaOptions,
  DualStreamModuleOptions,
  DualStreamRealtimeOptions,
  DualStreamRedisOptions,
  DualStreamReplayOptions,
  DualStreamRetryOptions,
  DualStreamTopicOptions,
} from './interfaces/dual-stream-options.interface.js';
import type { KafkajsProducerConfig } from './interfaces/kafka-client-options.interface.js';

type ConsumerDefaults = Required<Omit<DualStreamConsumerOptions, 'retry' | 'groupIdPrefix'>> & {
  retry: Required<DualStreamRetryOptions>;
};

/**
 * Every literal default of `DualStreamModuleOptions`, written once: `resolveDualStreamOptions` applies them,
 * and the options' JSDoc `@default` tags and docs/configuration.md "Module options" are checked against this
 * object (dual-stream-options.resolver.spec.ts). Defaults that depend on other options (`consumer.groupIdPrefix`
 * is the client id) or are objects with behaviour (`logger`) are applied below.
 */
export const DEFAULTS: {
  readonly kafka: Required<
    Pick<DualStreamKafkaOptions, 'driver' | 'clientId' | 'config' | 'platformatic' | 'topic' | 'messageMaxBytes'>
  > & {
    readonly producer: KafkajsProducerConfig;
    readonly topics: Required<DualStreamTopicOptions>;
  };
  readonly redis: Required<Pick<DualStreamRedisOptions, 'url' | 'channelPrefix'>>;
  readonly realtime: Required<DualStreamRealtimeOptions>;
  readonly batch: Required<DualStreamBatchOptions>;
  readonly buffer: Required<DualStreamBufferOptions>;
  readonly durable: Required<DualStreamDurableOptions>;
  readonly consumer: ConsumerDefaults;
  readonly hub: Required<DualStreamHubOptions>;
  readonly replay: Required<DualStreamReplayOptions>;
  readonly maxEventBytes: number;
} = {
  kafka: {
    driver: 'kafkajs',
    clientId: 'dual-stream',
    config: {},
    platformatic: {},
    // Idempotence with one request in flight keeps per-key order and one write per send. Bounded retries are
    // safe only because KafkaLane replaces the producer after a failed send (see kafka-lane.ts). No topic
    // auto-creation: an event of an unexpected type must not create a topic (topics come from ensureTopics).
    producer: { idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, retry: { retries: 5 } },
    topics: { partitions: 3, replicationFactor: -1, minInsyncReplicas: -1, timeoutMs: 30_000 },
    topic: defaultTopic,
    messageMaxBytes: 'broker',
  },
  redis: { url: 'redis://127.0.0.1:6379', channelPrefix: '' },
  realtime: {
    enabled: true,
    inlineData: false,
    maxInlineBytes: 4096,
    timeoutMs: 250,
    breakerThreshold: 3,
    breakerProbeMs: 1000,
    warnIntervalMs: 10_000,
  },
  batch: { lingerMs: 0, maxEvents: 500, maxBytes: 1024 * 1024 },
  buffer: { maxEvents: 10_000, maxBytes: 32 * 1024 * 1024, maxBlockMs: 1000 },
  durable: { timeoutMs: 10_000 },
  consumer: {
    sessionTimeoutMs: 30_000,
    heartbeatIntervalMs: 3_000,
    shutdownTimeoutMs: 10_000,
    topicWaitMs: 30_000,
    fromBeginning: true,
    concurrency: 1,
    keyConcurrency: 1,
    retry: { attempts: 5, backoffMs: 200, maxBackoffMs: 10_000 },
    commitIntervalMs: 1_000,
    maxBatchSize: 500,
    fetchMaxBytes: 10 * 1024 * 1024,
    fetchMaxBytesPerPartition: 1024 * 1024,
    fetchMinBytes: 1,
    fetchMaxWaitMs: 1000,
  },
  hub: {
    maxSubscriptionsPerConnection: 100,
    maxPatternsPerConnection: 10,
    maxPatterns: 1000,
    maxQueuedMessages: 1000,
    maxQueuedBytes: 1024 * 1024,
    socketWindow: 64,
    maxRecoveryBuffer: 10_000,
    canSubscribe: () => true,
    canSubscribePattern: () => false,
  },
  replay: {
    maxRecordsScanned: 100_000,
    timeoutMs: 10_000,
    maxWaitMs: 50,
    idleCloseMs: 60_000,
    clientWaitMs: 5_000,
    maxConcurrent: 64,
    maxBufferedBytes: 256 * 1024,
  },
  maxEventBytes: 1024 * 1024,
};

/** Kafka's own default of `message.max.bytes`: the limit used until the brokers' value is read. */
export const KAFKA_DEFAULT_MESSAGE_MAX_BYTES = 1_048_588;
/** Below this a produce request could not carry an event of any useful size. */
const MIN_MESSAGE_MAX_BYTES = 4096;

/** The module options with every default applied; the one place defaults live. */
export interface ResolvedDualStreamOptions {
  kafka: Required<
    Pick<
      DualStreamKafkaOptions,
      'driver' | 'brokers' | 'clientId' | 'topic' | 'messageMaxBytes' | 'config' | 'platformatic'
    >
  > &
    DualStreamKafkaOptions & { producer: KafkajsProducerConfig; topics: Required<DualStreamTopicOptions> };
  /** `false` when realtime is off. */
  redis: (Required<Pick<DualStreamRedisOptions, 'url' | 'channelPrefix' | 'sharded'>> & DualStreamRedisOptions) | false;
  realtime: Required<DualStreamRealtimeOptions>;
  batch: Required<DualStreamBatchOptions>;
  buffer: Required<DualStreamBufferOptions>;
  durable: Required<DualStreamDurableOptions>;
  consumer: Required<Omit<DualStreamConsumerOptions, 'retry'>> & { retry: Required<DualStreamRetryOptions> };
  hub: Required<DualStreamHubOptions>;
  replay: Required<DualStreamReplayOptions>;
  maxEventBytes: number;
  logger: LoggerService;
}

class SilentLogger implements LoggerService {
  log(): void {}
  error(): void {}
  warn(): void {}
}

/** `defaults` with every field the user set (not undefined) taken from `given`. */
function withDefaults<T extends object>(defaults: T, given: Partial<T> | undefined): T {
  const resolved = { ...defaults };
  if (!given) return resolved;
  for (const key of Object.keys(defaults) as (keyof T)[]) {
    if (given[key] !== undefined) resolved[key] = given[key] as T[keyof T];
  }
  return resolved;
}

export function resolveDualStreamOptions(options: DualStreamModuleOptions): ResolvedDualStreamOptions {
  if (!options?.kafka?.brokers?.length) {
    throw new Error(
      'DualStreamModule: kafka.brokers is required, e.g. forRoot({ kafka: { brokers: ["127.0.0.1:9092"] } }).',
    );
  }
  const { producer, config, platformatic, topics, ...kafkaDefaults } = DEFAULTS.kafka;
  const kafka = {
    ...options.kafka,
    ...withDefaults(kafkaDefaults, options.kafka),
    config: { ...config, ...options.kafka.config },
    platformatic: { ...platformatic, ...options.kafka.platformatic },
    producer: { ...producer, ...options.kafka.producer },
    topics: withDefaults(topics, options.kafka.topics),
  };
  assertDriver(kafka.driver);
  assertMessageMaxBytes(kafka.messageMaxBytes);
  assertTopicOptions(kafka.topics);
  const { retry: retryDefaults, ...consumerDefaults } = DEFAULTS.consumer;
  const { retry, groupIdPrefix, ...consumerGiven } = options.consumer ?? {};
  const realtime = withDefaults(DEFAULTS.realtime, options.realtime);
  realtime.enabled = options.redis !== false && realtime.enabled;
  return {
    kafka,
    redis: options.redis === false ? false : resolveRedis(options.redis),
    realtime,
    batch: withDefaults(DEFAULTS.batch, options.batch),
    buffer: withDefaults(DEFAULTS.buffer, options.buffer),
    durable: withDefaults(DEFAULTS.durable, options.durable),
    consumer: {
      ...withDefaults(consumerDefaults, consumerGiven),
      groupIdPrefix: groupIdPrefix ?? kafka.clientId,
      retry: withDefaults(retryDefaults, retry),
    },
    hub: withDefaults(DEFAULTS.hub, options.hub),
    replay: withDefaults(DEFAULTS.replay, options.replay),
    maxEventBytes: options.maxEventBytes ?? DEFAULTS.maxEventBytes,
    logger: options.logger === false ? new SilentLogger() : (options.logger ?? new Logger('DualStream')),
  };
}

/** Sharded Pub/Sub exactly when a cluster is configured; anything else is refused with the fix. */
function resolveRedis(given: DualStreamRedisOptions | undefined): Exclude<ResolvedDualStreamOptions['redis'], false> {
  const cluster = given?.cluster;
  if (cluster !== undefined && !(Array.isArray(cluster.nodes) && cluster.nodes.length > 0)) {
    throw new Error(
      'DualStreamModule: redis.cluster.nodes must name at least one node of the Redis Cluster, e.g. ' +
        "redis: { cluster: { nodes: [{ host: '10.0.0.1', port: 7000 }] } }.",
    );
  }
  const sharded = given?.sharded ?? cluster !== undefined;
  if (sharded && cluster === undefined) {
    throw new Error(
      'DualStreamModule: redis.sharded needs redis.cluster (sharded Pub/Sub exists only in a Redis Cluster); ' +
        'set redis.cluster.nodes, or remove redis.sharded for a single Redis server.',
    );
  }
  if (!sharded && cluster !== undefined) {
    throw new Error(
      'DualStreamModule: redis.cluster works only with sharded Pub/Sub: classic PUBLISH in a cluster is sent to ' +
        'every node over the cluster bus, so it does not scale out. Remove redis.sharded: false.',
    );
  }
  return { ...given, ...withDefaults(DEFAULTS.redis, given), sharded };
}

/** The Kafka client libraries `kafka.driver` can name. */
export const KAFKA_DRIVERS = ['kafkajs', 'platformatic'] as const;

function assertDriver(value: unknown): void {
  if (!(KAFKA_DRIVERS as readonly unknown[]).includes(value)) {
    throw new Error(
      `DualStreamModule: kafka.driver must be one of ${KAFKA_DRIVERS.map((d) => `'${d}'`).join(', ')}; ` +
        `got ${JSON.stringify(value)}.`,
    );
  }
}

function assertMessageMaxBytes(value: unknown): void {
  if (value === 'broker' || (Number.isSafeInteger(value) && (value as number) >= MIN_MESSAGE_MAX_BYTES)) return;
  throw new Error(
    `DualStreamModule: kafka.messageMaxBytes must be 'broker' (read message.max.bytes from the brokers) or the ` +
      `brokers' message.max.bytes as an integer of at least ${MIN_MESSAGE_MAX_BYTES}; got ${String(value)}.`,
  );
}

function assertTopicOptions(topics: Required<DualStreamTopicOptions>): void {
  const problems: string[] = [];
  if (!Number.isSafeInteger(topics.partitions) || topics.partitions < 1) problems.push('partitions must be >= 1');
  for (const name of ['replicationFactor', 'minInsyncReplicas'] as const) {
    const value = topics[name];
    if (!Number.isSafeInteger(value) || (value < 1 && value !== -1)) problems.push(`${name} must be >= 1 or -1`);
  }
  if (topics.replicationFactor > 0 && topics.minInsyncReplicas > topics.replicationFactor) {
    problems.push('minInsyncReplicas must not exceed replicationFactor (no write could succeed)');
  }
  if (!Number.isSafeInteger(topics.timeoutMs) || topics.timeoutMs < 1) problems.push('timeoutMs must be >= 1');
  if (problems.length > 0) {
    throw new Error(`DualStreamModule: kafka.topics: ${problems.join('; ')}; got ${JSON.stringify(topics)}.`);
  }
}
