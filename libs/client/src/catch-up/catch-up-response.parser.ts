import { MalformedMessageError } from '../errors/malformed-message.error.js';
import { isPosition, positionOf, type Position } from '../positions/position.js';
import type { ChannelEvent } from '../protocol/channel-event.js';
import { parseChannelEvent } from '../protocol/server-message.parser.js';

/** One page of `GET /sources/:type/:id/events` (docs/protocol.md "Positions and cursors"). */
export interface CatchUpPage {
  events: ChannelEvent[];
  last: Position | null;
  /** Absent when the consumer does not send one (older consumers). */
  cursor?: Position | null;
}

const optionalPosition = (value: unknown): Position | null | undefined => {
  if (value === null || value === undefined) return value;
  if (!isPosition(value)) throw new MalformedMessageError('catch-up response position');
  return positionOf(value);
};

/** The one parser of catch-up answers: throws `MalformedMessageError` for anything that is not a page. */
export function parseCatchUpPage(body: unknown): CatchUpPage {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { events?: unknown }).events)) {
    throw new MalformedMessageError('catch-up response');
  }
  const { events: rows, last, cursor } = body as Record<string, unknown>;
  const events = (rows as unknown[]).map((row) => {
    const event = parseChannelEvent(row);
    if (!event) throw new MalformedMessageError('catch-up event');
    return event;
  });
  const page: CatchUpPage = { events, last: optionalPosition(last) ?? null };
  const parsedCursor = optionalPosition(cursor);
  if (parsedCursor !== undefined) page.cursor = parsedCursor;
  return page;
}
