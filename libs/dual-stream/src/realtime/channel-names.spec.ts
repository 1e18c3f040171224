import { escapeRedisGlob, globMatches, validatePattern } from './channel-names.js';
import { readFrom } from './subscribe-request.js';

describe('globMatches', () => {
  it.each([
    ['events:order:*', 'events:order:o-1', true],
    ['events:order:*', 'events:user:o-1', false],
    ['events:*', 'events:order:o-1', true],
    ['events:user:octocat', 'events:user:octocat', true],
    ['events:user:octocat', 'events:user:octocat2', false],
    ['events:*:vip-*', 'events:order:vip-7', true],
    ['events:*:vip-*', 'events:order:std-7', false],
    ['a*b', 'ab', true],
    ['a*ba', 'aba', true],
    ['a*ab', 'ab', false],
  ])('%s vs %s -> %s', (glob, text, expected) => expect(globMatches(glob, text)).toBe(expected));

  it('allows a pattern only when everything it matches lies inside the claim', () => {
    expect(globMatches('events:order:*', 'events:order:eu-*')).toBe(true);
    expect(globMatches('events:order:eu-*', 'events:order:*')).toBe(false);
  });
});

describe('validatePattern / escapeRedisGlob', () => {
  it('accepts * globs under events: and refuses the rest', () => {
    expect(validatePattern('events:order:*')).toBe('events:order:*');
    for (const bad of ['order:*', 'events:order:?', 'events:[ab]:*', 'events:a\\*', 'events: *', 'x'.repeat(300), 7]) {
      expect(() => validatePattern(bad)).toThrow(/Invalid channel/);
    }
  });

  it('escapes a prefix so PSUBSCRIBE matches it literally', () => {
    expect(escapeRedisGlob('app[1]*?:')).toBe('app\\[1\\]\\*\\?:');
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
    expect(() => readFrom('0', 'events.order')).toThrow(/from/);
  });
});
