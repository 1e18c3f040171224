import { ConfigurationError } from '@app/service-kit';
import { gatewayConfigFromEnv, SSE_DEFAULTS } from './gateway.config.js';

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
