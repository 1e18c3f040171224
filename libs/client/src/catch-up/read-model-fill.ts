import { MalformedMessageError } from '../errors/malformed-message.error.js';
import {
  comparePositions,
  isAfter,
  isPosition,
  offsetBefore,
  positionOf,
  samePartition,
  type Position,
} from '../positions/position.js';
import type { ChannelEvent } from '../protocol/channel-event.js';
import { parseChannelEvent } from '../protocol/server-message.parser.js';
import type { FetchRecent, FetchRecentRequest } from './fetch-recent.js';

/** A read-model answer checked and in offset order, with the position it is complete up to. */
export interface RecentRead {
  events: ChannelEvent[];
  /** `cursor`, else `last`; undefined when the read model has nothing to say. */
  end?: Position;
}

/** Calls the app's `fetchRecent` and checks what it returned (a read model is another process's data). */
export async function readRecent(fetchRecent: FetchRecent, request: FetchRecentRequest): Promise<RecentRead> {
  const answer: unknown = await fetchRecent(request);
  const rows = (answer as { events?: unknown })?.events;
  if (!Array.isArray(rows)) throw new MalformedMessageError('fetchRecent answer (it must have an `events` array)');
  const events = rows.map((row) => {
    const event = parseChannelEvent(row);
    if (!event) throw new MalformedMessageError('fetchRecent event (each needs id, type, source, time and a position)');
    return event;
  });
  events.sort(comparePositions);
  const { cursor, last } = answer as { cursor?: unknown; last?: unknown };
  const end = [cursor, last].find(isPosition);
  return { events, ...(end && { end: positionOf(end) }) };
}

/** What the subscription already holds: its last delivered event, and where it is complete up to. */
export interface FillAnchor {
  lastEvent?: Position;
  position?: Position;
}

export type FillOutcome =
  /** The read model holds everything after the anchor up to `end`: deliver `events`, then resume from `end`. */
  | { kind: 'covered'; events: ChannelEvent[]; end?: Position }
  /** The read model has not projected the anchor yet: ask again later. */
  | { kind: 'behind' }
  /** The read model is past the anchor but no longer holds it (retention): it cannot fill the hole. */
  | { kind: 'pruned' };

/**
 * Reads the read model after the anchor and says whether it can fill a hole that starts there. It asks from
 * just before the last delivered event: only if that event comes back is nothing after it pruned, since a
 * read model drops its oldest events first. Without a delivered event the read model is taken at its word.
 */
export async function fillAfter(fetchRecent: FetchRecent, channel: string, anchor: FillAnchor): Promise<FillOutcome> {
  const { lastEvent, position } = anchor;
  let after = position;
  if (lastEvent) {
    const before = offsetBefore(lastEvent);
    after = before === undefined ? undefined : { ...lastEvent, offset: before };
  }
  const read = await readRecent(fetchRecent, { channel, ...(after && { after }) });
  if (!lastEvent || read.events.some((e) => samePartition(e, lastEvent) && e.offset === lastEvent.offset)) {
    return { kind: 'covered', events: read.events, ...(read.end && { end: read.end }) };
  }
  const end = read.end;
  if (!end || isAfter(lastEvent, end)) return { kind: 'behind' };
  return { kind: 'pruned' };
}
