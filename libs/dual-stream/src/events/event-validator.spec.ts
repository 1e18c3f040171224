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
});
