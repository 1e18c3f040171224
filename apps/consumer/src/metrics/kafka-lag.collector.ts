import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { LazyKafkaAdmin, RateLimitedLog, ServiceMetrics } from '@app/service-kit';
import { CONSUMER_CONFIG, groupIdFor, type ConsumerConfig } from '../config/consumer.config.js';

interface LagSample {
  topic: string;
  partition: number;
  lag: number;
}

interface BrokerReading {
  /** When the broker answered (epoch ms). */
  at: number;
  lag: LagSample[];
  dlq: { topic: string; count: number }[];
}

/** How often the broker is read; a scrape never waits for it. */
const REFRESH_MS = 2_000;

/**
 * Consumer lag per partition (high watermark minus the group's committed offset) and the dead-letter topics'
 * sizes, read from the broker: it measures what Kafka knows, independent of the handlers. The broker is read in
 * the background every 2 s and a scrape reports the last reading at once, with its age
 * (`dual_stream_consumer_lag_age_seconds`, `+Inf` before the first one), so every scrape has the gauges even
 * while the broker is slow or down. A failed reading is counted (`consumer_lag_read_failures_total`) and logged
 * (rate-limited), never swallowed.
 */
@Injectable()
export class KafkaLagCollector implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly admin: LazyKafkaAdmin;
  private readonly log = new RateLimitedLog('KafkaLag', 30_000);
  private readonly failures: Counter;
  private last?: BrokerReading;
  private timer?: NodeJS.Timeout;
  private reading?: Promise<void>;

  constructor(
    metrics: ServiceMetrics,
    @Inject(CONSUMER_CONFIG) private readonly config: ConsumerConfig,
  ) {
    this.admin = new LazyKafkaAdmin(config.service, 'lag');
    this.failures = metrics.counter(
      'consumer_lag_read_failures_total',
      'Background reads of the lag and dead-letter gauges from the broker that failed (the gauges keep the last reading)',
    );
    metrics.fromSnapshotGauge(
      'dual_stream_consumer_lag',
      'Records not yet committed by the projection group, per partition (as of dual_stream_consumer_lag_age_seconds ago)',
      ['topic', 'partition'],
      () => (this.last?.lag ?? []).map((s) => ({ labels: { topic: s.topic, partition: s.partition }, value: s.lag })),
    );
    metrics.fromSnapshotGauge('dual_stream_dlq_records', 'Records in the dead-letter topics', ['topic'], () =>
      (this.last?.dlq ?? []).map((d) => ({ labels: { topic: d.topic }, value: d.count })),
    );
    metrics.fromSnapshotGauge(
      'dual_stream_consumer_lag_age_seconds',
      'Age of the broker reading behind dual_stream_consumer_lag and dual_stream_dlq_records (+Inf: none yet)',
      [],
      () => [{ value: this.last ? (Date.now() - this.last.at) / 1000 : Number.POSITIVE_INFINITY }],
    );
  }

  onApplicationBootstrap(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  /** One background reading; a slow broker delays the next one instead of stacking them up. */
  refresh(): Promise<void> {
    this.reading ??= this.read()
      .then((reading) => void (this.last = reading))
      .catch((err: Error) => {
        this.failures.inc();
        this.log.warn(`cannot read consumer lag from Kafka (the gauges keep the last reading): ${err.message}`);
      })
      .finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async read(): Promise<BrokerReading> {
    const admin = await this.admin.get();
    const existing = new Set(await admin.listTopics());
    const lag: LagSample[] = [];
    const dlq: { topic: string; count: number }[] = [];
    for (const topic of this.config.topics) {
      if (!existing.has(topic)) continue;
      const ends = await admin.topicOffsets(topic);
      const committed = await admin.committedOffsets(groupIdFor(this.config, topic), topic);
      for (const end of ends) {
        const c = committed.get(end.partition);
        const from = c !== undefined && c >= 0n ? Number(c) : Number(end.low);
        lag.push({ topic, partition: end.partition, lag: Math.max(0, Number(end.high) - from) });
      }
      const dead = `${topic}.dlq`;
      if (existing.has(dead)) {
        const offsets = await admin.topicOffsets(dead);
        dlq.push({ topic: dead, count: offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0) });
      }
    }
    return { at: Date.now(), lag, dlq };
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.reading;
    await this.admin.close();
  }
}
