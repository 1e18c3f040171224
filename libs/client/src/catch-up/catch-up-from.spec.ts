import { jest } from '@jest/globals';
import { CatchUpRequestError } from '../errors/catch-up-request.error.js';
import { InvalidChannelError } from '../errors/invalid-channel.error.js';
import { MalformedMessageError } from '../errors/malformed-message.error.js';
import { catchUpFrom } from './catch-up-from.js';

const row = (offset: number) => ({
  id: `e-${offset}`,
  type: 'order.updated',
  source: { type: 'order', id: 'o 1' },
  time: '2026-01-01T00:00:00.000Z',
  data: { offset },
  headers: {},
  topic: 'events.order',
  partition: 2,
  offset: String(offset),
});
const pos = (offset: number) => ({ topic: 'events.order', partition: 2, offset: String(offset) });

function fakeFetch(pages: { status?: number; body: unknown }[]) {
  const calls: { url: string; headers: Record<string, string> }[] = [];
  const fetch = jest.fn(async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), headers: init?.headers as Record<string, string> });
    const page = pages.shift()!;
    return new Response(JSON.stringify(page.body), { status: page.status ?? 200 });
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}

describe('catchUpFrom', () => {
  it('reads every page with the bearer token and answers the events, last and cursor', async () => {
    const { fetch, calls } = fakeFetch([
      { body: { source: {}, events: [row(5), row(7)], last: pos(7), cursor: pos(7) } },
      { body: { source: {}, events: [row(9)], last: pos(9), cursor: pos(12) } },
    ]);
    let n = 0;
    const fetchRecent = catchUpFrom('http://consumer.test/', { getToken: () => `tok-${++n}`, limit: 2, fetch });
    const recent = await fetchRecent({ channel: 'events:order:o 1', after: pos(4) });
    expect(recent.events.map((e) => e.offset)).toEqual(['5', '7', '9']);
    expect(recent.last).toEqual(pos(9));
    expect(recent.cursor).toEqual(pos(12));
    expect(calls.map((c) => c.url)).toEqual([
      'http://consumer.test/sources/order/o%201/events?limit=2&after=4',
      'http://consumer.test/sources/order/o%201/events?limit=2&after=7',
    ]);
    expect(calls.every((c) => c.headers.authorization === 'Bearer tok-1')).toBe(true);
  });

  it('works with a consumer that sends no cursor (the read model then ends at `last`)', async () => {
    const { fetch, calls } = fakeFetch([{ body: { events: [], last: null } }]);
    const recent = await catchUpFrom('http://c', { token: 't', fetch })({ channel: 'events:order:o-1' });
    expect(recent).toEqual({ events: [], last: null });
    expect(calls[0]!.url).toBe('http://c/sources/order/o-1/events?limit=1000');
  });

  it('turns error statuses and malformed bodies into typed errors', async () => {
    const denied = fakeFetch([{ status: 403, body: { status: 403, error: 'forbidden' } }]);
    await expect(
      catchUpFrom('http://c', { token: 't', fetch: denied.fetch })({ channel: 'events:order:o-1' }),
    ).rejects.toMatchObject({ name: 'CatchUpRequestError', status: 403, code: 'forbidden' });
    const malformed = fakeFetch([{ body: { events: [{ ...row(1), offset: 1 }], last: null } }]);
    await expect(
      catchUpFrom('http://c', { token: 't', fetch: malformed.fetch })({ channel: 'events:order:o-1' }),
    ).rejects.toBeInstanceOf(MalformedMessageError);
    // A full page that does not move forward would loop for ever.
    const stuck = fakeFetch([{ body: { events: [row(3)], last: pos(3), cursor: pos(3) } }]);
    await expect(
      catchUpFrom('http://c', { token: 't', limit: 1, fetch: stuck.fetch })({
        channel: 'events:order:o-1',
        after: pos(3),
      }),
    ).rejects.toBeInstanceOf(MalformedMessageError);
    expect(new CatchUpRequestError(401, 'unauthorized', 'http://c/x').message).toMatch(/valid, unexpired token/);
  });

  it('refuses patterns and malformed channels, and a missing token source', async () => {
    const { fetch } = fakeFetch([]);
    const fetchRecent = catchUpFrom('http://c', { token: 't', fetch });
    await expect(fetchRecent({ channel: 'events:order:*' })).rejects.toBeInstanceOf(InvalidChannelError);
    await expect(fetchRecent({ channel: 'orders' })).rejects.toBeInstanceOf(InvalidChannelError);
    expect(() => catchUpFrom('http://c', {})).toThrow(/exactly one of `token`/);
  });
});
