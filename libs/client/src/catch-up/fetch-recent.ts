import type { Position } from '../positions/position.js';
import type { ChannelEvent } from '../protocol/channel-event.js';

export interface FetchRecentRequest {
  /** `events:{source.type}:{source.id}`. */
  channel: string;
  /** Return only events after this position; absent: from the oldest event the read model keeps. */
  after?: Position;
}

/** What a `fetchRecent` answers: the read model's events of the channel after `after`. */
export interface RecentEvents {
  /** Every event of the channel's source after `after` that the read model holds, oldest first (page through them all). */
  events: ChannelEvent[];
  /** Position of the last event returned, or null for none. */
  last: Position | null;
  /**
   * Where the read model is complete up to: every event of the source at or before it is in the answer or
   * before `after` (the consumer's catch-up `cursor`). Subscribing `from` it misses nothing. When absent,
   * `last` is used.
   */
  cursor?: Position | null;
}

/**
 * Reads the app's read model (the demo consumer's catch-up API: see `catchUpFrom`). The SDK calls it to join
 * a channel mid-stream and to fill a hole the gateway could not replay.
 */
export type FetchRecent = (request: FetchRecentRequest) => Promise<RecentEvents>;
