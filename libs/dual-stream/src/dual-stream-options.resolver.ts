import { Logger, type LoggerService } from '@nestjs/common';
import type { ProducerConfig } from 'kafkajs';
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
} from './interfaces/dual-stream-options.interface.js';

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
  readonly kafka: Required<Pick<DualStreamKafkaOptions, 'clientId' | 'config' | 'topic' | 'messageMaxBytes'>> & {
    readonly producer: Partial<ProducerConfig>;
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
    clientId: 'dual-stream',
    config: {},
    // Idempotence with one request in flight keeps per-key order and one write per send. Bounded retries are
    // safe only because KafkaLane replaces the producer after a failed send (see kafka-lane.ts).
    producer: { idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true, retry: { retries: 5 } },
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
  kafka: Required<Pick<DualStreamKafkaOptions, 'brokers' | 'clientId' | 'topic' | 'messageMaxBytes' | 'config'>> &
    DualStreamKafkaOptions & { producer: Partial<ProducerConfig> };
  /** `false` when realtime is off. */
  redis: (Required<Pick<DualStreamRedisOptions, 'url' | 'channelPrefix'>> & DualStreamRedisOptions) | false;
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
  const { producer, config, ...kafkaDefaults } = DEFAULTS.kafka;
  const kafka = {
    ...options.kafka,
    ...withDefaults(kafkaDefaults, options.kafka),
    config: { ...config, ...options.kafka.config },
    producer: { ...producer, ...options.kafka.producer },
  };
  assertMessageMaxBytes(kafka.messageMaxBytes);
  const { retry: retryDefaults, ...consumerDefaults } = DEFAULTS.consumer;
  const { retry, groupIdPrefix, ...consumerGiven } = options.consumer ?? {};
  const realtime = withDefaults(DEFAULTS.realtime, options.realtime);
  realtime.enabled = options.redis !== false && realtime.enabled;
  return {
    kafka,
    redis: options.redis === false ? false : { ...options.redis, ...withDefaults(DEFAULTS.redis, options.redis) },
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

function assertMessageMaxBytes(value: unknown): void {
  if (value === 'broker' || (Number.isSafeInteger(value) && (value as number) >= MIN_MESSAGE_MAX_BYTES)) return;
  throw new Error(
    `DualStreamModule: kafka.messageMaxBytes must be 'broker' (read message.max.bytes from the brokers) or the ` +
      `brokers' message.max.bytes as an integer of at least ${MIN_MESSAGE_MAX_BYTES}; got ${String(value)}.`,
  );
}
