import { InvalidSseCursorError } from '../../errors/invalid-sse-cursor.error.js';
import { SseStreamRefusedError } from '../../errors/sse-stream-refused.error.js';
import { encodeSseCursor, encodeSseCursorSegment, parseSseCursor, type SseCursorEntry } from './sse-cursor.js';
import { SseCursorState } from './sse-cursor-state.js';
import { sseData, sseMessage } from './sse-frame.js';
import { planSseStream } from './sse-stream-plan.js';

const NOW = 1_800_000_000_000;
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
/** What `fn` threw, checked to be a `type`. */
function thrown<E extends Error>(fn: () => unknown, type: new (...args: never[]) => E): E {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(type);
    return err as E;
  }
  throw new Error(`expected ${type.name}`);
}
const refusal = (fn: () => unknown): string => thrown(fn, InvalidSseCursorError).reason;

describe('SSE cursor codec', () => {
  const entries: SseCursorEntry[] = [
    { channel: 'events:order:o-1', partition: 2, offset: '41' },
    { channel: 'events:user:élodie', since: NOW - 5000 },
    { channel: 'events:order:big', partition: 0, offset: '9223372036854775807' },
  ];

  it('round-trips every channel of a stream, positions and start times, in order', () => {
    const text = encodeSseCursor(entries);
    expect(text).toMatch(/^1(\.[A-Za-z0-9_-]+){3}$/);
    expect(parseSseCursor(text, NOW)).toEqual(entries);
  });

  it('the running state re-encodes only what moved and equals a fresh encoding', () => {
    const state = new SseCursorState(entries);
    const before = state.toString();
    expect(before).toBe(encodeSseCursor(entries));
    state.advance(
      'events:user:élodie',
      encodeSseCursorSegment({ channel: 'events:user:élodie', partition: 1, offset: '7' }),
    );
    state.advance(
      'events:not:in-stream',
      encodeSseCursorSegment({ channel: 'events:not:in-stream', partition: 1, offset: '7' }),
    );
    const moved = [entries[0]!, { channel: 'events:user:élodie', partition: 1, offset: '7' }, entries[2]!];
    expect(state.toString()).toBe(encodeSseCursor(moved));
    expect(parseSseCursor(state.toString(), NOW)).toEqual(moved);
  });

  it('refuses, with the typed error, everything it could not have written', () => {
    const seg = (plain: string) => `1.${b64(plain)}`;
    expect(refusal(() => parseSseCursor(42))).toBe('must be a string');
    expect(refusal(() => parseSseCursor(''))).toBe('is empty');
    expect(refusal(() => parseSseCursor('x'.repeat(40_000)))).toMatch(/longer than/);
    expect(refusal(() => parseSseCursor('2.abc'))).toMatch(/version 2 is not supported/);
    expect(refusal(() => parseSseCursor('hello'))).toBe('not a stream cursor');
    expect(refusal(() => parseSseCursor('1.'))).toMatch(/not base64url/);
    expect(refusal(() => parseSseCursor('1'))).toBe('names no channel');
    expect(refusal(() => parseSseCursor(`1.${b64('events:o:1\n0:1')}=`))).toMatch(/not base64url/);
    // Same bytes, other trailing bits: not the canonical spelling.
    expect(refusal(() => parseSseCursor('1.ZXZlbnRzOm86MQo0OjF'))).toMatch(/not canonical/);
    expect(refusal(() => parseSseCursor(`1.${Buffer.from([0xff, 0xfe]).toString('base64url')}`))).toMatch(/UTF-8/);
    expect(refusal(() => parseSseCursor(seg('events:o:1')))).toMatch(/no position/);
    expect(refusal(() => parseSseCursor(seg('events:o:*\n0:1')))).toMatch(/invalid channel/);
    expect(refusal(() => parseSseCursor(seg('nope\n0:1')))).toMatch(/invalid channel/);
    expect(refusal(() => parseSseCursor(seg('events:o:1\n-1:1')))).toMatch(/no valid position/);
    expect(refusal(() => parseSseCursor(seg('events:o:1\n0:01')))).toMatch(/no valid position/);
    expect(refusal(() => parseSseCursor(seg('events:o:1\n0:9223372036854775808')))).toMatch(/offset out of range/);
    expect(refusal(() => parseSseCursor(seg('events:o:1\n2147483648:1')))).toMatch(/partition out of range/);
    expect(refusal(() => parseSseCursor(seg(`events:o:1\n@${NOW + 3_600_000}`), NOW))).toMatch(/future/);
    const twice = `${seg('events:o:1\n0:1')}.${b64('events:o:1\n0:2')}`;
    expect(refusal(() => parseSseCursor(twice))).toMatch(/second time/);
    expect(refusal(() => parseSseCursor(`1${'.QQ'.repeat(300)}`))).toMatch(/more than 256/);
  });
});

describe('SSE framing', () => {
  it('one data line for one-line JSON; a line break in raw JSON becomes another data line, never a new field', () => {
    expect(sseMessage('event', '{"a":1}')).toBe('event: event\ndata: {"a":1}\n\n');
    expect(sseData('{"a":1,\r\n"b":\r2,\n"c":3}')).toBe('data: {"a":1,\ndata: "b":\ndata: 2,\ndata: "c":3}\n');
  });
});

describe('SSE stream plan', () => {
  const plan = (channels: unknown[], cursor?: string, maxChannels = 4) =>
    planSseStream({ channels, cursor, maxChannels }, NOW);
  const kind = (fn: () => unknown) => thrown(fn, SseStreamRefusedError).kind;

  it('starts channels the cursor does not name live from now, and resumes the ones it names', () => {
    const cursor = encodeSseCursor([{ channel: 'events:o:2', partition: 1, offset: '9' }]);
    expect(plan(['events:o:1', 'events:o:2'], cursor).channels).toEqual([
      {
        channel: 'events:o:1',
        source: { type: 'o', id: '1' },
        at: { channel: 'events:o:1', since: NOW },
        resume: false,
      },
      {
        channel: 'events:o:2',
        source: { type: 'o', id: '2' },
        at: { channel: 'events:o:2', partition: 1, offset: '9' },
        resume: true,
      },
    ]);
  });

  it('refuses bad channel lists and a cursor naming a channel the request does not ask for', () => {
    expect(kind(() => plan([]))).toBe('invalid-channel');
    expect(kind(() => plan(['events:o:*']))).toBe('invalid-channel');
    expect(kind(() => plan(['events:o:[ab]']))).toBe('invalid-channel');
    expect(kind(() => plan(['events:o:1', 'events:o:1']))).toBe('invalid-channel');
    expect(kind(() => plan(['a', 'b', 'c', 'd', 'e']))).toBe('too-many-channels');
    expect(kind(() => plan(['events:o:1'], 'garbage'))).toBe('invalid-cursor');
    const other = encodeSseCursor([{ channel: 'events:o:2', partition: 0, offset: '1' }]);
    expect(kind(() => plan(['events:o:1'], other))).toBe('invalid-cursor');
  });
});
