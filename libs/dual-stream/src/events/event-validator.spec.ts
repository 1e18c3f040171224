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
  ])('refuses data that JSON.stringify would drop from the record: %s', (_label, data) => {
    expect(problemsOf(() => prepareEvent({ ...valid, data }, 1024))).toEqual([
      { path: 'data', message: expect.stringMatching(/^has no JSON form/) },
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
