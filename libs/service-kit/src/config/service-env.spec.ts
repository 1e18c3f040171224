import { dualStreamOptionsFromEnv, intFromEnv, readServiceEnv, redactUrl, topicFor } from './service-env.js';

describe('service environment', () => {
  it('reads the shared names with defaults', () => {
    expect(readServiceEnv('ingester', {})).toEqual({
      kafkaBrokers: ['127.0.0.1:9092'],
      redisUrl: 'redis://127.0.0.1:6379',
      channelPrefix: '',
      topicPrefix: '',
      clientId: 'dual-stream-ingester',
    });
    const env = {
      KAFKA_BROKERS: ' a:1, b:2 ,',
      REDIS_URL: 'redis://r:6380',
      CHANNEL_PREFIX: 'p:',
      TOPIC_PREFIX: 't-',
      KAFKA_CLIENT_ID: 'x',
    };
    expect(readServiceEnv('gateway', env)).toEqual({
      kafkaBrokers: ['a:1', 'b:2'],
      redisUrl: 'redis://r:6380',
      channelPrefix: 'p:',
      topicPrefix: 't-',
      clientId: 'x',
    });
    expect(readServiceEnv('consumer', { REALTIME_ENABLED: 'false' }).redisUrl).toBe(false);
  });

  it('builds module options whose topic honours TOPIC_PREFIX', () => {
    const options = dualStreamOptionsFromEnv(
      'ingester',
      {},
      { TOPIC_PREFIX: 'e2e-', CHANNEL_PREFIX: 'c:', DURABLE_TIMEOUT_MS: '3000' },
    );
    expect(options.kafka.topic!({ type: 'a', source: { type: 'order', id: '1' }, data: null })).toBe(
      'e2e-events.order',
    );
    expect(topicFor({ topicPrefix: 'e2e-' }, 'order')).toBe('e2e-events.order');
    expect(options.redis).toEqual({ url: 'redis://127.0.0.1:6379', channelPrefix: 'c:' });
    expect(options.durable).toEqual({ timeoutMs: 3000 });
    expect(dualStreamOptionsFromEnv('consumer', {}, { REALTIME_ENABLED: 'off' }).redis).toBe(false);
  });

  it('refuses a malformed number with the variable name', () => {
    expect(intFromEnv('X', 5, {})).toBe(5);
    expect(intFromEnv('X', 5, { X: '7' })).toBe(7);
    expect(() => intFromEnv('INGESTER_MAX_BATCH', 5, { INGESTER_MAX_BATCH: 'lots' })).toThrow(/INGESTER_MAX_BATCH/);
  });

  it('masks passwords in URLs it logs', () => {
    expect(redactUrl('redis://:secret@host:6379/0')).not.toContain('secret');
    expect(redactUrl('redis://host:6379')).toBe('redis://host:6379');
  });
});
