import type { Admin } from '@platformatic/kafka';
import type { ResolvedDualStreamOptions } from '../../dual-stream-options.resolver.js';
import type { ClientTuning, KafkaAdminPort, PartitionOffsets, TopicSpec } from '../kafka-port.interface.js';
import { smallestBrokerValue, waitForLeaders } from '../admin-helpers.js';
import { platformaticBaseOptions } from './platformatic-client.js';
import { mapped, toPortError } from './platformatic-errors.js';
import { loadPlatformatic } from './platformatic-module.js';

/** ListOffsets' special timestamps. */
const LATEST = -1n;
const EARLIEST = -2n;
/** DescribeConfigs' resource type of a broker. */
const BROKER = 4;

export class PlatformaticAdmin implements KafkaAdminPort {
  private admin: Admin | undefined;
  private readonly disconnectListeners: (() => void)[] = [];

  constructor(
    private readonly options: ResolvedDualStreamOptions,
    private readonly role: string,
    private readonly tuning: ClientTuning = {},
  ) {}

  async connect(): Promise<void> {
    const { Admin } = await loadPlatformatic();
    const admin = new Admin(platformaticBaseOptions(this.options, this.role, this.tuning));
    admin.on('client:broker:disconnect', () => this.disconnectListeners.forEach((listener) => listener()));
    this.admin = admin;
    try {
      await admin.metadata({ topics: [] });
    } catch (err) {
      this.admin = undefined;
      await admin.close().catch(() => undefined);
      throw toPortError(err);
    }
  }

  listTopics(): Promise<string[]> {
    return mapped(this.client().listTopics());
  }

  /** Creates each topic (one request per topic: configs are per request), then waits for every leader. */
  async createTopics(topics: TopicSpec[], timeoutMs: number): Promise<void> {
    if (topics.length === 0) return;
    const admin = this.client();
    const unique = [...new Map(topics.map((t) => [t.topic, t])).values()];
    await Promise.all(
      unique.map((t) =>
        admin
          .createTopics({
            topics: [t.topic],
            partitions: t.partitions,
            replicas: t.replicationFactor,
            configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
          })
          .catch((err: unknown) => {
            const portError = toPortError(err);
            if (portError.code !== 'TOPIC_ALREADY_EXISTS') throw portError;
          }),
      ),
    );
    const names = unique.map((t) => t.topic);
    await waitForLeaders(
      names,
      timeoutMs,
      async () => {
        const metadata = await admin.metadata({ topics: names, forceUpdate: true, retries: 0 });
        return names.every((name) => {
          const topic = metadata.topics.get(name);
          return topic !== undefined && topic.partitionsCount > 0 && topic.partitions.every((p) => p.leader >= 0);
        });
      },
      toPortError,
    );
  }

  async partitionCount(topic: string): Promise<number> {
    try {
      const metadata = await this.client().metadata({ topics: [topic], forceUpdate: true, retries: 0 });
      return metadata.topics.get(topic)?.partitionsCount ?? 0;
    } catch (err) {
      const portError = toPortError(err);
      if (portError.kind === 'unknown-topic') return 0;
      throw portError;
    }
  }

  async topicOffsets(topic: string): Promise<PartitionOffsets[]> {
    const [low, high] = await Promise.all([this.listOffsets(topic, EARLIEST), this.listOffsets(topic, LATEST)]);
    return [...high].map(([partition, offset]) => ({ partition, low: low.get(partition) ?? 0n, high: offset }));
  }

  async offsetsAtTime(topic: string, timestampMs: number): Promise<{ partition: number; offset: bigint }[]> {
    const [at, high] = await Promise.all([
      this.listOffsets(topic, BigInt(timestampMs)),
      this.listOffsets(topic, LATEST),
    ]);
    // No record at or after the time: the broker answers -1; the port answers the high watermark.
    return [...at].map(([partition, offset]) => ({ partition, offset: offset >= 0n ? offset : high.get(partition)! }));
  }

  async committedOffsets(groupId: string, topic: string): Promise<Map<number, bigint>> {
    const partitions = await this.partitionCount(topic);
    const groups = await mapped(
      this.client().listConsumerGroupOffsets({
        groups: [{ groupId, topics: [{ name: topic, partitionIndexes: [...Array(partitions).keys()] }] }],
      }),
    );
    const found = groups[0]?.topics.find((t) => t.name === topic);
    return new Map((found?.partitions ?? []).map((p) => [p.partitionIndex, p.committedOffset]));
  }

  async describeCluster(): Promise<{ brokers: number; controller: number | null }> {
    const metadata = await mapped(this.client().metadata({ topics: [], forceUpdate: true }));
    return { brokers: metadata.brokers.size, controller: metadata.controllerId >= 0 ? metadata.controllerId : null };
  }

  async minBrokerConfig(name: string): Promise<number> {
    const admin = this.client();
    const metadata = await mapped(admin.metadata({ topics: [] }));
    const described = await mapped(
      admin.describeConfigs({
        includeSynonyms: false,
        resources: [...metadata.brokers.keys()].map((id) => ({
          resourceType: BROKER,
          resourceName: String(id),
          configurationKeys: [name],
        })),
      }),
    );
    const configs = described.flatMap((resource) => resource.configs);
    return smallestBrokerValue(
      name,
      configs.filter((config) => config.name === name).map((config) => config.value),
    );
  }

  onDisconnect(listener: () => void): void {
    this.disconnectListeners.push(listener);
  }

  async disconnect(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    if (admin) await mapped(admin.close());
  }

  private client(): Admin {
    if (!this.admin) throw new Error('the admin client is not connected: call connect() first');
    return this.admin;
  }

  /** Per partition of `topic`, the offset ListOffsets answers for `timestamp`. */
  private async listOffsets(topic: string, timestamp: bigint): Promise<Map<number, bigint>> {
    const admin = this.client();
    const partitions = await this.partitionCount(topic);
    if (partitions === 0) {
      throw toPortError(
        Object.assign(new Error(`topic ${topic} does not exist`), { apiId: 'UNKNOWN_TOPIC_OR_PARTITION' }),
      );
    }
    const listed = await mapped(
      admin.listOffsets({
        topics: [
          {
            name: topic,
            partitions: [...Array(partitions).keys()].map((partitionIndex) => ({
              partitionIndex,
              timestamp,
              currentLeaderEpoch: -1,
            })),
          },
        ],
      }),
    );
    return new Map(listed.flatMap((t) => t.partitions.map((p) => [p.partitionIndex, p.offset] as const)));
  }
}
