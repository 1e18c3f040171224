import { catchUpCursor } from './catch-up-cursor.js';
import { parseCatchUpQuery } from './catch-up-query.parser.js';
import type { ProjectedEvent } from '../projection/projected-event.js';

const at = { topic: 'events.order', partition: 2 };
const ev = (offset: string) => ({ id: offset, topic: 'events.order', partition: 2, offset }) as ProjectedEvent;

describe('catchUpCursor', () => {
  it('is the last event of a full page (more may follow)', () => {
    expect(catchUpCursor(at, { events: [ev('3'), ev('5')], projectedUpTo: '90' }, 2, undefined)).toEqual({
      ...at,
      offset: '5',
    });
  });

  it("is the partition's projected-up-to position when it is later than the last event", () => {
    expect(catchUpCursor(at, { events: [ev('3')], projectedUpTo: '90' }, 10, undefined)).toEqual({
      ...at,
      offset: '90',
    });
    expect(catchUpCursor(at, { events: [ev('95')], projectedUpTo: '90' }, 10, undefined)).toEqual({
      ...at,
      offset: '95',
    });
  });

  it('gives an empty source a usable position, never earlier than the client’s own `after`', () => {
    expect(catchUpCursor(at, { events: [], projectedUpTo: '41' }, 10, undefined)).toEqual({ ...at, offset: '41' });
    expect(catchUpCursor(at, { events: [], projectedUpTo: '41' }, 10, 50n)).toEqual({ ...at, offset: '50' });
    expect(catchUpCursor(at, { events: [] }, 10, 7n)).toEqual({ ...at, offset: '7' });
    expect(catchUpCursor(at, { events: [] }, 10, undefined)).toBeNull();
  });

  it('compares offsets exactly beyond 2^53', () => {
    const page = { events: [ev('9007199254740993')], projectedUpTo: '9007199254740992' };
    expect(catchUpCursor(at, page, 10, undefined)!.offset).toBe('9007199254740993');
  });
});

describe('parseCatchUpQuery', () => {
  const parse = (q: Record<string, unknown>) =>
    parseCatchUpQuery({ type: 'order', id: 'o-1', ...q } as never, 1000, ['order', 'user']);
  const problemOf = (q: Record<string, unknown>) => {
    try {
      parse(q);
    } catch (err) {
      return (err as { body: unknown }).body;
    }
    throw new Error('no problem');
  };

  it('reads 18- and 19-digit offsets exactly and defaults the limit', () => {
    expect(parse({ after: '123456789012345678' })).toEqual({
      source: { type: 'order', id: 'o-1' },
      after: 123456789012345678n,
      limit: 100,
    });
    expect(parse({ after: '9223372036854775807', limit: '5' }).after).toBe(2n ** 63n - 1n);
  });

  it('reports every problem at once as invalid_query', () => {
    expect(problemOf({ id: 'o*1', after: '-1', limit: '0' })).toMatchObject({
      status: 400,
      error: 'invalid_query',
      problems: [{ path: 'source' }, { path: 'after' }, { path: 'limit' }],
    });
    expect(problemOf({ after: '9223372036854775808' })).toMatchObject({ problems: [{ path: 'after' }] });
    expect(problemOf({ after: ['1', '2'] })).toMatchObject({ problems: [{ path: 'after' }] });
    expect(problemOf({ limit: '1001' })).toMatchObject({ problems: [{ path: 'limit' }] });
  });

  it('names the accepted source types for another one', () => {
    expect(problemOf({ type: 'sensor' })).toMatchObject({
      status: 400,
      error: 'unknown_source_type',
      allowed: ['order', 'user'],
      type: 'urn:dual-stream:problem:unknown-source-type',
    });
  });
});

describe('catchUpCursor and records whose write failed', () => {
  it('stops just before the first unapplied record after the page, never before the page itself', () => {
    expect(catchUpCursor(at, { events: [ev('3')], projectedUpTo: '90', unappliedFrom: '40' }, 10, undefined)).toEqual({
      ...at,
      offset: '39',
    });
    expect(catchUpCursor(at, { events: [], projectedUpTo: '90', unappliedFrom: '40' }, 10, 60n)).toEqual({
      ...at,
      offset: '60',
    });
  });
});
