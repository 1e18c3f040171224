import { ConfigurationError } from '@app/service-kit';
import { readIngesterConfig } from './ingester.config.js';

describe('readIngesterConfig', () => {
  it('reads the defaults and the shared source types', () => {
    const config = readIngesterConfig({});
    expect(config).toMatchObject({
      apiKeys: [],
      allowAnonymous: false,
      sourceTypes: ['order', 'user', 'sensor'],
      bodyLimitBytes: 1153434,
      maxBatchEvents: 1000,
      retryAfterSeconds: 2,
      idempotencyTtlSeconds: 86_400,
      durableTimeoutMs: 10_000,
    });
    expect(
      readIngesterConfig({ INGESTER_API_KEYS: ' a, b ,', SOURCE_TYPES: 'x', DURABLE_TIMEOUT_MS: '3000' }),
    ).toMatchObject({
      apiKeys: ['a', 'b'],
      sourceTypes: ['x'],
      durableTimeoutMs: 3000,
    });
  });

  it('refuses to run open in production unless anonymous publishing is asked for', () => {
    expect(() => readIngesterConfig({ NODE_ENV: 'production' })).toThrow(ConfigurationError);
    expect(() => readIngesterConfig({ NODE_ENV: 'production' })).toThrow(
      /INGESTER_API_KEYS.*INGESTER_ALLOW_ANONYMOUS=1/,
    );
    expect(readIngesterConfig({ NODE_ENV: 'production', INGESTER_ALLOW_ANONYMOUS: '1' }).allowAnonymous).toBe(true);
    expect(readIngesterConfig({ NODE_ENV: 'production', INGESTER_API_KEYS: 'k' }).apiKeys).toEqual(['k']);
  });
});
