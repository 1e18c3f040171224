import { infraFromEnv, kafkaBrokersFromEnv, localRedisUrl, redactUrl, redisUrlFromEnv } from './infra-env.mjs';

describe('infra-env', () => {
  it('reads KAFKA_BROKERS as a trimmed list, undefined when it names none', () => {
    expect(kafkaBrokersFromEnv({ KAFKA_BROKERS: ' a:1, b:2 ,' })).toEqual(['a:1', 'b:2']);
    expect(kafkaBrokersFromEnv({ KAFKA_BROKERS: ' , ' })).toBeUndefined();
    expect(kafkaBrokersFromEnv({})).toBeUndefined();
  });

  it('reads REDIS_URL, undefined when empty', () => {
    expect(redisUrlFromEnv({ REDIS_URL: 'redis://r:6380' })).toBe('redis://r:6380');
    expect(redisUrlFromEnv({ REDIS_URL: '' })).toBeUndefined();
  });

  it('falls back to this machine, on KAFKA_PORT / REDIS_PORT when set', () => {
    expect(infraFromEnv({})).toEqual({ kafkaBrokers: ['127.0.0.1:9092'], redisUrl: 'redis://127.0.0.1:6379' });
    expect(infraFromEnv({ KAFKA_PORT: '19092', REDIS_PORT: '16379' })).toEqual({
      kafkaBrokers: ['127.0.0.1:19092'],
      redisUrl: 'redis://127.0.0.1:16379',
    });
    expect(infraFromEnv({ KAFKA_BROKERS: 'k:1', REDIS_URL: 'redis://r:2', KAFKA_PORT: '3' })).toEqual({
      kafkaBrokers: ['k:1'],
      redisUrl: 'redis://r:2',
    });
    expect(localRedisUrl({})).toBe('redis://127.0.0.1:6379');
  });

  it('masks a password in a URL and never echoes an unparseable one', () => {
    expect(redactUrl('redis://:secret@host:6379/0')).toBe('redis://:***@host:6379/0');
    expect(redactUrl('redis://user:secret@host:6379')).toBe('redis://user:***@host:6379');
    expect(redactUrl('redis://host:6379')).toBe('redis://host:6379');
    expect(redactUrl('secret garbage')).toBe('<unparseable url>');
  });
});
