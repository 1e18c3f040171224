// Decides where Kafka and Redis come from, starting them only when nothing usable
// is already there. Shared by `node scripts/infra.mjs up` and Jest globalSetup; it lives in test/support because
// scripts may use test support, never the reverse.
import path from 'node:path';
import {
  kafkaBrokersFromEnv,
  localKafkaBrokers,
  localKafkaPort,
  localRedisUrl,
  redisUrlFromEnv,
} from '../../../libs/infra-env/src/infra-env.mjs';
import { isKafkaAnswering, runningKafkaPid, startKafka, stopKafkaFromPidFile } from './kafka-launcher.mjs';
import { isRedisAnswering, runningRedis, startRedis } from './redis-launcher.mjs';
import { REPO_ROOT, silentLog, sleep, withLock } from './proc.mjs';

/** @typedef {import('./proc.mjs').Log} Log */
/** @typedef {'env' | 'running' | 'started'} Source */

export const DEFAULT_STATE_DIR = path.join(REPO_ROOT, '.infra');

/**
 * Policy, per service: environment variable > something already answering > start our own.
 * Kafka: KAFKA_BROKERS, else 127.0.0.1:${KAFKA_PORT || 9092}, else startKafka in <stateDir>/kafka.
 * Redis: REDIS_URL, else redis://127.0.0.1:${REDIS_PORT || 6379}, else our earlier redis-server, else a new
 * detached redis-server on a free port (pid file in <stateDir>/redis).
 * @param {{ log?: Log, stateDir?: string }} [opts]
 * @returns {Promise<{
 *   kafkaBrokers: string[], redisUrl: string,
 *   source: { kafka: Source, redis: Source },
 *   started: { kafka?: import('./kafka-launcher.mjs').KafkaHandle, redis?: import('./redis-launcher.mjs').RedisHandle },
 * }>}
 */
export async function resolveInfra({ log = silentLog, stateDir = DEFAULT_STATE_DIR } = {}) {
  const [kafka, redis] = await Promise.all([
    resolveKafka(log, path.join(stateDir, 'kafka')),
    resolveRedis(log, path.join(stateDir, 'redis')),
  ]);
  return {
    kafkaBrokers: kafka.brokers,
    redisUrl: redis.url,
    source: { kafka: kafka.source, redis: redis.source },
    started: { ...(kafka.handle && { kafka: kafka.handle }), ...(redis.handle && { redis: redis.handle }) },
  };
}

/** @param {Log} log @param {string} dir */
async function resolveKafka(log, dir) {
  const fromEnv = kafkaBrokersFromEnv();
  if (fromEnv) return { brokers: fromEnv, source: /** @type {Source} */ ('env') };

  const port = localKafkaPort();
  const brokers = localKafkaBrokers();
  if (await isKafkaAnswering(brokers)) return { brokers, source: /** @type {Source} */ ('running') };
  return withLock(path.join(dir, 'start.lock'), () => startKafkaUnlessAnswering(log, dir, port, brokers));
}

/** @param {Log} log @param {string} dir @param {number} port @param {string[]} brokers */
async function startKafkaUnlessAnswering(log, dir, port, brokers) {
  // Whoever held the lock before us may just have started it.
  if (await isKafkaAnswering(brokers)) return { brokers, source: /** @type {Source} */ ('running') };

  // Our broker may still be booting (e.g. a concurrent `up`): give it the start timeout before replacing it.
  if (runningKafkaPid(dir) !== undefined) {
    log('kafka: our broker is running but not answering yet, waiting');
    const deadline = Date.now() + 60_000;
    while (runningKafkaPid(dir) !== undefined && Date.now() < deadline) {
      if (await isKafkaAnswering(brokers, 1500)) return { brokers, source: /** @type {Source} */ ('running') };
      await sleep(500);
    }
    log('kafka: it never answered, restarting it');
    await stopKafkaFromPidFile(dir);
  }
  const handle = await startKafka({ port, stateDir: dir, log });
  return { brokers: handle.brokers, source: /** @type {Source} */ ('started'), handle };
}

/** @param {Log} log @param {string} dir */
async function resolveRedis(log, dir) {
  const fromEnv = redisUrlFromEnv();
  if (fromEnv) return { url: fromEnv, source: /** @type {Source} */ ('env') };

  const url = localRedisUrl();
  if (await isRedisAnswering(url)) return { url, source: /** @type {Source} */ ('running') };
  return withLock(path.join(dir, 'start.lock'), () => startRedisUnlessRunning(log, dir));
}

/** @param {Log} log @param {string} dir */
async function startRedisUnlessRunning(log, dir) {
  const ours = runningRedis(dir);
  if (ours && (await isRedisAnswering(ours.url))) return { url: ours.url, source: /** @type {Source} */ ('running') };

  const handle = await startRedis({ stateDir: dir, detached: true, log });
  return { url: handle.url, source: /** @type {Source} */ ('started'), handle };
}
