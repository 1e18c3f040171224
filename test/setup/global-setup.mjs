// Where the integration tests' Kafka and Redis come from, in this order:
//   1. KAFKA_BROKERS / REDIS_URL from the environment, used as they are;
//   2. testcontainers (Kafka + Redis modules) when a Docker engine answers;
//   3. the project's own launcher: a broker/redis already answering locally, else one started from Maven jars.
// Whatever is started here is recorded on globalThis and stopped by global-teardown.mjs.
import { resolveInfra } from '../support/local-infra/resolve-infra.mjs';
import { dockerAvailable, startContainers } from './containers.mjs';

const log = (line) => process.stderr.write(`[infra] ${line}\n`);

export default async function globalSetup() {
  const started = Date.now();
  const envKafka = process.env.KAFKA_BROKERS;
  const envRedis = process.env.REDIS_URL;
  let infra;
  if (!(envKafka && envRedis) && process.env.DUAL_STREAM_NO_DOCKER !== '1' && (await dockerAvailable())) {
    log('Docker engine found: starting Kafka and Redis with testcontainers');
    infra = await startContainers({ kafka: !envKafka, redis: !envRedis });
    infra.kafkaBrokers = envKafka ? envKafka.split(',') : infra.kafkaBrokers;
    infra.redisUrl = envRedis ?? infra.redisUrl;
  } else {
    infra = await resolveInfra({ log });
  }
  process.env.KAFKA_BROKERS = infra.kafkaBrokers.join(',');
  process.env.REDIS_URL = infra.redisUrl;
  globalThis.__dualStreamInfra = infra;
  log(
    `kafka ${process.env.KAFKA_BROKERS}, redis ${process.env.REDIS_URL} (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
}
