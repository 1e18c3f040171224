#!/usr/bin/env node
// Local infrastructure: node scripts/infra.mjs up | down [--purge] | status   [--cluster]
//   up      use KAFKA_BROKERS / REDIS_URL, or what already answers, or start our own
//           (Kafka 4 KRaft via Maven-resolved jars, redis-server); they keep running after exit.
//   down    stop only what `up` started (pid files under .infra/); --purge also deletes Kafka data.
//   status  exit 0 when Kafka and Redis both answer, 3 otherwise.
//   --cluster the same for the cluster set-up instead: 3 Kafka KRaft nodes (19092-19094, controllers
//           19192-19194, RF 3, min ISR 2) and a Redis Cluster of 3 masters + 3 replicas (7000-7005),
//           state under .infra/cluster/ (see docs/production.md).
import { rmSync } from 'node:fs';
import path from 'node:path';
import {
  kafkaBrokersFromEnv,
  localKafkaBrokers,
  localRedisUrl,
  redactUrl,
  redisUrlFromEnv,
} from '../libs/infra-env/src/infra-env.mjs';
import {
  isKafkaAnswering,
  runningKafkaPid,
  stopKafkaFromPidFile,
} from '../test/support/local-infra/kafka-launcher.mjs';
import { isRedisAnswering, runningRedis, stopRedisFromPidFile } from '../test/support/local-infra/redis-launcher.mjs';
import { DEFAULT_STATE_DIR, resolveInfra } from '../test/support/local-infra/resolve-infra.mjs';
import { muteKafkajsTimeoutWarning } from '../test/support/local-infra/proc.mjs';
import { clusterDown, clusterStatus, clusterUp } from '../test/support/local-infra/cluster-commands.mjs';

muteKafkajsTimeoutWarning();

const kafkaDir = path.join(DEFAULT_STATE_DIR, 'kafka');
const redisDir = path.join(DEFAULT_STATE_DIR, 'redis');
/** @param {string} msg */
const log = (msg) => console.error(`[infra] ${msg}`);

async function up() {
  const t0 = Date.now();
  const infra = await resolveInfra({ log });
  const describe = (/** @type {'kafka' | 'redis'} */ name) =>
    ({ env: 'from environment', running: 'already running', started: `started, pid ${infra.started[name]?.pid}` })[
      infra.source[name]
    ];
  console.log(`KAFKA_BROKERS=${infra.kafkaBrokers.join(',')}  # ${describe('kafka')}`);
  console.log(`REDIS_URL=${redactUrl(infra.redisUrl)}  # ${describe('redis')}`);
  console.log(`infra up in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  return 0;
}

async function down() {
  const kafka = await stopKafkaFromPidFile(kafkaDir);
  const redis = await stopRedisFromPidFile(redisDir);
  console.log(
    `kafka: ${kafka.pid ? (kafka.stopped ? `stopped pid ${kafka.pid}` : `pid ${kafka.pid} did NOT stop`) : 'nothing of ours running'}`,
  );
  console.log(
    `redis: ${redis.pid ? (redis.stopped ? `stopped pid ${redis.pid}` : `pid ${redis.pid} did NOT stop`) : 'nothing of ours running'}`,
  );
  if (process.argv.includes('--purge') && kafka.stopped) {
    rmSync(DEFAULT_STATE_DIR, { recursive: true, force: true });
    console.log(`removed ${DEFAULT_STATE_DIR}`);
  }
  return kafka.stopped && redis.stopped ? 0 : 1;
}

async function status() {
  const brokers = kafkaBrokersFromEnv() ?? localKafkaBrokers();
  const kafkaPid = runningKafkaPid(kafkaDir);
  const kafkaOk = await isKafkaAnswering(brokers, 3000);
  console.log(
    `kafka ${brokers.join(',')}: ${kafkaOk ? 'answering' : 'NOT answering'}${kafkaPid ? ` (ours, pid ${kafkaPid})` : ''}`,
  );

  const ours = runningRedis(redisDir);
  const fromEnv = redisUrlFromEnv();
  const candidates = fromEnv ? [fromEnv] : [localRedisUrl(), ...(ours ? [ours.url] : [])];
  let redisOk = false;
  for (const url of candidates) {
    const ok = await isRedisAnswering(url, 1000);
    const mine = ours && url === ours.url ? ` (ours, pid ${ours.pid})` : '';
    console.log(`redis ${redactUrl(url)}: ${ok ? 'answering' : 'NOT answering'}${mine}`);
    redisOk ||= ok;
  }
  return kafkaOk && redisOk ? 0 : 3;
}

const cluster = process.argv.includes('--cluster');
const commands = cluster
  ? { up: () => clusterUp(log), down: () => clusterDown(process.argv.includes('--purge')), status: clusterStatus }
  : { up, down, status };
const cmd = /** @type {keyof typeof commands} */ (process.argv[2]);
if (!Object.hasOwn(commands, cmd)) {
  console.error('usage: node scripts/infra.mjs up | down [--purge] | status [--cluster]');
  process.exit(2);
}
try {
  // Explicit exit: the detached broker must never be the reason this process lingers.
  process.exit(await commands[cmd]());
} catch (e) {
  console.error(`[infra] ${cmd} failed: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
