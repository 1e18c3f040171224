import { ConfigurationError } from '../errors/configuration.error.js';
import { readAuthEnv } from './auth-env.parser.js';

const SECRET = 'a-real-secret-of-forty-characters-000000';

describe('readAuthEnv', () => {
  it('reads the shared names, and the gateway’s older names', () => {
    expect(readAuthEnv({ AUTH_JWT_SECRET: SECRET })).toEqual({ config: { secret: SECRET }, warnings: [] });
    expect(
      readAuthEnv({ GATEWAY_JWT_SECRET: SECRET, GATEWAY_JWT_AUDIENCE: 'dashboards', GATEWAY_JWT_ISSUER: 'idp' }).config,
    ).toEqual({ secret: SECRET, audience: 'dashboards', issuer: 'idp' });
    expect(readAuthEnv({ AUTH_JWT_SECRET: SECRET, AUTH_JWT_AUDIENCE: 'a', AUTH_JWT_ISSUER: 'i' }).config).toEqual({
      secret: SECRET,
      audience: 'a',
      issuer: 'i',
    });
  });

  it('refuses a missing or short secret, saying how to make one', () => {
    expect(() => readAuthEnv({})).toThrow(/AUTH_JWT_SECRET is not set: .*openssl rand -hex 32/);
    expect(() => readAuthEnv({ AUTH_JWT_SECRET: 'short' })).toThrow(/shorter than 32 characters/);
    expect(() => readAuthEnv({ AUTH_JWT_SECRET: SECRET, GATEWAY_JWT_SECRET: `${SECRET}x` })).toThrow(
      ConfigurationError,
    );
  });

  it('uses a random secret only for dev tokens outside production', () => {
    const dev = readAuthEnv({}, () => 'r'.repeat(64));
    expect(dev.config.secret).toBe('r'.repeat(64));
    expect(dev.warnings).toEqual([expect.stringContaining('random secret')]);
    expect(() => readAuthEnv({ NODE_ENV: 'production' }, () => 'r'.repeat(64))).toThrow(/AUTH_JWT_SECRET is not set/);
  });

  it('refuses a published placeholder in production and warns about it elsewhere, never echoing it', () => {
    const placeholder = 'change-me-change-me-change-me-0123456789';
    let thrown: unknown;
    try {
      readAuthEnv({ NODE_ENV: 'production', GATEWAY_JWT_SECRET: placeholder });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    expect((thrown as ConfigurationError).variable).toBe('AUTH_JWT_SECRET');
    expect((thrown as Error).message).toMatch(/NODE_ENV=production.*placeholder/);
    expect((thrown as Error).message).not.toContain(placeholder);
    const dev = readAuthEnv({ AUTH_JWT_SECRET: placeholder });
    expect(dev.warnings).toEqual([expect.stringContaining('placeholder')]);
    expect(() =>
      readAuthEnv({ NODE_ENV: 'production', AUTH_JWT_SECRET: 'please-changeme-now-0000000000000000' }),
    ).toThrow(/placeholder/);
  });
});
