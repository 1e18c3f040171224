import { PATTERNS_NOT_SHARDED } from '../errors/pattern-not-sharded.error.js';
import { checkSubscribe, checkUnsubscribe, readFrom, type SubscribeRules } from './subscribe-request.js';

const RULES: SubscribeRules = { topicOf: (source) => `events.${source.type}`, sharded: false };
const FROM = { topic: 'events.order', partition: 1, offset: '4' };

describe('checkSubscribe', () => {
  it('reads a channel with its source, an optional position on its topic and conflate', () => {
    expect(checkSubscribe({ channel: 'events:order:o-1', from: FROM, conflate: true }, RULES)).toEqual({
      channel: 'events:order:o-1',
      source: { type: 'order', id: 'o-1' },
      from: FROM,
      conflate: true,
    });
    expect(checkSubscribe({ channel: 'events:order:o-1', conflate: 'yes' }, RULES)).toMatchObject({
      from: undefined,
      conflate: false,
    });
  });

  it('refuses a bad channel or position, echoing the channel only as a string of at most 300 characters', () => {
    expect(checkSubscribe({ channel: 'events:Order' }, RULES)).toEqual({
      channel: 'events:Order',
      error: expect.stringMatching(/Invalid channel/),
    });
    expect(checkSubscribe({ channel: 7 }, RULES)).toEqual({ error: expect.stringMatching(/string/) });
    const long = `events:o:${'x'.repeat(400)}`;
    expect(checkSubscribe({ channel: long }, RULES)).toMatchObject({ channel: long.slice(0, 300) });
    expect(checkSubscribe({ channel: 'events:user:u-1', from: FROM }, RULES)).toEqual({
      channel: 'events:user:u-1',
      error: '`from.topic` must be "events.user" for this channel',
    });
  });

  it('reads a pattern, live only and not on sharded Pub/Sub', () => {
    expect(checkSubscribe({ pattern: 'events:order:*', conflate: true }, RULES)).toEqual({
      pattern: 'events:order:*',
      conflate: true,
    });
    expect(checkSubscribe({ pattern: 'events:order:*', from: FROM }, RULES)).toEqual({
      pattern: 'events:order:*',
      error: 'patterns are live only: `from` is not supported',
    });
    expect(checkSubscribe({ pattern: 'events:order:*' }, { ...RULES, sharded: true })).toEqual({
      pattern: 'events:order:*',
      error: PATTERNS_NOT_SHARDED,
    });
    expect(checkSubscribe({ pattern: 'events:?' }, RULES)).toMatchObject({ error: expect.stringMatching(/pattern/) });
  });

  it('refuses a message with neither channel nor pattern, or no object at all', () => {
    for (const raw of [{}, null, 'events:order:o-1', 3]) {
      expect(checkSubscribe(raw, RULES)).toEqual({ error: 'subscribe needs a `channel` or a `pattern`' });
    }
  });
});

describe('checkUnsubscribe', () => {
  it('names the subscription by key and echoes what was asked', () => {
    expect(checkUnsubscribe({ channel: 'events:order:o-1' })).toEqual({
      key: 'c:events:order:o-1',
      target: { channel: 'events:order:o-1' },
    });
    expect(checkUnsubscribe({ pattern: 'events:*', channel: 'x' })).toEqual({
      key: 'p:events:*',
      target: { pattern: 'events:*' },
    });
    expect(checkUnsubscribe({ channel: 5 })).toEqual({ error: 'unsubscribe needs a `channel` or a `pattern`' });
  });
});

describe('readFrom', () => {
  it('accepts a position in the channel topic and refuses anything else', () => {
    expect(readFrom(undefined, 'events.order')).toBeUndefined();
    expect(readFrom({ topic: 'events.order', partition: 2, offset: '41' }, 'events.order')).toEqual({
      topic: 'events.order',
      partition: 2,
      offset: '41',
    });
    expect(readFrom({ topic: 'events.order', partition: 0, offset: 7 }, 'events.order')).toEqual({
      topic: 'events.order',
      partition: 0,
      offset: '7',
    });
    expect(() => readFrom({ topic: 'secrets', partition: 0, offset: '1' }, 'events.order')).toThrow(/from.topic/);
    expect(() => readFrom({ topic: 'events.order', partition: -1, offset: '1' }, 'events.order')).toThrow(/partition/);
    expect(() => readFrom({ topic: 'events.order', partition: 0, offset: '01' }, 'events.order')).toThrow(/offset/);
    expect(() =>
      readFrom({ topic: 'events.order', partition: 0, offset: '9223372036854775808' }, 'events.order'),
    ).toThrow(/offset/);
    expect(() => readFrom('0', 'events.order')).toThrow(/from/);
  });
});
