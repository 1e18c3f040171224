import { InvalidChannelError } from '../errors/invalid-channel.error.js';
import { parseChannel } from './channel-parser.js';

const refusal = (channel: unknown) => {
  try {
    parseChannel(channel);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidChannelError);
    return err as InvalidChannelError;
  }
  throw new Error('expected InvalidChannelError');
};

describe('parseChannel', () => {
  it('parses events:{type}:{id} into its source; the id may hold colons', () => {
    expect(parseChannel('events:order:o-1')).toEqual({ type: 'order', id: 'o-1' });
    expect(parseChannel('events:order:eu:o-1')).toEqual({ type: 'order', id: 'eu:o-1' });
  });

  it.each([
    ['a 10,000-deep array', Array.from({ length: 10_000 }).reduce<unknown[]>((inner) => [inner], [])],
    ['an object without a prototype', Object.create(null) as object],
    [
      'an object whose toString throws',
      {
        toString: () => {
          throw new Error('boom');
        },
      },
    ],
    ['a number', 42],
    ['null', null],
  ])('refuses %s with InvalidChannelError naming its type, without turning it into a string', (_label, value) => {
    const err = refusal(value);
    expect(err.reason).toBe('must be a string');
    expect(err.channel).toMatch(/^\((array|object|number|null)\)$/);
  });

  it('refuses a channel with a lone surrogate: Redis would get U+FFFD, the channel of another source', () => {
    expect(refusal('events:order:o-\ud800').reason).toMatch(/lone surrogates.*found U\+d800 at 2/);
    expect(parseChannel('events:order:o-\ufffd')).toEqual({ type: 'order', id: 'o-\ufffd' });
  });
});
