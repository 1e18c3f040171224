import { Logger, type LoggerService } from '@nestjs/common';
import { DEFAULT_CLIENT_ID, DEFAULT_MAX_EVENT_BYTES, DEFAULT_REDIS_URL } from './constants.js';
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

/** The module options with every default applied; the one place defaults live. */
export interface ResolvedDualStreamOptions {
  kafka: Required<Pick<DualStreamKafkaOptions, 'brokers' | 'clientId' | 'topic'>> & DualStreamKafkaOptions;
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

export function resolveDualStreamOptions(options: DualStreamModuleOptions): ResolvedDualStreamOptions {
  if (!options?.kafka?.brokers?.length) {
    throw new Error(
      'DualStreamModule: kafka.brokers is required, e.g. forRoot({ kafka: { brokers: ["127.0.0.1:9092"] } }).',
    );
  }
  const clientId = options.kafka.clientId ?? DEFAULT_CLIENT_ID;
  const realtimeOn = options.redis !== false && options.realtime?.enabled !== false;
  return {
    kafka: { ...options.kafka, clientId, topic: options.kafka.topic ?? defaultTopic },
    redis:
      options.redis === false
        ? false
        : {
            ...options.redis,
            url: options.redis?.url ?? DEFAULT_REDIS_URL,
            channelPrefix: options.redis?.channelPrefix ?? '',
          },
    realtime: {
      enabled: realtimeOn,
      inlineData: options.realtime?.inlineData ?? false,
      maxInlineBytes: options.realtime?.maxInlineBytes ?? 4096,
      timeoutMs: options.realtime?.timeoutMs ?? 250,
      breakerThreshold: options.realtime?.breakerThreshold ?? 3,
      breakerProbeMs: options.realtime?.breakerProbeMs ?? 1000,
      warnIntervalMs: options.realtime?.warnIntervalMs ?? 10_000,
    },
    batch: {
      lingerMs: options.batch?.lingerMs ?? 0,
      maxEvents: options.batch?.maxEvents ?? 500,
      maxBytes: options.batch?.maxBytes ?? 1024 * 1024,
    },
    buffer: {
      maxEvents: options.buffer?.maxEvents ?? 10_000,
      maxBytes: options.buffer?.maxBytes ?? 32 * 1024 * 1024,
      maxBlockMs: options.buffer?.maxBlockMs ?? 1000,
    },
    durable: { timeoutMs: options.durable?.timeoutMs ?? 10_000 },
    consumer: {
      groupIdPrefix: options.consumer?.groupIdPrefix ?? clientId,
      sessionTimeoutMs: options.consumer?.sessionTimeoutMs ?? 30_000,
      heartbeatIntervalMs: options.consumer?.heartbeatIntervalMs ?? 3_000,
      shutdownTimeoutMs: options.consumer?.shutdownTimeoutMs ?? 10_000,
      topicWaitMs: options.consumer?.topicWaitMs ?? 30_000,
      fromBeginning: options.consumer?.fromBeginning ?? true,
      concurrency: options.consumer?.concurrency ?? 1,
      keyConcurrency: options.consumer?.keyConcurrency ?? 1,
      retry: {
        attempts: options.consumer?.retry?.attempts ?? 5,
        backoffMs: options.consumer?.retry?.backoffMs ?? 200,
        maxBackoffMs: options.consumer?.retry?.maxBackoffMs ?? 10_000,
      },
      commitIntervalMs: options.consumer?.commitIntervalMs ?? 1_000,
      maxBatchSize: options.consumer?.maxBatchSize ?? 500,
    },
    hub: {
      maxSubscriptionsPerConnection: options.hub?.maxSubscriptionsPerConnection ?? 100,
      maxPatternsPerConnection: options.hub?.maxPatternsPerConnection ?? 10,
      maxPatterns: options.hub?.maxPatterns ?? 1000,
      maxQueuedMessages: options.hub?.maxQueuedMessages ?? 1000,
      maxQueuedBytes: options.hub?.maxQueuedBytes ?? 1024 * 1024,
      socketWindow: options.hub?.socketWindow ?? 64,
      maxRecoveryBuffer: options.hub?.maxRecoveryBuffer ?? 10_000,
      canSubscribe: options.hub?.canSubscribe ?? (() => true),
      canSubscribePattern: options.hub?.canSubscribePattern ?? (() => false),
    },
    replay: {
      maxRecordsScanned: options.replay?.maxRecordsScanned ?? 100_000,
      timeoutMs: options.replay?.timeoutMs ?? 10_000,
      maxWaitMs: options.replay?.maxWaitMs ?? 50,
      idleCloseMs: options.replay?.idleCloseMs ?? 60_000,
      clientWaitMs: options.replay?.clientWaitMs ?? 5_000,
      maxConcurrent: options.replay?.maxConcurrent ?? 64,
      maxBufferedBytes: options.replay?.maxBufferedBytes ?? 256 * 1024,
    },
    maxEventBytes: options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES,
    logger: options.logger === false ? new SilentLogger() : (options.logger ?? new Logger('DualStream')),
  };
}
