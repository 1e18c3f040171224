import { ensureTopics } from '@dual-stream/nestjs';
import { startKafkaCluster } from './local-infra/kafka-cluster-launcher.mjs';
import { redisCli, startRedisCluster } from './local-infra/redis-cluster-launcher.mjs';
import { withAdmin } from './infra.js';
import { readRecords, type ConsumedRecord } from './kafka-records.js';

export type ClusterRedis = Awaited<ReturnType<typeof startClusterRedis>>;
export type ClusterKafka = Awaited<ReturnType<typeof startKafkaCluster>>;

/**
 * A Redis Cluster (3 masters + 3 replicas) owned by one test file, on free ports in a temp dir: kill a master
 * with `cluster.server(port).kill()`. `nodes` is the seed list for `redis: { cluster: { nodes } }`.
 */
export async function startClusterRedis() {
  const cluster = await startRedisCluster({ port: 0 });
  return { cluster, nodes: cluster.nodes, stop: () => cluster.stop() };
}

/**
 * A 3-node Kafka cluster (RF 3, min ISR 2) owned by one test file, on free ports in a temp dir (~15 s to start
 * on 2 cores).
 */
export const startClusterKafka = (): Promise<ClusterKafka> => startKafkaCluster({ port: 0 });

/** The port of the master that owns `redisChannel`'s slot now. */
export async function shardOf(redis: ClusterRedis, redisChannel: string): Promise<number> {
  const masters = await redis.cluster.masterPorts();
  const slot = Number((await redisCli(masters[0], ['cluster', 'keyslot', redisChannel])).trim());
  for (const port of masters) {
    const owned = (await redisCli(port, ['cluster', 'nodes']))
      .split('\n')
      .find((line) => line.includes('myself'))
      ?.split(' ')
      .slice(8);
    for (const range of owned ?? []) {
      const [from, to = from] = range.split('-').map(Number);
      if (slot >= from && slot <= to) return port;
    }
  }
  throw new Error(`no master owns slot ${slot} of ${redisChannel}`);
}

/** Creates `topic` the way apps do (the library's `ensureTopics`): replication factor 3, `min.insync.replicas=2`. */
export async function createClusterTopic(brokers: string[], topic: string, numPartitions: number): Promise<void> {
  await ensureTopics({ kafka: { brokers, clientId: 'cluster-test-setup' } }, [
    { topic, partitions: numPartitions, replicationFactor: 3, minInsyncReplicas: 2 },
  ]);
}

/** Every record in `topic` now (up to the high-water marks), read with a fresh group. */
export async function readWholeTopic(brokers: string[], topic: string): Promise<ConsumedRecord[]> {
  return readRecords(topic, 'end', { brokers });
}

/** The broker (node id) leading each partition of `topic` now. */
export async function leaders(brokers: string[], topic: string): Promise<Map<number, number>> {
  const meta = await withAdmin((admin) => admin.fetchTopicMetadata({ topics: [topic] }), brokers);
  return new Map(meta.topics[0].partitions.map((p) => [p.partitionId, p.leader]));
}

/**
 * The services' environment (docs/configuration.md) for a Kafka cluster and a Redis Cluster: topics the services
 * create get 6 partitions and replication factor 3, notifications go by sharded Pub/Sub.
 */
export function clusterServiceEnv(kafka: ClusterKafka, redis: ClusterRedis): Record<string, string> {
  return {
    KAFKA_BROKERS: kafka.brokers.join(','),
    REDIS_CLUSTER_NODES: redis.nodes.map((n) => `${n.host}:${n.port}`).join(','),
    KAFKA_TOPIC_PARTITIONS: '6',
    KAFKA_TOPIC_REPLICATION: '3',
  };
}
