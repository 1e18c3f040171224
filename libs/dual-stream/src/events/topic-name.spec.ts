import { TOPIC_NAME_MAX_LENGTH, validateTopicName } from './topic-name.js';

describe('validateTopicName', () => {
  it('accepts 1-249 characters of [a-zA-Z0-9._-]', () => {
    for (const name of ['a', 'events.order', 'Events_order-1.dlq', '...', 'x'.repeat(TOPIC_NAME_MAX_LENGTH)]) {
      expect(validateTopicName(name)).toBeUndefined();
    }
  });

  it('refuses what Kafka refuses, saying why', () => {
    expect(validateTopicName('')).toBe('must not be empty');
    expect(validateTopicName('x'.repeat(250))).toBe('must be at most 249 characters (got 250)');
    expect(validateTopicName('.')).toBe('must not be "." or ".."');
    expect(validateTopicName('..')).toBe('must not be "." or ".."');
    expect(validateTopicName('events order')).toBe('must contain only [a-zA-Z0-9._-] (found " " at 6)');
    expect(validateTopicName('events:order')).toBe('must contain only [a-zA-Z0-9._-] (found ":" at 6)');
    expect(validateTopicName('évents')).toBe('must contain only [a-zA-Z0-9._-] (found "é" at 0)');
    expect(validateTopicName(42)).toBe('must be a string');
    expect(validateTopicName(undefined)).toBe('must be a string');
  });
});
