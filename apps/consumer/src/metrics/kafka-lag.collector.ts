import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { LazyKafkaAdmin, ServiceMetrics } from '@app/service-kit';
import { CONSUMER_CONFIG, groupIdFor, type ConsumerConfig } from '../config/consumer.config.js';

interface LagSample {
  topic: string;
  partition: number;
  lag: number;
}

/**
 * Consumer lag per partition (high watermark minus the group's committed offset) and the dead-letter topics'
 * sizes, read from the broker at scrape time: it measures what Kafka knows, independent of the handlers.
 */
@Injectable()
export class KafkaLagCollector implements OnApplicationShutdown {
  private readonly admin: LazyKafkaAdmin;
  private cached?: { at: number; lag: LagSample[]; dlq: { topic: string; count: number }[] };
  private inflight?: Promise<void>;

  constructor(
    metrics: ServiceMetrics,
    @Inject(CONSUMER_CONFIG) private readonly config: ConsumerConfig,
  ) {
    this.admin = new LazyKafkaAdmin(config.service, 'lag');
    metrics.fromSnapshotGauge(
      'dual_stream_consumer_lag',
      'Records not yet committed by the projection group, per partition',
      ['topic', 'partition'],
      async () => {
        await this.refresh();
        return (this.cached?.lag ?? []).map((s) => ({
          labels: { topic: s.topic, partition: s.partition },
          value: s.lag,
        }));
      },
    );
    metrics.fromSnapshotGauge('dual_stream_dlq_records', 'Records in the dead-letter topics', ['topic'], async () => {
      await this.refresh();
      return (this.cached?.dlq ?? []).map((d) => ({ labels: { topic: d.topic }, value: d.count }));
    });
  }

  /** Reads the broker at most every 2 s; a scrape while Kafka is down reports the last known values. */
  async refresh(): Promise<void> {
    if (this.cached && Date.now() - this.cached.at < 2000) return;
    this.inflight ??= this.read()
      .then((v) => void (this.cached = { at: Date.now(), ...v }))
      .catch(() => undefined)
      .finally(() => (this.inflight = undefined));
    // A scrape must answer even while Kafka is down: wait a little, then report the last known values.
    await Promise.race([this.inflight, new Promise((r) => setTimeout(r, 3000).unref())]);
  }

  private async read(): Promise<{ lag: LagSample[]; dlq: { topic: string; count: number }[] }> {
    const admin = await this.admin.get();
    const existing = new Set(await admin.listTopics());
    const lag: LagSample[] = [];
    const dlq: { topic: string; count: number }[] = [];
    for (const topic of this.config.topics) {
      if (!existing.has(topic)) continue;
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId: groupIdFor(this.config, topic), topics: [topic] });
      for (const end of ends) {
        const c = committed?.partitions.find((p) => p.partition === end.partition);
        const from = c && Number(c.offset) >= 0 ? Number(c.offset) : Number(end.low);
        lag.push({ topic, partition: end.partition, lag: Math.max(0, Number(end.high) - from) });
      }
      const dead = `${topic}.dlq`;
      if (existing.has(dead)) {
        const offsets = await admin.fetchTopicOffsets(dead);
        dlq.push({ topic: dead, count: offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0) });
      }
    }
    return { lag, dlq };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin.close();
  }
}
