import type { BreakerState } from './circuit-breaker.js';
import type { KafkaLaneState } from './kafka-lane.js';

/** What a health indicator needs: Kafka is required, Redis down means degraded (docs/operations.md "Health"). */
export interface PublisherStatus {
  /** `closing` once shutdown began; `closed` after everything was flushed and disconnected. */
  state: 'starting' | 'running' | 'closing' | 'closed';
  kafka: KafkaLaneState;
  /** Reason of the last failed Kafka send or connect, cleared by the next success. */
  kafkaError?: string;
  /** `disabled` when realtime is off; `open` means notifications are being skipped. */
  realtime: 'disabled' | BreakerState;
  /** ioredis connection status (`ready`, `connecting`, `reconnecting`, ...), when realtime is on. */
  redis?: string;
  bufferedEvents: number;
  bufferedBytes: number;
  /** Callers waiting for buffer room. */
  waitingCallers: number;
  /** True while a Kafka batch is in flight. */
  sending: boolean;
  /**
   * The `message.max.bytes` every produce request is kept under, and where it came from: the
   * `kafka.messageMaxBytes` option, the brokers' config, or Kafka's default (until the brokers answer).
   */
  messageMaxBytes: { value: number; source: 'option' | 'broker' | 'default' };
}
