import {
  ConfigurationError,
  dualStreamOptionsFromEnv,
  flagFromEnv,
  intFromEnv,
  isProduction,
  listFromEnv,
  readServiceEnv,
  type ServiceEnv,
} from '@app/service-kit';

export const INGESTER_CONFIG = Symbol.for('ingester:config');

export interface IngesterConfig {
  /** The shared service environment (brokers, Redis, prefixes, `SOURCE_TYPES`, topic settings). */
  service: ServiceEnv;
  /** `INGESTER_API_KEYS`, comma-separated; empty means the API is open (refused in production, see below). */
  apiKeys: string[];
  /** `INGESTER_ALLOW_ANONYMOUS=1`: start with no API keys even with `NODE_ENV=production`, on purpose. */
  allowAnonymous: boolean;
  /** `SOURCE_TYPES`: the only source types accepted (others get `400 unknown_source_type`). */
  sourceTypes: string[];
  /** `INGESTER_BODY_LIMIT` bytes for `POST /events`: one event (1 MiB) plus JSON slack. */
  bodyLimitBytes: number;
  /** `INGESTER_BATCH_BODY_LIMIT` bytes for `POST /events/batch`. */
  batchBodyLimitBytes: number;
  /** `INGESTER_MAX_BATCH` events per batch. */
  maxBatchEvents: number;
  /** `INGESTER_RETRY_AFTER_S`: what `Retry-After` says on 503. */
  retryAfterSeconds: number;
  /** `INGESTER_IDEMPOTENCY_TTL_S`: how long a receipt is replayed for a retried `Idempotency-Key`. @default 86400 */
  idempotencyTtlSeconds: number;
  /** `DURABLE_TIMEOUT_MS`: the longest a publish waits for Kafka (bounds how long a key stays pending). */
  durableTimeoutMs: number;
}

/** Reads the ingester's environment once; a wrong or unsafe value throws `ConfigurationError`. */
export function readIngesterConfig(env: NodeJS.ProcessEnv = process.env): IngesterConfig {
  const service = readServiceEnv('ingester', env);
  const apiKeys = listFromEnv('INGESTER_API_KEYS', env);
  const allowAnonymous = flagFromEnv('INGESTER_ALLOW_ANONYMOUS', env);
  if (apiKeys.length === 0 && isProduction(env) && !allowAnonymous) {
    throw new ConfigurationError(
      'INGESTER_API_KEYS',
      'NODE_ENV=production and no INGESTER_API_KEYS: anyone who reaches the port could publish; set INGESTER_API_KEYS=<key>[,<key>...] (e.g. `openssl rand -hex 24`), or INGESTER_ALLOW_ANONYMOUS=1 to accept anonymous events on purpose.',
    );
  }
  return {
    service,
    apiKeys,
    allowAnonymous,
    sourceTypes: service.sourceTypes,
    bodyLimitBytes: intFromEnv('INGESTER_BODY_LIMIT', Math.round(1.1 * 1024 * 1024), env),
    batchBodyLimitBytes: intFromEnv('INGESTER_BATCH_BODY_LIMIT', 16 * 1024 * 1024, env),
    maxBatchEvents: intFromEnv('INGESTER_MAX_BATCH', 1000, env),
    retryAfterSeconds: intFromEnv('INGESTER_RETRY_AFTER_S', 2, env),
    idempotencyTtlSeconds: Math.max(1, intFromEnv('INGESTER_IDEMPOTENCY_TTL_S', 86_400, env)),
    durableTimeoutMs: dualStreamOptionsFromEnv('ingester', {}, env).durable!.timeoutMs!,
  };
}
