import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { DualStreamModuleOptions } from '@dual-stream/nestjs';
import { dualStreamOptionsFromEnv, intFromEnv } from '@app/service-kit';

/** What the gateway needs beyond the shared service environment. */
export interface GatewayConfig {
  /** Kafka, Redis and hub options (`hub.canSubscribe*` are filled from the token claims by the module). */
  dualStream: DualStreamModuleOptions;
  /** `GATEWAY_JWT_SECRET`: HMAC secret of the demo's HS256 tokens (at least 32 bytes). */
  jwtSecret: string;
  /** `GATEWAY_DEV_TOKENS=1`: `GET /dev/token` hands out an all-access token (never in production). */
  devTokens: boolean;
}

export const GATEWAY_CONFIG = Symbol('gateway:config');

/** Reads `GATEWAY_*` plus the shared `KAFKA_BROKERS`, `REDIS_URL`, `CHANNEL_PREFIX`, `TOPIC_PREFIX`. */
export function gatewayConfigFromEnv(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const devTokens = /^(1|true|yes|on)$/i.test(env.GATEWAY_DEV_TOKENS ?? '');
  let jwtSecret = env.GATEWAY_JWT_SECRET ?? '';
  if (!jwtSecret) {
    if (!devTokens) {
      throw new Error(
        'GATEWAY_JWT_SECRET is not set: set it to a random string of at least 32 characters (or GATEWAY_DEV_TOKENS=1 for a local demo).',
      );
    }
    jwtSecret = randomBytes(32).toString('hex');
    new Logger('Gateway').warn(
      'GATEWAY_JWT_SECRET is not set: using a random secret for this process (dev tokens only)',
    );
  }
  if (jwtSecret.length < 32) throw new Error('GATEWAY_JWT_SECRET must be at least 32 characters.');
  return {
    dualStream: dualStreamOptionsFromEnv(
      'gateway',
      {
        hub: {
          maxSubscriptionsPerConnection: intFromEnv('GATEWAY_MAX_SUBSCRIPTIONS', 100, env),
          maxQueuedMessages: intFromEnv('GATEWAY_MAX_QUEUED_MESSAGES', 1000, env),
          maxQueuedBytes: intFromEnv('GATEWAY_MAX_QUEUED_BYTES', 1024 * 1024, env),
        },
      },
      env,
    ),
    jwtSecret,
    devTokens,
  };
}
