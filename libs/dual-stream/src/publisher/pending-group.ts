import type { PreparedEvent } from '../events/event-validator.js';
import type { PublishReceipt } from '../interfaces/dual-stream-event.interface.js';

/** One validated event on its way to Kafka. */
export interface PendingEvent {
  prepared: PreparedEvent;
  topic: string;
  key: string;
  channel: string;
  /** The notification's position-independent part, built while Kafka is busy (RedisLane.prebuild). */
  notificationHead?: string;
}

/**
 * The events of one `publish()` (one event) or `publishBatch()` call. A group is never split across
 * Kafka batches, so a `publishBatch` goes to Kafka in one `sendBatch`, in order.
 */
export interface PendingGroup {
  events: PendingEvent[];
  bytes: number;
  /** `performance.now()` after which the caller gets `DurablePublishError`. */
  deadline: number;
  /** Set once resolved or rejected; later outcomes are ignored. */
  settled: boolean;
  /** Answered early (timeout) while kafkajs still holds its events: release its buffer room only later. */
  holdRoom?: boolean;
  resolve: (receipts: PublishReceipt[]) => void;
  reject: (err: Error) => void;
}
