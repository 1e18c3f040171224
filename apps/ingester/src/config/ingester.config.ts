import { intFromEnv } from '@app/service-kit';

export const INGESTER_CONFIG = Symbol.for('ingester:config');

export interface IngesterConfig {
  /** `INGESTER_API_KEYS`, comma-separated; empty means the API is open (a warning is logged at startup). */
  apiKeys: string[];
  /** `INGESTER_BODY_LIMIT` bytes for `POST /events`: one event (1 MiB) plus JSON slack. */
  bodyLimitBytes: number;
  /** `INGESTER_BATCH_BODY_LIMIT` bytes for `POST /events/batch`. */
  batchBodyLimitBytes: number;
  /** `INGESTER_MAX_BATCH` events per batch. */
  maxBatchEvents: number;
  /** `INGESTER_RETRY_AFTER_S`: what `Retry-After` says on 503. */
  retryAfterSeconds: number;
}

export function readIngesterConfig(env: NodeJS.ProcessEnv = process.env): IngesterConfig {
  return {
    apiKeys: (env.INGESTER_API_KEYS ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
    bodyLimitBytes: intFromEnv('INGESTER_BODY_LIMIT', Math.round(1.1 * 1024 * 1024), env),
    batchBodyLimitBytes: intFromEnv('INGESTER_BATCH_BODY_LIMIT', 16 * 1024 * 1024, env),
    maxBatchEvents: intFromEnv('INGESTER_MAX_BATCH', 1000, env),
    retryAfterSeconds: intFromEnv('INGESTER_RETRY_AFTER_S', 2, env),
  };
}
