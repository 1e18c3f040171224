import { readToken, checkTokenSource, type TokenSource } from '../auth/token-source.js';
import { CatchUpRequestError } from '../errors/catch-up-request.error.js';
import { MalformedMessageError } from '../errors/malformed-message.error.js';
import { isAfter, type Position } from '../positions/position.js';
import type { ChannelEvent } from '../protocol/channel-event.js';
import { sourceOfChannel } from '../protocol/channel-source.js';
import { parseCatchUpPage, type CatchUpPage } from './catch-up-response.parser.js';
import type { FetchRecent, RecentEvents } from './fetch-recent.js';

export interface CatchUpOptions extends TokenSource {
  /**
   * Events per request (`limit`); pages are read until one is not full.
   * @default 1000 (the consumer's CONSUMER_MAX_PAGE)
   */
  limit?: number;
  /**
   * The fetch implementation (tests, proxies, custom agents).
   * @default globalThis.fetch
   */
  fetch?: typeof fetch;
}

/**
 * A `fetchRecent` over the demo consumer's catch-up API (`GET {baseUrl}/sources/:type/:id/events`, with
 * `Authorization: Bearer <token>`; docs/protocol.md "Positions and cursors"). It reads every page after
 * `after` and answers the events, the last one's position and the consumer's `cursor` when it sends one.
 *
 * @example
 * const fetchRecent = catchUpFrom('https://consumer.example.com', { getToken });
 * client.joinMidStream('events:order:o-1001', fetchRecent, { onEvent });
 */
export function catchUpFrom(baseUrl: string, options: CatchUpOptions): FetchRecent {
  checkTokenSource(options, 'catchUpFrom()');
  const limit = options.limit ?? 1000;
  if (!Number.isInteger(limit) || limit < 1) throw new TypeError('catchUpFrom(): `limit` must be a positive integer.');
  const base = baseUrl.replace(/\/+$/, '');
  return async ({ channel, after }) => {
    const source = sourceOfChannel(channel);
    const path = `${base}/sources/${encodeURIComponent(source.type)}/${encodeURIComponent(source.id)}/events`;
    const token = await readToken(options);
    const doFetch = options.fetch ?? globalThis.fetch;
    const events: ChannelEvent[] = [];
    let answer: RecentEvents = { events, last: null };
    let from = after?.offset;
    for (;;) {
      const page = await readPage(
        doFetch,
        `${path}?limit=${limit}${from === undefined ? '' : `&after=${from}`}`,
        token,
      );
      events.push(...page.events);
      answer = { events, last: page.last ?? answer.last, ...('cursor' in page && { cursor: page.cursor }) };
      if (page.events.length < limit) return answer;
      // A full page: read on after its end, which must move forward (a server repeating itself would loop).
      const end: Position | null | undefined = page.cursor ?? page.last;
      if (!end || (from !== undefined && !isAfter(end, { ...end, offset: from }))) {
        throw new MalformedMessageError('catch-up page (a full page must end after `after`)');
      }
      from = end.offset;
    }
  };
}

async function readPage(doFetch: typeof fetch, url: string, token: string): Promise<CatchUpPage> {
  const response = await doFetch(url, { headers: { accept: 'application/json', authorization: `Bearer ${token}` } });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const shown = url.replace(/\?.*$/, '');
  if (!response.ok) {
    const code =
      typeof (body as { error?: unknown })?.error === 'string' ? (body as { error: string }).error : undefined;
    throw new CatchUpRequestError(response.status, code, shown);
  }
  return parseCatchUpPage(body);
}
