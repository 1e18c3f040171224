import type { IncomingHttpHeaders } from 'node:http';
import { problem, ProblemException } from '@app/service-kit';

/** The query parameters `GET /sse` reads; any other is refused (a typo must not silently mean "none"). */
const KNOWN = new Set(['channel', 'lastEventId']);

export interface StreamQuery {
  channels: string[];
  /** `Last-Event-ID` (what `EventSource` sends when it reconnects) wins over `?lastEventId=`. */
  cursor?: string;
}

/**
 * Reads `?channel=...&channel=...`, `?lastEventId=` and the `Last-Event-ID` header from the raw request. The
 * URL is parsed here rather than by the framework's query parser, so `channel[x]=` and similar shapes stay
 * plain strings and are refused by the channel rules.
 */
export function readStreamQuery(url: string, headers: IncomingHttpHeaders): StreamQuery {
  const params = new URL(url, 'http://gateway.invalid').searchParams;
  for (const key of params.keys()) {
    if (!KNOWN.has(key)) {
      throw new ProblemException(
        problem('invalid_query', `unknown parameter ${JSON.stringify(key.slice(0, 80))}: use channel and lastEventId`, [
          { path: key.slice(0, 80), message: 'unknown parameter' },
        ]),
      );
    }
  }
  const fromQuery = params.getAll('lastEventId');
  if (fromQuery.length > 1) {
    throw new ProblemException(
      problem('invalid_cursor', 'lastEventId is given more than once: send one cursor', [
        { path: 'lastEventId', message: 'given more than once' },
      ]),
    );
  }
  const header = headers['last-event-id'];
  const cursor = (typeof header === 'string' && header.length > 0 ? header : fromQuery[0]) || undefined;
  return { channels: params.getAll('channel'), ...(cursor !== undefined && { cursor }) };
}
