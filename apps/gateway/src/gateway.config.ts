import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { parseChannel, type DualStreamModuleOptions } from '@dual-stream/nestjs';
import {
  ConfigurationError,
  dualStreamOptionsFromEnv,
  flagFromEnv,
  intFromEnv,
  isProduction,
  listFromEnv,
  readAuthEnv,
} from '@app/service-kit';

/** What the gateway needs beyond the shared service environment. */
export interface GatewayConfig {
  /** Kafka, Redis and hub options (`hub.canSubscribe*` are filled from the token claims by the module). */
  dualStream: DualStreamModuleOptions;
  /** `AUTH_JWT_SECRET` (or `GATEWAY_JWT_SECRET`): HMAC secret of the HS256 client tokens (at least 32 bytes). */
  jwtSecret: string;
  /** `AUTH_JWT_AUDIENCE` (or `GATEWAY_JWT_AUDIENCE`): when set, tokens must carry it in `aud`. */
  jwtAudience?: string;
  /** `AUTH_JWT_ISSUER` (or `GATEWAY_JWT_ISSUER`): when set, tokens must carry it as `iss`. */
  jwtIssuer?: string;
  /** `GATEWAY_DEV_TOKENS=1`: `GET /dev/token` hands out an all-access token (refused with NODE_ENV=production). */
  devTokens: boolean;
  /**
   * `GATEWAY_DEV_TOKEN_TTL_S`: lifetime of a `GET /dev/token` token, in seconds (at least 2). The dashboard
   * fetches a new one before expiry (SSE) or when the gateway ends the connection at expiry (socket.io); a short
   * one shows that at work.
   * @default DEV_TOKEN_TTL_S (3600)
   */
  devTokenTtlSeconds?: number;
  /** `GATEWAY_SSE_*`. @default SSE_DEFAULTS */
  sse?: GatewaySseConfig;
  /**
   * `GATEWAY_DASHBOARD_CHANNELS`: channels (`events:{type}:{id}`, comma-separated) the dashboard subscribes to
   * when it opens (`npm run demo` sets the load generator's sources). Served at `GET /dashboard/config`.
   * @default [] (the dashboard starts with no subscription)
   */
  dashboardChannels?: string[];
}

/** More would be more subscriptions than one dashboard connection may hold (`GATEWAY_MAX_SUBSCRIPTIONS`). */
const MAX_DASHBOARD_CHANNELS = 50;

/** `GATEWAY_DASHBOARD_CHANNELS`, each a channel the gateway could serve, at most MAX_DASHBOARD_CHANNELS, no repeats. */
function dashboardChannelsFromEnv(env: NodeJS.ProcessEnv): string[] {
  const channels = [...new Set(listFromEnv('GATEWAY_DASHBOARD_CHANNELS', env))];
  for (const channel of channels) {
    try {
      parseChannel(channel);
    } catch (err) {
      throw new ConfigurationError(
        'GATEWAY_DASHBOARD_CHANNELS',
        `GATEWAY_DASHBOARD_CHANNELS: ${(err as Error).message}; list channels as events:{source.type}:{source.id}, comma-separated (e.g. events:order:o-1001,events:user:octocat).`,
      );
    }
  }
  if (channels.length > MAX_DASHBOARD_CHANNELS) {
    throw new ConfigurationError(
      'GATEWAY_DASHBOARD_CHANNELS',
      `GATEWAY_DASHBOARD_CHANNELS lists ${channels.length} channels: list at most ${MAX_DASHBOARD_CHANNELS} (the dashboard subscribes to each).`,
    );
  }
  return channels;
}

/** The Server-Sent Events endpoint `GET /sse` (docs/sse.md). */
export interface GatewaySseConfig {
  /** `GATEWAY_SSE_MAX_CHANNELS`: channels one stream may name. @default 16 */
  maxChannels: number;
  /** `GATEWAY_SSE_MAX_STREAMS_PER_PRINCIPAL`: streams one token subject may hold open on this instance. @default 8 */
  maxStreamsPerPrincipal: number;
  /** `GATEWAY_SSE_HEARTBEAT_MS`: interval of the `: ping` comments on an idle stream; 0: none. @default 15000 */
  heartbeatMs: number;
  /** `GATEWAY_SSE_RETRY_MS`: the `retry:` hint (how long `EventSource` waits before it reconnects). @default 2000 */
  retryMs: number;
}

/** The one place the SSE defaults live: the environment parser and configs built in code both use them. */
export const SSE_DEFAULTS: Readonly<GatewaySseConfig> = {
  maxChannels: 16,
  maxStreamsPerPrincipal: 8,
  heartbeatMs: 15_000,
  retryMs: 2_000,
};

/** Lifetime of a dev token (`GATEWAY_DEV_TOKEN_TTL_S`), and the shortest one accepted. */
export const DEV_TOKEN_TTL_S = 3600;
const MIN_DEV_TOKEN_TTL_S = 2;

export const GATEWAY_CONFIG = Symbol('gateway:config');

/** Reads `GATEWAY_*` (`GATEWAY_SSE_*` included) and `AUTH_JWT_*` plus the shared `KAFKA_BROKERS`, `REDIS_URL`, `CHANNEL_PREFIX`, `TOPIC_PREFIX`. */
export function gatewayConfigFromEnv(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const devTokens = flagFromEnv('GATEWAY_DEV_TOKENS', env);
  if (devTokens && isProduction(env)) {
    throw new ConfigurationError(
      'GATEWAY_DEV_TOKENS',
      'NODE_ENV=production and GATEWAY_DEV_TOKENS=1: GET /dev/token would hand an all-access token to anyone; set GATEWAY_DEV_TOKENS=0 and issue tokens signed with AUTH_JWT_SECRET.',
    );
  }
  const devTokenTtlSeconds = intFromEnv('GATEWAY_DEV_TOKEN_TTL_S', DEV_TOKEN_TTL_S, env);
  if (devTokenTtlSeconds < MIN_DEV_TOKEN_TTL_S) {
    throw new ConfigurationError(
      'GATEWAY_DEV_TOKEN_TTL_S',
      `GATEWAY_DEV_TOKEN_TTL_S must be at least ${MIN_DEV_TOKEN_TTL_S} (got ${devTokenTtlSeconds}): a shorter token expires before the dashboard can use it.`,
    );
  }
  const auth = readAuthEnv(env, devTokens ? () => randomBytes(32).toString('hex') : undefined);
  for (const warning of auth.warnings) new Logger('Gateway').warn(warning);
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
    jwtSecret: auth.config.secret,
    ...(auth.config.audience && { jwtAudience: auth.config.audience }),
    ...(auth.config.issuer && { jwtIssuer: auth.config.issuer }),
    devTokens,
    devTokenTtlSeconds,
    dashboardChannels: dashboardChannelsFromEnv(env),
    sse: {
      maxChannels: intFromEnv('GATEWAY_SSE_MAX_CHANNELS', SSE_DEFAULTS.maxChannels, env),
      maxStreamsPerPrincipal: intFromEnv(
        'GATEWAY_SSE_MAX_STREAMS_PER_PRINCIPAL',
        SSE_DEFAULTS.maxStreamsPerPrincipal,
        env,
      ),
      heartbeatMs: intFromEnv('GATEWAY_SSE_HEARTBEAT_MS', SSE_DEFAULTS.heartbeatMs, env),
      retryMs: intFromEnv('GATEWAY_SSE_RETRY_MS', SSE_DEFAULTS.retryMs, env),
    },
  };
}
