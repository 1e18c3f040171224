import { readConsumerConfig } from './consumer.config.js';

const SECRET = 'consumer-unit-secret-0123456789abcdef-01';

describe('readConsumerConfig', () => {
  it('follows one topic per SOURCE_TYPES entry and verifies the gateway’s tokens', () => {
    const config = readConsumerConfig({ AUTH_JWT_SECRET: SECRET, TOPIC_PREFIX: 'p-', SOURCE_TYPES: 'order,invoice' });
    expect(config).toMatchObject({
      sourceTypes: ['order', 'invoice'],
      topics: ['p-events.order', 'p-events.invoice'],
      groupId: 'p-dual-stream-consumer-projection',
      auth: { secret: SECRET },
    });
  });

  it('needs the token secret, and refuses the retired CONSUMER_SOURCE_TYPES', () => {
    expect(() => readConsumerConfig({})).toThrow(/AUTH_JWT_SECRET is not set/);
    expect(() => readConsumerConfig({ AUTH_JWT_SECRET: SECRET, CONSUMER_SOURCE_TYPES: 'order' })).toThrow(
      /renamed to SOURCE_TYPES/,
    );
  });
});
