import type { Admin, Kafka } from 'kafkajs';
import type { KafkaAdminPort, PartitionOffsets, TopicSpec } from '../kafka-port.interface.js';
import { smallestBrokerValue, waitForLeaders } from '../admin-helpers.js';
import { mapped, toPortError } from './kafkajs-errors.js';
import { kafkajs } from './kafkajs-module.js';

export class KafkajsAdmin implements KafkaAdminPort {
  private readonly admin: Admin;

  constructor(kafka: Kafka) {
    this.admin = kafka.admin();
  }

  connect(): Promise<void> {
    return mapped(this.admin.connect());
  }

  listTopics(): Promise<string[]> {
    return mapped(this.admin.listTopics());
  }

  /**
   * `createTopics({ waitForLeaders: true })` retries only LEADER_NOT_AVAILABLE, but a KRaft broker answers
   * UNKNOWN_TOPIC_OR_PARTITION until the new topic's metadata has propagated, which kafkajs then throws. So
   * create without waiting, then poll the metadata until every partition has a leader.
   */
  async createTopics(topics: TopicSpec[], timeoutMs: number): Promise<void> {
    if (topics.length === 0) return;
    await mapped(
      this.admin.createTopics({
        topics: topics.map((t) => ({
          topic: t.topic,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor,
          configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
        })),
        waitForLeaders: false,
      }),
    );
    const names = topics.map((t) => t.topic);
    await waitForLeaders(
      names,
      timeoutMs,
      async () => {
        const { topics: found } = await this.admin.fetchTopicMetadata({ topics: names });
        return (
          found.length === names.length &&
          found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))
        );
      },
      toPortError,
    );
  }

  async partitionCount(topic: string): Promise<number> {
    try {
      const metadata = await this.admin.fetchTopicMetadata({ topics: [topic] });
      return metadata.topics[0]?.partitions.length ?? 0;
    } catch (err) {
      const portError = toPortError(err);
      if (portError.kind === 'unknown-topic') return 0;
      throw portError;
    }
  }

  async topicOffsets(topic: string): Promise<PartitionOffsets[]> {
    const offsets = await mapped(this.admin.fetchTopicOffsets(topic));
    return offsets.map((p) => ({ partition: p.partition, low: BigInt(p.low), high: BigInt(p.high) }));
  }

  async offsetsAtTime(topic: string, timestampMs: number): Promise<{ partition: number; offset: bigint }[]> {
    const offsets = await mapped(this.admin.fetchTopicOffsetsByTimestamp(topic, timestampMs));
    return offsets.map((p) => ({ partition: p.partition, offset: BigInt(p.offset) }));
  }

  async committedOffsets(groupId: string, topic: string): Promise<Map<number, bigint>> {
    const [result] = await mapped(this.admin.fetchOffsets({ groupId, topics: [topic] }));
    return new Map((result?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
  }

  async describeCluster(): Promise<{ brokers: number; controller: number | null }> {
    const cluster = await mapped(this.admin.describeCluster());
    return { brokers: cluster.brokers.length, controller: cluster.controller };
  }

  async minBrokerConfig(name: string): Promise<number> {
    const { brokers } = await mapped(this.admin.describeCluster());
    const { resources } = await mapped(
      this.admin.describeConfigs({
        includeSynonyms: false,
        resources: brokers.map((broker) => ({
          type: kafkajs().ConfigResourceTypes.BROKER,
          name: String(broker.nodeId),
          configNames: [name],
        })),
      }),
    );
    const entries = resources.flatMap((resource) => resource.configEntries);
    return smallestBrokerValue(
      name,
      entries.filter((entry) => entry.configName === name).map((entry) => entry.configValue),
    );
  }

  onDisconnect(listener: () => void): void {
    this.admin.on(this.admin.events.DISCONNECT, listener);
  }

  disconnect(): Promise<void> {
    return mapped(this.admin.disconnect());
  }
}
