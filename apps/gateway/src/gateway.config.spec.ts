import { ConfigurationError } from '@app/service-kit';
import { DEV_TOKEN_TTL_S, gatewayConfigFromEnv, SSE_DEFAULTS } from './gateway.config.js';

const SECRET = 'gateway-unit-secret-0123456789abcdef-01';

describe('gatewayConfigFromEnv', () => {
  it('reads the shared token settings under either name', () => {
    expect(gatewayConfigFromEnv({ AUTH_JWT_SECRET: SECRET, AUTH_JWT_AUDIENCE: 'a' })).toMatchObject({
      jwtSecret: SECRET,
      jwtAudience: 'a',
      devTokens: false,
    });
    expect(gatewayConfigFromEnv({ GATEWAY_JWT_SECRET: SECRET, GATEWAY_JWT_ISSUER: 'i' })).toMatchObject({
      jwtSecret: SECRET,
      jwtIssuer: 'i',
    });
  });

  it('dev tokens: a random secret outside production, refused in production', () => {
    const dev = gatewayConfigFromEnv({ GATEWAY_DEV_TOKENS: '1' });
    expect(dev.devTokens).toBe(true);
    expect(dev.jwtSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(() =>
      gatewayConfigFromEnv({ NODE_ENV: 'production', GATEWAY_DEV_TOKENS: '1', AUTH_JWT_SECRET: SECRET }),
    ).toThrow(ConfigurationError);
    expect(() => gatewayConfigFromEnv({})).toThrow(/AUTH_JWT_SECRET is not set/);
  });

  it('dev token lifetime: an hour unless set, at least 2 s', () => {
    expect(gatewayConfigFromEnv({ GATEWAY_DEV_TOKENS: '1' }).devTokenTtlSeconds).toBe(DEV_TOKEN_TTL_S);
    expect(gatewayConfigFromEnv({ GATEWAY_DEV_TOKENS: '1', GATEWAY_DEV_TOKEN_TTL_S: '8' }).devTokenTtlSeconds).toBe(8);
    expect(() => gatewayConfigFromEnv({ GATEWAY_DEV_TOKENS: '1', GATEWAY_DEV_TOKEN_TTL_S: '1' })).toThrow(
      /GATEWAY_DEV_TOKEN_TTL_S must be at least 2/,
    );
  });

  it('dashboard channels: listed, deduplicated, each a valid channel', () => {
    const env = { AUTH_JWT_SECRET: SECRET };
    expect(gatewayConfigFromEnv(env).dashboardChannels).toEqual([]);
    expect(
      gatewayConfigFromEnv({
        ...env,
        GATEWAY_DASHBOARD_CHANNELS: ' events:order:o-1, events:user:u-2,events:order:o-1',
      }).dashboardChannels,
    ).toEqual(['events:order:o-1', 'events:user:u-2']);
    for (const bad of ['order:o-1', 'events:order', 'events:Order:o-1', 'events:order:*']) {
      expect(() => gatewayConfigFromEnv({ ...env, GATEWAY_DASHBOARD_CHANNELS: bad })).toThrow(
        /GATEWAY_DASHBOARD_CHANNELS: .*events:\{source.type\}:\{source.id\}/,
      );
    }
    const many = Array.from({ length: 51 }, (_, i) => `events:order:o-${i}`).join(',');
    expect(() => gatewayConfigFromEnv({ ...env, GATEWAY_DASHBOARD_CHANNELS: many })).toThrow(/at most 50/);
  });

  it('reads the SSE settings, with the defaults in one place', () => {
    expect(gatewayConfigFromEnv({ AUTH_JWT_SECRET: SECRET }).sse).toEqual(SSE_DEFAULTS);
    expect(
      gatewayConfigFromEnv({
        AUTH_JWT_SECRET: SECRET,
        GATEWAY_SSE_MAX_CHANNELS: '4',
        GATEWAY_SSE_MAX_STREAMS_PER_PRINCIPAL: '2',
        GATEWAY_SSE_HEARTBEAT_MS: '0',
        GATEWAY_SSE_RETRY_MS: '500',
      }).sse,
    ).toEqual({ maxChannels: 4, maxStreamsPerPrincipal: 2, heartbeatMs: 0, retryMs: 500 });
    expect(() => gatewayConfigFromEnv({ AUTH_JWT_SECRET: SECRET, GATEWAY_SSE_RETRY_MS: 'soon' })).toThrow(
      /GATEWAY_SSE_RETRY_MS must be a non-negative integer/,
    );
  });
});
