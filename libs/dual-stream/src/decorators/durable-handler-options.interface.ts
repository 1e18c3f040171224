import type { DualStreamRetryOptions } from '../interfaces/dual-stream-options.interface.js';

/** `@OnDurable(options)`. Unset fields take the module's `consumer` defaults. */
export interface OnDurableOptions {
  /** Kafka topic, e.g. `events.order`. */
  topic: string;
  /** Consumer group; one kafkajs consumer per group. @default `${consumer.groupIdPrefix}.${topic}` */
  groupId?: string;
  /** Where a new group starts. @default consumer.fromBeginning (true) */
  fromBeginning?: boolean;
  /** Partitions processed in parallel. @default consumer.concurrency (1) */
  concurrency?: number;
  /**
   * Records in flight per partition; never two with the same key, per-key order kept, commits only up to the
   * contiguous completed prefix. `1` = strictly sequential per partition. @default consumer.keyConcurrency (1)
   */
  keyConcurrency?: number;
  /** @default consumer.retry ({ attempts: 5, backoffMs: 200, maxBackoffMs: 10000 }) */
  retry?: DualStreamRetryOptions;
  /** Where records go after the last attempt, a non-retriable error or a parse failure. @default `${topic}.dlq` */
  deadLetterTopic?: string;
  /** Handler receives `NormalizedEvent[]` (one partition batch) and a `DurableBatchContext`. @default false */
  batch?: boolean;
  /** Largest array a batch handler receives. @default consumer.maxBatchSize (500) */
  maxBatchSize?: number;
}

/** What the decorator stores: the options exactly as given, normalized to an object. */
export type DurableHandlerMetadata = OnDurableOptions;

export interface RealtimeHandlerMetadata {
  /** Channel or glob pattern without `redis.channelPrefix`, e.g. `events:order:o-1` or `events:order:*`. */
  channel: string;
  /** True when `channel` contains glob metacharacters and is served by PSUBSCRIBE. */
  isPattern: boolean;
}
