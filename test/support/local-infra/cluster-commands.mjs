// `npm run infra:up|down|status -- --cluster`: the 3-node Kafka cluster and the Redis Cluster, on fixed ports,
// detached, state under .infra/cluster/ (kept by `down` unless --purge).
import { rmSync } from 'node:fs';
import path from 'node:path';
import {
  CLUSTER_SIZE,
  DEFAULT_CLUSTER_KAFKA_PORT,
  registeredBrokers,
  runningKafkaClusterPids,
  startKafkaCluster,
  stopKafkaClusterFromPidFiles,
} from './kafka-cluster-launcher.mjs';
import { isRedisAnswering } from './redis-launcher.mjs';
import {
  DEFAULT_CLUSTER_REDIS_PORT,
  REDIS_CLUSTER_SIZE,
  redisCli,
  runningRedisClusterPids,
  startRedisCluster,
  stopRedisClusterFromPidFiles,
} from './redis-cluster-launcher.mjs';
import { withLock } from './proc.mjs';
import { DEFAULT_STATE_DIR } from './resolve-infra.mjs';

const CLUSTER_DIR = path.join(DEFAULT_STATE_DIR, 'cluster');
const KAFKA_DIR = path.join(CLUSTER_DIR, 'kafka');
const REDIS_DIR = path.join(CLUSTER_DIR, 'redis');
const brokers = Array.from({ length: CLUSTER_SIZE }, (_, i) => `127.0.0.1:${DEFAULT_CLUSTER_KAFKA_PORT + i}`);
const redisNodes = Array.from({ length: REDIS_CLUSTER_SIZE }, (_, i) => `127.0.0.1:${DEFAULT_CLUSTER_REDIS_PORT + i}`);

async function redisClusterOk() {
  try {
    return /cluster_state:ok/.test(await redisCli(DEFAULT_CLUSTER_REDIS_PORT, ['cluster', 'info']));
  } catch {
    return false;
  }
}

/** @param {(msg: string) => void} log */
export async function clusterUp(log) {
  const t0 = Date.now();
  return withLock(path.join(CLUSTER_DIR, 'start.lock'), async () => {
    const kafkaRunning = (await registeredBrokers(brokers)) === CLUSTER_SIZE;
    const redisRunning = await redisClusterOk();
    const [kafka, redis] = await Promise.all([
      kafkaRunning ? undefined : startKafkaCluster({ stateDir: KAFKA_DIR, log }),
      redisRunning ? undefined : startRedisCluster({ stateDir: REDIS_DIR, detached: true, log }),
    ]);
    const kafkaNote = kafka ? `started, pids ${kafka.nodes.map((n) => n.pid).join(',')}` : 'already running';
    const redisNote = redis ? `started, pids ${redis.servers.map((s) => s.pid).join(',')}` : 'already running';
    console.log(`KAFKA_BROKERS=${brokers.join(',')}  # 3 KRaft nodes, RF 3, min ISR 2: ${kafkaNote}`);
    console.log(`REDIS_CLUSTER_NODES=${redisNodes.join(',')}  # 3 masters + 3 replicas: ${redisNote}`);
    console.log(`cluster up in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    return 0;
  });
}

/** @param {boolean} purge */
export async function clusterDown(purge) {
  const kafka = await stopKafkaClusterFromPidFiles(KAFKA_DIR);
  const redis = await stopRedisClusterFromPidFiles(REDIS_DIR);
  console.log(
    `kafka cluster: ${kafka.pids.length ? `stopped pids ${kafka.pids.join(',')}` : 'nothing of ours running'}`,
  );
  console.log(
    `redis cluster: ${redis.pids.length ? `stopped pids ${redis.pids.join(',')}` : 'nothing of ours running'}`,
  );
  const stopped = kafka.stopped && redis.stopped;
  if (purge && stopped) {
    rmSync(CLUSTER_DIR, { recursive: true, force: true });
    console.log(`removed ${CLUSTER_DIR}`);
  }
  return stopped ? 0 : 1;
}

export async function clusterStatus() {
  const count = await registeredBrokers(brokers);
  const kafkaPids = runningKafkaClusterPids(KAFKA_DIR);
  console.log(
    `kafka cluster ${brokers.join(',')}: ${count} of ${CLUSTER_SIZE} brokers registered${kafkaPids.length ? ` (ours, pids ${kafkaPids.join(',')})` : ''}`,
  );
  const answering = await Promise.all(redisNodes.map((n) => isRedisAnswering(`redis://${n}`, 1000)));
  const ok = await redisClusterOk();
  const redisPids = runningRedisClusterPids(REDIS_DIR);
  console.log(
    `redis cluster ${redisNodes.join(',')}: ${answering.filter(Boolean).length} of ${REDIS_CLUSTER_SIZE} answering, cluster_state ${ok ? 'ok' : 'NOT ok'}${redisPids.length ? ` (ours, pids ${redisPids.join(',')})` : ''}`,
  );
  return count === CLUSTER_SIZE && ok ? 0 : 3;
}
