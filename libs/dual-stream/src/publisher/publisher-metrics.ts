import type { BreakerState } from './circuit-breaker.js';

/** Upper bounds of the batch-size histogram (Prometheus `le` buckets; +Inf is implied by `batches`). */
const BATCH_SIZE_BUCKETS = [1, 5, 10, 25, 50, 100, 250, 500, 1000] as const;

/** A point-in-time copy of the publisher's counters; counters only grow (Prometheus counters). */
export interface PublisherMetricsSnapshot {
  /** Events acknowledged by Kafka. */
  eventsPublished: number;
  /** Events answered with `DurablePublishError` (timeout or refused by Kafka). */
  durableFailures: number;
  /** Calls answered with `BackpressureError`. */
  backpressureRejections: number;
  /** Calls answered with `InvalidEventError`. */
  invalidEvents: number;
  realtimePublished: number;
  realtimeSkipped: number;
  realtimeFailed: number;
  /** Kafka `sendBatch` calls that succeeded, and the events in them (`batchEvents / batches` = mean size). */
  batches: number;
  batchEvents: number;
  /** Cumulative counts of batches with at most `le` events, one entry per `BATCH_SIZE_BUCKETS` bound. */
  batchSizeBuckets: { le: number; count: number }[];
  /** Sum of Kafka send durations in ms over `batches` (mean latency of the durable lane). */
  kafkaSendMsSum: number;
  gapMarkersSent: number;
  breakerOpened: number;
  /** Gauges. */
  bufferedEvents: number;
  bufferedBytes: number;
  breakerState: BreakerState | 'disabled';
}

/** Plain counters the publisher lanes increment; `snapshot()` is what health checks and Prometheus read. */
export class PublisherMetrics {
  eventsPublished = 0;
  durableFailures = 0;
  backpressureRejections = 0;
  invalidEvents = 0;
  realtimePublished = 0;
  realtimeSkipped = 0;
  realtimeFailed = 0;
  batches = 0;
  batchEvents = 0;
  kafkaSendMsSum = 0;
  gapMarkersSent = 0;
  breakerOpened = 0;
  private readonly bucketCounts = BATCH_SIZE_BUCKETS.map(() => 0);

  recordBatch(size: number, sendMs: number): void {
    this.batches++;
    this.batchEvents += size;
    this.kafkaSendMsSum += sendMs;
    for (let i = BATCH_SIZE_BUCKETS.length - 1; i >= 0 && size <= BATCH_SIZE_BUCKETS[i]; i--) this.bucketCounts[i]++;
  }

  snapshot(
    gauges: Pick<PublisherMetricsSnapshot, 'bufferedEvents' | 'bufferedBytes' | 'breakerState'>,
  ): PublisherMetricsSnapshot {
    return {
      eventsPublished: this.eventsPublished,
      durableFailures: this.durableFailures,
      backpressureRejections: this.backpressureRejections,
      invalidEvents: this.invalidEvents,
      realtimePublished: this.realtimePublished,
      realtimeSkipped: this.realtimeSkipped,
      realtimeFailed: this.realtimeFailed,
      batches: this.batches,
      batchEvents: this.batchEvents,
      batchSizeBuckets: BATCH_SIZE_BUCKETS.map((le, i) => ({ le, count: this.bucketCounts[i] })),
      kafkaSendMsSum: this.kafkaSendMsSum,
      gapMarkersSent: this.gapMarkersSent,
      breakerOpened: this.breakerOpened,
      ...gauges,
    };
  }
}
