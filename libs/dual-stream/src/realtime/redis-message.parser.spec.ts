import { testNotification } from '../../../../test/support/fake-realtime.js';
import { RedisMessageParser, type RedisMessageParse } from './redis-message.parser.js';

const parser = new RedisMessageParser('app:', (source) => `events.${source.type}`);
const channel = 'app:events:order:o-1';
const note = testNotification(41, {
  id: 'e-1',
  type: 'order.created',
  source: { type: 'order', id: 'o-1' },
  topic: 'events.order',
  partition: 3,
});
const gap = {
  kind: 'gap',
  channel,
  topic: 'events.order',
  partition: 3,
  fromOffset: '40',
  toOffset: '42',
  skipped: 2,
};
const problemOf = (result: RedisMessageParse) => (result.kind === 'malformed' ? result.problem : undefined);
const parse = (value: unknown, at = channel) =>
  parser.parse(typeof value === 'string' ? value : JSON.stringify(value), at);

describe('RedisMessageParser', () => {
  it('accepts a notification and a per-channel gap marker, with offsets as bigint; unknown fields are ignored', () => {
    expect(parse({ ...note, extra: 1 })).toEqual({ kind: 'event', event: { ...note, extra: 1 }, offset: 41n });
    const { kind: _kind, ...withoutKind } = note;
    expect(parse(withoutKind)).toMatchObject({ kind: 'event', offset: 41n });
    expect(parse(gap)).toEqual({ kind: 'gap', gap, fromOffset: 40n, toOffset: 42n });
    expect(parse({ ...note, offset: '9223372036854775807' })).toMatchObject({ offset: 2n ** 63n - 1n });
  });

  it('accepts range markers on the range-gap channel only, for any topic', () => {
    const range = { ...gap, channel: 'app:events:gaps', topic: 'events.user' };
    expect(parse(range, 'app:events:gaps')).toMatchObject({ kind: 'gap', fromOffset: 40n });
    expect(problemOf(parse(note, 'app:events:gaps'))).toMatch(/only gap markers/);
  });

  it.each([
    ['not JSON', 'nope', /not JSON/],
    ['an array', '[1]', /not a JSON object/],
    ['null', 'null', /not a JSON object/],
    ['a number offset', { ...note, offset: 41 }, /offset/],
    ['a leading zero', { ...note, offset: '041' }, /offset/],
    ['a negative offset', { ...note, offset: '-1' }, /offset/],
    ['an offset past int64', { ...note, offset: '9223372036854775808' }, /offset/],
    ['a negative partition', { ...note, partition: -1 }, /partition/],
    ['a fractional partition', { ...note, partition: 0.5 }, /partition/],
    ['a string partition', { ...note, partition: '3' }, /partition/],
    ['another source', { ...note, source: { type: 'order', id: 'o-2' } }, /source/],
    ['a bad source id', { ...note, source: { type: 'order', id: 'o*' } }, /source/],
    ['another topic', { ...note, topic: 'events.user' }, /topic/],
    ['no topic name', { ...note, topic: '../x' }, /topic/],
    ['a bad id', { ...note, id: 'a b' }, /id/],
    ['a bad type', { ...note, type: 'Bad' }, /type/],
    ['a bad time', { ...note, time: 'yesterday' }, /time/],
    ['a time the publisher refuses (day 41)', { ...note, time: '1970-01-41T00:00:00+00:00' }, /time/],
    ['a time the publisher refuses (month 13)', { ...note, time: '2026-13-01T00:00:00Z' }, /time/],
    ['an unknown kind', { ...note, kind: 'other' }, /kind/],
    ['a gap with fromOffset x', { ...gap, fromOffset: 'x' }, /fromOffset/],
    ['a gap from after to', { ...gap, fromOffset: '43' }, /after/],
    ['a gap naming another channel', { ...gap, channel: 'app:events:order:o-2' }, /channel/],
    ['a gap with a bad skipped', { ...gap, skipped: -1 }, /skipped/],
    ['a gap of another topic', { ...gap, topic: 'events.user' }, /topic/],
  ])('refuses %s', (_label, value, problem) => expect(problemOf(parse(value))).toMatch(problem));

  it('refuses anything on channels that are not source channels of the prefix', () => {
    expect(problemOf(parse(note, 'other:events:order:o-1'))).toMatch(/prefix/);
    expect(problemOf(parse(note, 'app:events:order'))).toMatch(/not a source channel/);
  });

  it('drops a payload on a refused route for the route`s own reason (a cached route is not a channel name)', () => {
    const route = parser.route('other:events:order:o-1');
    expect(route).toEqual({
      kind: 'refused',
      redisChannel: 'other:events:order:o-1',
      problem: 'channel outside the configured prefix',
    });
    expect(parser.parse(JSON.stringify(note), route)).toEqual({
      kind: 'malformed',
      problem: 'channel outside the configured prefix',
    });
  });

  it('skips the topic check without a topic resolver (handler apps need not share the publisher`s)', () => {
    const lenient = new RedisMessageParser('app:');
    expect(lenient.parse(JSON.stringify({ ...note, topic: 't' }), channel)).toMatchObject({ kind: 'event' });
  });
});
