import { ConfigurationError } from '../errors/configuration.error.js';
import { flagFromEnv, intFromEnv, isProduction, listFromEnv, stringFromEnv } from './env-values.js';
import { dualStreamOptionsFromEnv, readServiceEnv, redactUrl, sourceTopics, topicFor } from './service-env.js';
import { readSourceTypes } from './source-types.parser.js';

describe('service environment', () => {
  it('reads the shared names with defaults', () => {
    expect(readServiceEnv('ingester', {})).toEqual({
      kafkaBrokers: ['127.0.0.1:9092'],
      redisUrl: 'redis://127.0.0.1:6379',
      redisClusterNodes: undefined,
      channelPrefix: '',
      topicPrefix: '',
      clientId: 'dual-stream-ingester',
      kafkaDriver: 'kafkajs',
      sourceTypes: ['order', 'user', 'sensor'],
      topicPartitions: 3,
      topicReplicationFactor: -1,
    });
    const env = {
      KAFKA_BROKERS: ' a:1, b:2 ,',
      REDIS_URL: 'redis://r:6380',
      CHANNEL_PREFIX: 'p:',
      TOPIC_PREFIX: 't-',
      KAFKA_CLIENT_ID: 'x',
      KAFKA_DRIVER: 'platformatic',
      SOURCE_TYPES: 'order, invoice',
      KAFKA_TOPIC_PARTITIONS: '6',
      KAFKA_TOPIC_REPLICATION: '3',
    };
    expect(readServiceEnv('gateway', env)).toEqual({
      kafkaBrokers: ['a:1', 'b:2'],
      redisUrl: 'redis://r:6380',
      redisClusterNodes: undefined,
      channelPrefix: 'p:',
      topicPrefix: 't-',
      clientId: 'x',
      kafkaDriver: 'platformatic',
      sourceTypes: ['order', 'invoice'],
      topicPartitions: 6,
      topicReplicationFactor: 3,
    });
    expect(sourceTopics(readServiceEnv('gateway', env))).toEqual(['t-events.order', 't-events.invoice']);
    expect(readServiceEnv('consumer', { REALTIME_ENABLED: 'false' }).redisUrl).toBe(false);
    expect(dualStreamOptionsFromEnv('gateway', {}, env).kafka.driver).toBe('platformatic');
    expect(() => readServiceEnv('gateway', { KAFKA_DRIVER: 'rdkafka' })).toThrow(
      /KAFKA_DRIVER must be kafkajs or platformatic/,
    );
  });

  it('reads a Redis Cluster from REDIS_CLUSTER_NODES and switches the module to sharded Pub/Sub', () => {
    const env = { REDIS_CLUSTER_NODES: ' 10.0.0.1:7000, [::1]:7001 ,', CHANNEL_PREFIX: 'p:' };
    const nodes = [
      { host: '10.0.0.1', port: 7000 },
      { host: '::1', port: 7001 },
    ];
    expect(readServiceEnv('gateway', env).redisClusterNodes).toEqual(nodes);
    expect(dualStreamOptionsFromEnv('gateway', {}, env).redis).toEqual({ cluster: { nodes }, channelPrefix: 'p:' });
    expect(readServiceEnv('gateway', { ...env, REALTIME_ENABLED: 'false' }).redisClusterNodes).toBeUndefined();
    for (const bad of ['10.0.0.1', ':7000', 'h:0', 'h:70000', 'h:x']) {
      expect(() => readServiceEnv('gateway', { REDIS_CLUSTER_NODES: bad })).toThrow(
        /REDIS_CLUSTER_NODES must be comma-separated host:port entries/,
      );
    }
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
    expect(() => intFromEnv('X', 5, { X: '-2' })).toThrow(ConfigurationError);
  });

  it('reads flags, lists and production mode one way', () => {
    for (const on of ['1', 'true', 'YES', ' on ']) expect(flagFromEnv('F', { F: on })).toBe(true);
    for (const off of ['0', 'false', 'nope', '']) expect(flagFromEnv('F', { F: off })).toBe(false);
    expect(flagFromEnv('F', {})).toBe(false);
    expect(listFromEnv('L', { L: ' a, ,b ,' })).toEqual(['a', 'b']);
    expect(listFromEnv('L', {}, 'x,y')).toEqual(['x', 'y']);
    expect(isProduction({ NODE_ENV: 'Production' })).toBe(true);
    expect(isProduction({ NODE_ENV: 'development' })).toBe(false);
    expect(isProduction({})).toBe(false);
  });

  it('honours an older variable name, and refuses both names with different values', () => {
    expect(stringFromEnv({ NEW: 'a' }, 'NEW', 'OLD')).toBe('a');
    expect(stringFromEnv({ OLD: 'b' }, 'NEW', 'OLD')).toBe('b');
    expect(stringFromEnv({ NEW: 'c', OLD: 'c' }, 'NEW', 'OLD')).toBe('c');
    expect(stringFromEnv({}, 'NEW', 'OLD')).toBeUndefined();
    expect(() => stringFromEnv({ NEW: 'a', OLD: 'b' }, 'NEW', 'OLD')).toThrow(/NEW and OLD are both set.*set only NEW/);
  });

  it('reads SOURCE_TYPES once for every service, refusing invalid entries and the retired consumer-only name', () => {
    expect(readSourceTypes({})).toEqual(['order', 'user', 'sensor']);
    expect(readSourceTypes({ SOURCE_TYPES: 'a,b,a' })).toEqual(['a', 'b']);
    expect(() => readSourceTypes({ SOURCE_TYPES: 'Order' })).toThrow(/"Order" is not a valid source.type/);
    expect(() => readSourceTypes({ SOURCE_TYPES: 'a:b' })).toThrow(ConfigurationError);
    expect(() => readSourceTypes({ SOURCE_TYPES: ' , ' })).toThrow(/SOURCE_TYPES is empty/);
    expect(() => readSourceTypes({ CONSUMER_SOURCE_TYPES: 'order' })).toThrow(/renamed to SOURCE_TYPES/);
  });

  it('refuses topic settings the broker would refuse', () => {
    expect(readServiceEnv('x', { KAFKA_TOPIC_REPLICATION: '-1' }).topicReplicationFactor).toBe(-1);
    expect(() => readServiceEnv('x', { KAFKA_TOPIC_REPLICATION: '0' })).toThrow(/KAFKA_TOPIC_REPLICATION/);
    expect(() => readServiceEnv('x', { KAFKA_TOPIC_PARTITIONS: '0' })).toThrow(/KAFKA_TOPIC_PARTITIONS/);
  });

  it('masks passwords in URLs it logs', () => {
    expect(redactUrl('redis://:secret@host:6379/0')).not.toContain('secret');
    expect(redactUrl('redis://host:6379')).toBe('redis://host:6379');
  });
});
