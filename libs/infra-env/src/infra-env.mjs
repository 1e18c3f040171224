// The one reader of the shared infrastructure environment (KAFKA_BROKERS, REDIS_URL, KAFKA_PORT, REDIS_PORT)
// and the one way to print a URL that may carry a password.
//
// Why a plain .mjs with JSDoc types in a library folder of its own: scripts/ run under bare Node (no TypeScript
// loader, and `npm run infra:up` must work before anything is built), so the code must be JavaScript; the
// TypeScript side (bench/, libs/service-kit) imports it as it is (tsconfig `allowJs` reads the JSDoc types, and
// `npm run build` copies it into dist/ next to its importers). It lives under libs/ because of the dependency
// rule: bench/ and scripts/ may import libraries, libraries never import bench/ or scripts/, so only a library
// can be shared by all three. It is not part of @dual-stream/nestjs: the module takes its brokers and Redis URL as
// options and never reads the environment itself.

/** @typedef {Record<string, string | undefined>} Env */

const LOCAL_HOST = '127.0.0.1';
const DEFAULT_KAFKA_PORT = '9092';
const DEFAULT_REDIS_PORT = '6379';

/**
 * `KAFKA_BROKERS` as a list: comma-separated `host:port`, blanks around and between entries ignored.
 * @param {Env} [env]
 * @returns {string[] | undefined} undefined when the variable names no broker
 * @example kafkaBrokersFromEnv({ KAFKA_BROKERS: ' a:9092, b:9092 ,' }) // ['a:9092', 'b:9092']
 */
export function kafkaBrokersFromEnv(env = process.env) {
  const brokers = (env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
  return brokers.length > 0 ? brokers : undefined;
}

/**
 * `REDIS_URL`, e.g. `redis://:password@host:6379/0`.
 * @param {Env} [env]
 * @returns {string | undefined} undefined when unset or empty
 */
export function redisUrlFromEnv(env = process.env) {
  return env.REDIS_URL || undefined;
}

/**
 * The port of a broker on this machine: `KAFKA_PORT`, 9092 when unset.
 * @param {Env} [env]
 * @returns {number}
 */
export function localKafkaPort(env = process.env) {
  return Number(env.KAFKA_PORT || DEFAULT_KAFKA_PORT);
}

/**
 * Where a broker on this machine answers: `127.0.0.1:${localKafkaPort()}`.
 * @param {Env} [env]
 * @returns {string[]}
 */
export function localKafkaBrokers(env = process.env) {
  return [`${LOCAL_HOST}:${localKafkaPort(env)}`];
}

/**
 * Where a Redis on this machine answers: `redis://127.0.0.1:${REDIS_PORT}`, port 6379 when unset.
 * @param {Env} [env]
 * @returns {string}
 */
export function localRedisUrl(env = process.env) {
  return `redis://${LOCAL_HOST}:${env.REDIS_PORT || DEFAULT_REDIS_PORT}`;
}

/**
 * What a benchmark or tool connects to: the environment, else this machine.
 * @param {Env} [env]
 * @returns {{ kafkaBrokers: string[], redisUrl: string }}
 */
export function infraFromEnv(env = process.env) {
  return {
    kafkaBrokers: kafkaBrokersFromEnv(env) ?? localKafkaBrokers(env),
    redisUrl: redisUrlFromEnv(env) ?? localRedisUrl(env),
  };
}

/**
 * A URL safe to log or print: its password (if any) masked.
 * @param {string} url
 * @returns {string}
 * @example redactUrl('redis://:secret@host:6379/0') // 'redis://:***@host:6379/0'
 */
export function redactUrl(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable url>';
  }
}
