import { escapeRedisGlob, globMatches, MAX_PATTERN_GLOBS, validatePattern } from './channel-names.js';

/** What Redis' PSUBSCRIBE matching does for a pattern whose only metacharacter is `*`. */
const redisMatches = (pattern: string, channel: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'))
      .join('.*')}$`,
    's',
  ).test(channel);

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
    expect(globMatches('events:*:vip-*', 'events:order:vip-*')).toBe(true);
    expect(globMatches('events:*:vip-*', 'events:*')).toBe(false);
  });

  it('matches channels exactly as Redis matches the same pattern (claims mean what PSUBSCRIBE would do)', () => {
    const patterns = ['events:*', 'events:order:*', 'events:*:vip-*', 'events:or*', 'events:order:o-1', 'events:*:x'];
    const channels = ['events:order:o-1', 'events:order:vip-7', 'events:or:x', 'events:a:b:x', 'events:gaps', 'x'];
    for (const pattern of patterns) {
      expect(validatePattern(pattern)).toBe(pattern);
      for (const channel of channels) {
        expect([pattern, channel, globMatches(pattern, channel)]).toEqual([
          pattern,
          channel,
          redisMatches(pattern, channel),
        ]);
      }
    }
  });
});

describe('validatePattern / escapeRedisGlob', () => {
  it('refuses a pattern that is not a string by its type, without turning it into one', () => {
    const deep = Array.from({ length: 10_000 }).reduce<unknown[]>((inner) => [inner], []);
    for (const [value, type] of [
      [deep, '(array)'],
      [Object.create(null), '(object)'],
      [7, '(number)'],
    ] as const) {
      expect(() => validatePattern(value)).toThrow(
        expect.objectContaining({ channel: type, reason: 'must be a string', kind: 'pattern' }),
      );
    }
  });

  it('accepts a trailing * per segment and refuses the rest', () => {
    for (const good of ['events:order:*', 'events:*', 'events:*:vip-*', 'events:order:o-1', 'events:a.b_c-d*']) {
      expect(validatePattern(good)).toBe(good);
    }
    for (const bad of [
      'order:*',
      'events:',
      'events::*',
      'events:order:?',
      'events:[ab]:*',
      'events:a\\*',
      'events: *',
      'events:*a',
      'events:a*b',
      'events:**',
      `events:${'*:'.repeat(MAX_PATTERN_GLOBS)}*`,
      `events:${'*a'.repeat(100)}`,
      'x'.repeat(300),
      7,
    ]) {
      expect(() => validatePattern(bad)).toThrow(/Invalid pattern/);
    }
  });

  it('escapes a prefix so PSUBSCRIBE matches it literally', () => {
    expect(escapeRedisGlob('app[1]*?:')).toBe('app\\[1\\]\\*\\?:');
  });
});
