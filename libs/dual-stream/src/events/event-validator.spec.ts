import { InvalidEventError } from '../errors/invalid-event.error.js';
import { prepareBatch, prepareEvent } from './event-validator.js';

const valid = { type: 'order.created', source: { type: 'order', id: 'o-1' }, data: { total: 3 } };
const problemsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidEventError);
    return (err as InvalidEventError).problems;
  }
  throw new Error('expected InvalidEventError');
};

describe('prepareEvent', () => {
  it('fills id (UUIDv7), time and headers, and serializes the envelope', () => {
    const { event, json, bytes } = prepareEvent(valid, 1024);
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Date.parse(event.time)).not.toBeNaN();
    expect(event.headers).toEqual({});
    expect(JSON.parse(json)).toEqual(event);
    expect(bytes).toBe(Buffer.byteLength(json));
  });

  it('keeps a caller id and time', () => {
    const { event } = prepareEvent({ ...valid, id: 'evt-1', time: '2026-01-01T00:00:00Z' }, 1024);
    expect(event).toMatchObject({ id: 'evt-1', time: '2026-01-01T00:00:00Z' });
  });

  it.each([
    ['glob *', 'a*b'],
    ['glob ?', 'a?b'],
    ['glob [', 'a[b'],
    ['glob ]', 'a]b'],
    ['backslash', 'a\\b'],
    ['space', 'a b'],
    ['tab', 'a\tb'],
    ['newline', 'a\nb'],
    ['NUL', 'a\u0000b'],
    ['DEL', 'a\u007fb'],
    ['zero-width', 'a\u200bb'],
    ['lone surrogate', 'a\ud800b'],
    ['lone low surrogate', '\udc00'],
    ['empty', ''],
    ['too long', 'x'.repeat(257)],
  ])('rejects a source.id with %s', (_label, id) => {
    const problems = problemsOf(() => prepareEvent({ ...valid, source: { type: 'order', id } }, 1024));
    expect(problems).toEqual([expect.objectContaining({ path: 'source.id' })]);
  });

  it('accepts a 256-character printable id with unicode letters', () => {
    expect(() => prepareEvent({ ...valid, source: { type: 'order', id: 'é'.repeat(256) } }, 4096)).not.toThrow();
  });

  it('lists every problem at once', () => {
    const problems = problemsOf(() =>
      prepareEvent(
        { type: 'Bad Type', source: { type: 'Order', id: 'a*' }, time: 'yesterday', extra: 1 } as never,
        1024,
      ),
    );
    expect(problems.map((p) => p.path).sort()).toEqual(['data', 'extra', 'source.id', 'source.type', 'time', 'type']);
    expect(() => prepareEvent({} as never, 1)).toThrow(/problem/);
  });

  it('rejects reserved ce_ headers and non-string headers', () => {
    const problems = problemsOf(() => prepareEvent({ ...valid, headers: { ce_id: 'x', n: 1 as never } }, 1024));
    expect(problems.map((p) => p.path)).toEqual(['headers.ce_id', 'headers.n']);
  });

  it('refuses reserved ce_ header names in any case', () => {
    const headers = { CE_source: 'x', Ce_Id: 'y', cE_time: 'z', cex: 'fine', 'ce-id': 'fine', x_ce_: 'fine' };
    const problems = problemsOf(() => prepareEvent({ ...valid, headers }, 1024));
    expect(problems).toEqual(
      ['headers.CE_source', 'headers.Ce_Id', 'headers.cE_time'].map((path) =>
        expect.objectContaining({ path, message: 'ce_* headers (any case) are reserved for CloudEvents attributes' }),
      ),
    );
  });

  it.each([
    '2026-01-01T00:00:00Z',
    '2026-01-01T23:59:59.5Z',
    '2026-01-01T00:00:00.123456789+01:00',
    '2026-06-30T12:00:00-00:00',
    '2024-02-29T00:00:00Z',
    '2000-02-29T00:00:00+23:59',
    '0000-02-29T00:00:00Z',
  ])('accepts the RFC 3339 date-time %s and keeps it verbatim', (time) => {
    expect(prepareEvent({ ...valid, time }, 1024).event.time).toBe(time);
  });

  it.each([
    ['no seconds', '2026-01-01T00:00Z'],
    ['an offset without a colon', '2026-01-01T00:00:00+0100'],
    ['no offset', '2026-01-01T00:00:00'],
    ['a date only', '2026-01-01'],
    ['a space instead of T', '2026-01-01 00:00:00Z'],
    ['lower-case t', '2026-01-01t00:00:00Z'],
    ['ten fraction digits', '2026-01-01T00:00:00.1234567890Z'],
    ['an RFC 2822 date', 'Thu, 01 Jan 2026 00:00:00 GMT'],
    ['a number', 1767225600000],
  ])('refuses a time with %s', (_label, time) => {
    const problems = problemsOf(() => prepareEvent({ ...valid, time: time as string }, 1024));
    expect(problems).toEqual([{ path: 'time', message: expect.stringMatching(/^must be an RFC 3339 date-time/) }]);
  });

  it.each([
    ['February 30', '2026-02-30T00:00:00Z', 'has no day 30 (2026-02 has 28 days)'],
    ['February 29 of a common year', '2026-02-29T00:00:00Z', 'has no day 29 (2026-02 has 28 days)'],
    ['February 29 of 1900', '1900-02-29T00:00:00Z', 'has no day 29 (1900-02 has 28 days)'],
    ['April 31', '2026-04-31T00:00:00Z', 'has no day 31 (2026-04 has 30 days)'],
    ['day 0', '2026-01-00T00:00:00Z', 'has no day 00 (2026-01 has 31 days)'],
    ['month 13', '2026-13-01T00:00:00Z', 'has no month 13'],
    ['hour 24', '2026-01-01T24:00:00Z', 'has no time of day 24:00:00'],
    ['a leap second', '2016-12-31T23:59:60Z', 'has no time of day 23:59:60'],
    ['offset minutes 60', '2026-01-01T00:00:00+01:60', 'has an offset beyond ±23:59'],
  ])('refuses an impossible time: %s', (_label, time, message) => {
    expect(problemsOf(() => prepareEvent({ ...valid, time }, 1024))).toEqual([{ path: 'time', message }]);
  });

  it('accepts a source.id with astral characters (surrogate pairs are well-formed)', () => {
    expect(() => prepareEvent({ ...valid, source: { type: 'order', id: 'o-\ud83d\ude00' } }, 1024)).not.toThrow();
  });

  it('refuses header names and values with a lone surrogate (Kafka headers are UTF-8: it would arrive as U+FFFD)', () => {
    const problems = problemsOf(() =>
      prepareEvent({ ...valid, headers: { 'a\ud800': 'x', b: '\udfff', c: '😀' } }, 1024),
    );
    expect(problems.map((p) => p.path)).toEqual(['headers.a\ud800', 'headers.b']);
    expect(problems[0].message).toMatch(/lone surrogate/);
  });

  it.each([
    ['a Map', new Map([['traceparent', '00-x']])],
    ['a Date', new Date(0)],
    ['a class instance', new (class Headers {})()],
  ])('refuses headers that are %s (its entries would be lost, not sent)', (_label, headers) => {
    expect(problemsOf(() => prepareEvent({ ...valid, headers: headers as never }, 1024))).toEqual([
      { path: 'headers', message: expect.stringMatching(/^must be a plain object of strings/) },
    ]);
  });

  it('accepts headers without a prototype', () => {
    const headers = Object.assign(Object.create(null) as Record<string, string>, { traceparent: '00-x' });
    expect(prepareEvent({ ...valid, headers }, 1024).event.headers).toEqual({ traceparent: '00-x' });
  });

  it.each([
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['an object whose toJSON returns undefined', { toJSON: () => undefined }],
  ])('refuses data that JSON.stringify would drop: %s', (_label, data) => {
    const problems = problemsOf(() => prepareEvent({ ...valid, data }, 1024));
    expect(problems).toEqual([{ path: 'data', message: expect.stringMatching(/^has no JSON form/) }]);
  });

  it('serializes data through its toJSON, like JSON.stringify, and refuses what throws', () => {
    const when = new Date('2026-01-02T03:04:05.000Z');
    for (const data of [when, { when }]) {
      const { event, json } = prepareEvent({ ...valid, data }, 1024);
      expect(json).toBe(JSON.stringify(event));
    }
    expect(JSON.parse(prepareEvent({ ...valid, data: when }, 1024).json).data).toBe('2026-01-02T03:04:05.000Z');
    expect(problemsOf(() => prepareEvent({ ...valid, data: 1n }, 1024))).toEqual([
      { path: 'data', message: expect.stringMatching(/^is not serializable to JSON \(/) },
    ]);
  });

  it('refuses data whose toJSON throws anything, even null, with InvalidEventError', () => {
    const data = {
      toJSON() {
        throw null;
      },
    };
    expect(problemsOf(() => prepareEvent({ ...valid, data }, 1024))).toEqual([
      { path: 'data', message: 'is not serializable to JSON (null)' },
    ]);
  });

  it('answers an event whose getter or Proxy trap throws while it is read with InvalidEventError', () => {
    const getter = Object.defineProperty({ ...valid }, 'type', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    const proxy = new Proxy(valid, {
      has() {
        throw new Error('trap');
      },
    });
    expect(problemsOf(() => prepareEvent(getter, 1024))).toEqual([{ path: '', message: 'could not be read (boom)' }]);
    expect(problemsOf(() => prepareEvent(proxy, 1024))).toEqual([{ path: '', message: 'could not be read (trap)' }]);
  });

  it('rejects an event over maxEventBytes', () => {
    const problems = problemsOf(() => prepareEvent({ ...valid, data: 'x'.repeat(2000) }, 1000));
    expect(problems[0].message).toMatch(/over maxEventBytes 1000/);
  });
});

describe('prepareBatch', () => {
  it('rejects the whole batch for one bad event, naming its index', () => {
    const problems = problemsOf(() => prepareBatch([valid, { ...valid, type: '' }, valid], 1024));
    expect(problems).toEqual([expect.objectContaining({ index: 1, path: 'type' })]);
  });

  it('refuses a hole in the batch instead of skipping it (one event would silently not be published)', () => {
    const batch = [valid, , valid]; // eslint-disable-line no-sparse-arrays
    expect(problemsOf(() => prepareBatch(batch as never, 1024))).toEqual([
      { index: 1, path: '', message: 'event must be an object' },
    ]);
  });

  it('validates every index itself, whatever an own forEach of the array does, and reads throwing elements safely', () => {
    const batch = Object.assign([valid, { ...valid, type: '' }], { forEach() {} });
    expect(problemsOf(() => prepareBatch(batch, 1024))).toEqual([expect.objectContaining({ index: 1, path: 'type' })]);
    const throwing = Object.defineProperty([valid], 0, {
      get() {
        throw new Error('boom');
      },
    });
    expect(problemsOf(() => prepareBatch(throwing, 1024))).toEqual([
      { index: 0, path: '', message: 'could not be read (boom)' },
    ]);
  });
});
