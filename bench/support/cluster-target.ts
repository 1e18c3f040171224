// The `--cluster` rows of the benchmarks: the 3-node Kafka cluster (RF 3, min ISR 2) and the Redis Cluster
// (3 masters + 3 replicas, sharded Pub/Sub) of `npm run infra:up -- --cluster`, or KAFKA_CLUSTER_BROKERS /
// REDIS_CLUSTER_NODES when they are elsewhere.
import { Kafka, logLevel } from 'kafkajs';
import { CLUSTER_SIZE, DEFAULT_CLUSTER_KAFKA_PORT } from '../../test/support/local-infra/kafka-cluster-launcher.mjs';
import {
  DEFAULT_CLUSTER_REDIS_PORT,
  REDIS_CLUSTER_SIZE,
  redisCli,
} from '../../test/support/local-infra/redis-cluster-launcher.mjs';

/** `npm run bench:… -- --cluster`: add the cluster rows beside the single-node ones of the same run. */
export const withClusterRows = process.argv.includes('--cluster');

export interface ClusterTarget {
  kafkaBrokers: string[];
  redisNodes: { host: string; port: number }[];
}

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

export function clusterTarget(env = process.env): ClusterTarget {
  const brokers = list(env.KAFKA_CLUSTER_BROKERS);
  const nodes = list(env.REDIS_CLUSTER_NODES);
  return {
    kafkaBrokers: brokers.length
      ? brokers
      : Array.from({ length: CLUSTER_SIZE }, (_, i) => `127.0.0.1:${DEFAULT_CLUSTER_KAFKA_PORT + i}`),
    redisNodes: (nodes.length
      ? nodes
      : Array.from({ length: REDIS_CLUSTER_SIZE }, (_, i) => `127.0.0.1:${DEFAULT_CLUSTER_REDIS_PORT + i}`)
    ).map((n) => {
      const at = n.lastIndexOf(':');
      return { host: n.slice(0, at), port: Number(n.slice(at + 1)) };
    }),
  };
}

/** Throws, saying how to start it, unless every broker is registered and the Redis Cluster says `ok`. */
export async function checkClusterUp(target: ClusterTarget): Promise<void> {
  const hint = 'start it with `npm run infra:up -- --cluster` (or set KAFKA_CLUSTER_BROKERS / REDIS_CLUSTER_NODES)';
  const admin = new Kafka({
    clientId: 'bench-cluster-check',
    brokers: target.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    const { brokers } = await admin.describeCluster();
    if (brokers.length < target.kafkaBrokers.length) {
      throw new Error(`${brokers.length} of ${target.kafkaBrokers.length} Kafka cluster brokers registered`);
    }
  } catch (err) {
    throw new Error(`Kafka cluster ${target.kafkaBrokers.join(',')} is not up (${(err as Error).message}): ${hint}`, {
      cause: err,
    });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const info = await redisCli(target.redisNodes[0].port, ['cluster', 'info']).catch((err: Error) => err.message);
  if (!/cluster_state:ok/.test(info)) {
    throw new Error(`Redis Cluster is not up (${info.trim().slice(0, 200)}): ${hint}`);
  }
}
