import { ConfigurationError } from '@app/service-kit';
import { gatewayConfigFromEnv } from './gateway.config.js';

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
});
