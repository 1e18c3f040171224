import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { sourcePartition, type EventSource } from '@dual-stream/nestjs';
import { LazyKafkaAdmin, problem, ProblemException, RateLimitedLog, topicFor } from '@app/service-kit';
import { CONSUMER_CONFIG, type ConsumerConfig } from '../config/consumer.config.js';
import type { TopicPartition } from '../projection/projection.store.js';

const FRESH_MS = 30_000;

/**
 * Where a source's events are: its topic, and the partition the publisher's default partitioner puts its key
 * on (`sourcePartition`), for the topic's current partition count. Counts are read from the broker at most
 * every 30 s; while Kafka is down the last known count is used, and without one the answer is a 503.
 */
@Injectable()
export class SourcePartitionLocator implements OnApplicationShutdown {
  private readonly admin: LazyKafkaAdmin;
  private readonly counts = new Map<string, { count: number; at: number }>();
  private readonly log = new RateLimitedLog('Consumer');

  constructor(@Inject(CONSUMER_CONFIG) private readonly config: ConsumerConfig) {
    this.admin = new LazyKafkaAdmin(config.service, 'metadata');
  }

  async locate(source: EventSource): Promise<TopicPartition> {
    const topic = topicFor(this.config.service, source.type);
    return { topic, partition: sourcePartition(source, await this.partitionCount(topic)) };
  }

  private async partitionCount(topic: string): Promise<number> {
    const known = this.counts.get(topic);
    if (known && Date.now() - known.at < FRESH_MS) return known.count;
    try {
      const admin = await this.admin.get();
      const count = await admin.partitionCount(topic);
      if (count === 0) throw new Error(`topic ${topic} has no partitions`);
      this.counts.set(topic, { count, at: Date.now() });
      return count;
    } catch (err) {
      if (known) return known.count;
      this.log.warn(`cannot read the partition count of ${topic}: ${(err as Error).message}`);
      throw new ProblemException(
        problem('kafka_unavailable', "Kafka did not answer: the source's partition is not known yet; retry later"),
        { 'Retry-After': '2' },
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin.close();
  }
}
