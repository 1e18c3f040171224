import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import {
  DualStreamPublisher,
  RealtimeHub,
  type PublisherMetricsSnapshot,
  type RealtimeHubMetrics,
} from '@dual-stream/nestjs';
import { ServiceMetrics } from './service-metrics.js';

export type LibraryMetricsSource = 'publisher' | 'hub';
export const LIBRARY_METRICS = Symbol.for('service-kit:library-metrics');

type PublisherCounter = Exclude<
  keyof PublisherMetricsSnapshot,
  'batchSizeBuckets' | 'bufferedEvents' | 'bufferedBytes' | 'breakerState'
>;
const PUBLISHER_COUNTERS: [PublisherCounter, string, string][] = [
  ['eventsPublished', 'dual_stream_published_events_total', 'Events acknowledged by Kafka'],
  ['durableFailures', 'dual_stream_durable_failures_total', 'Events answered with DurablePublishError'],
  ['backpressureRejections', 'dual_stream_backpressure_rejections_total', 'Calls answered with BackpressureError'],
  ['invalidEvents', 'dual_stream_invalid_events_total', 'Calls answered with InvalidEventError'],
  ['realtimePublished', 'dual_stream_realtime_published_total', 'Notifications published on Redis'],
  [
    'realtimeSkipped',
    'dual_stream_realtime_skipped_total',
    'Notifications skipped while Redis was down (clients recover them from Kafka)',
  ],
  ['realtimeFailed', 'dual_stream_realtime_failed_total', 'Notifications whose Redis publish failed or timed out'],
  ['batches', 'dual_stream_kafka_batches_total', 'Kafka sendBatch calls that succeeded'],
  ['batchEvents', 'dual_stream_kafka_batch_events_total', 'Events in those batches'],
  ['kafkaSendMsSum', 'dual_stream_kafka_send_ms_total', 'Sum of Kafka send durations in ms'],
  ['gapMarkersSent', 'dual_stream_gap_markers_sent_total', 'Gap markers announced after Redis came back'],
  ['breakerOpened', 'dual_stream_redis_breaker_opened_total', 'Times the Redis circuit breaker opened'],
];

type HubCounter =
  | 'delivered'
  | 'duplicatesDropped'
  | 'conflated'
  | 'slowDisconnects'
  | 'subscribeRefused'
  | 'replays'
  | 'replaysRecovered'
  | 'replaysNotRecovered'
  | 'replayedEvents'
  | 'recoveries'
  | 'gapMarkers'
  | 'malformedMessages'
  | 'forgedPositions'
  | 'tokenExpiries'
  | 'recoveryNotices'
  | 'sseStreamsOpened'
  | 'sseDelivered';
const HUB_COUNTERS: [HubCounter, string, string][] = [
  ['delivered', 'dual_stream_hub_delivered_total', 'Messages delivered to sockets and SSE streams'],
  [
    'duplicatesDropped',
    'dual_stream_hub_duplicates_dropped_total',
    'Events dropped because the socket already had that position',
  ],
  ['conflated', 'dual_stream_hub_conflated_total', 'Queued events replaced by a newer one (conflating subscriptions)'],
  [
    'slowDisconnects',
    'dual_stream_hub_slow_disconnects_total',
    'Connections closed with reason `slow` (outbound queue full)',
  ],
  [
    'subscribeRefused',
    'dual_stream_hub_subscribe_refused_total',
    'Subscriptions refused (authorization, limits, invalid channel)',
  ],
  ['replays', 'dual_stream_hub_replays_total', 'Kafka replays started (resume, catch-up, recovery)'],
  ['replaysRecovered', 'dual_stream_hub_replays_recovered_total', 'Replays that closed the gap'],
  ['replaysNotRecovered', 'dual_stream_hub_replays_not_recovered_total', 'Replays that gave up (scan or time limit)'],
  ['replayedEvents', 'dual_stream_hub_replayed_events_total', 'Events delivered from Kafka replays'],
  ['recoveries', 'dual_stream_hub_recoveries_total', 'Recoveries after a Redis reconnect or a gap marker'],
  ['gapMarkers', 'dual_stream_hub_gap_markers_total', 'Gap markers received from publishers'],
  ['malformedMessages', 'dual_stream_hub_malformed_messages_total', 'Redis payloads dropped by the validating parser'],
  [
    'forgedPositions',
    'dual_stream_hub_forged_positions_total',
    'Live positions at or past the partition high-water mark, undone',
  ],
  ['tokenExpiries', 'dual_stream_hub_token_expiries_total', 'Connections closed because their token expired'],
  [
    'recoveryNotices',
    'dual_stream_hub_recovery_notices_total',
    'Background recoveries that could not close a gap (clients told with `recovery`)',
  ],
  ['sseStreamsOpened', 'dual_stream_hub_sse_streams_opened_total', 'Server-Sent Events streams opened'],
  [
    'sseDelivered',
    'dual_stream_hub_sse_delivered_total',
    'Messages written to Server-Sent Events streams (also counted in dual_stream_hub_delivered_total)',
  ],
];
type HubGauge =
  | 'connections'
  | 'subscriptions'
  | 'patternSubscriptions'
  | 'redisChannels'
  | 'redisPatterns'
  | 'queuedMessages'
  | 'queuedBytes'
  | 'activeReplays'
  | 'sseStreams';
const HUB_GAUGES: [HubGauge, string, string][] = [
  ['connections', 'dual_stream_hub_connections', 'Connections attached to the hub (sockets and SSE streams)'],
  ['sseStreams', 'dual_stream_hub_sse_streams', 'Server-Sent Events streams attached to the hub'],
  ['subscriptions', 'dual_stream_hub_subscriptions', 'Channel subscriptions over all connections'],
  ['patternSubscriptions', 'dual_stream_hub_pattern_subscriptions', 'Pattern subscriptions over all connections'],
  ['redisChannels', 'dual_stream_hub_redis_channels', 'Redis SUBSCRIBEs this instance holds'],
  ['redisPatterns', 'dual_stream_hub_redis_patterns', 'Redis PSUBSCRIBEs this instance holds'],
  ['queuedMessages', 'dual_stream_hub_queued_messages', 'Messages waiting in per-connection queues'],
  ['queuedBytes', 'dual_stream_hub_queued_bytes', 'Bytes waiting in per-connection queues'],
  ['activeReplays', 'dual_stream_hub_active_replays', 'Kafka replays running in this process'],
];

/**
 * Exports the library's own `metrics()` snapshots (publisher, realtime hub) to Prometheus, read at scrape time:
 * the library stays the one place that counts. Which ones an app exports is its choice (`libraryMetrics`).
 */
@Injectable()
export class DualStreamMetricsRegistrar implements OnApplicationBootstrap {
  constructor(
    private readonly metrics: ServiceMetrics,
    private readonly moduleRef: ModuleRef,
    @Inject(LIBRARY_METRICS) private readonly sources: LibraryMetricsSource[],
  ) {}

  onApplicationBootstrap(): void {
    if (this.sources.includes('publisher')) {
      const publisher = this.find(DualStreamPublisher);
      if (publisher) this.registerPublisher(() => publisher.metrics());
    }
    if (this.sources.includes('hub')) {
      const hub = this.find(RealtimeHub);
      if (hub) this.registerHub(() => hub.metrics());
    }
  }

  private registerPublisher(snapshot: () => PublisherMetricsSnapshot): void {
    const m = this.metrics;
    for (const [field, name, help] of PUBLISHER_COUNTERS) {
      m.fromSnapshotCounter(name, help, [], () => [{ value: snapshot()[field] }]);
    }
    m.fromSnapshotGauge('dual_stream_buffered_events', 'Events accepted but not yet acknowledged by Kafka', [], () => [
      { value: snapshot().bufferedEvents },
    ]);
    m.fromSnapshotGauge('dual_stream_buffered_bytes', 'Bytes of those events', [], () => [
      { value: snapshot().bufferedBytes },
    ]);
    m.fromSnapshotGauge(
      'dual_stream_redis_breaker_state',
      '1 for the Redis circuit breaker state in the label',
      ['state'],
      () => [{ labels: { state: snapshot().breakerState }, value: 1 }],
    );
  }

  private registerHub(snapshot: () => RealtimeHubMetrics): void {
    const m = this.metrics;
    for (const [field, name, help] of HUB_COUNTERS) {
      m.fromSnapshotCounter(name, help, [], () => [{ value: snapshot()[field] }]);
    }
    for (const [field, name, help] of HUB_GAUGES) {
      m.fromSnapshotGauge(name, help, [], () => [{ value: snapshot()[field] }]);
    }
    m.fromSnapshotGauge('dual_stream_hub_redis_up', '1 while the hub is subscribed to Redis', [], () => [
      { value: snapshot().redisUp ? 1 : 0 },
    ]);
  }

  private find<T>(token: abstract new (...args: never[]) => T): T | undefined {
    try {
      return this.moduleRef.get(token, { strict: false });
    } catch (err) {
      new Logger('Metrics').warn(`${token.name} not found, its metrics are not exported: ${(err as Error).message}`);
      return undefined;
    }
  }
}
