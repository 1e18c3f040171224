import { InvalidChannelError } from '../../errors/invalid-channel.error.js';
import { InvalidSseCursorError } from '../../errors/invalid-sse-cursor.error.js';
import { SseStreamRefusedError } from '../../errors/sse-stream-refused.error.js';
import { parseChannel } from '../../events/channel-parser.js';
import type { EventSource } from '../../interfaces/dual-stream-event.interface.js';
import { parseSseCursor, type SseCursorEntry } from './sse-cursor.js';

/** An SSE stream request as it came from the client, before any check (see `RealtimeHub.planStream`). */
export interface SseStreamRequest {
  /** The `channel` query parameters, in order. */
  channels: readonly unknown[];
  /** `Last-Event-ID` (or `?lastEventId=`); undefined or empty: none. */
  cursor?: string;
  /** Most channels one stream may name. */
  maxChannels: number;
}

export interface SseStreamChannel {
  channel: string;
  source: EventSource;
  /** Where the stream starts on the channel: the cursor's entry (resume), or `since` = now (live). */
  at: SseCursorEntry;
  /** The cursor named this channel: replay from `at` before going live. */
  resume: boolean;
}

/** A checked SSE stream request: what `RealtimeHub.openStream` subscribes. */
export interface SseStreamPlan {
  channels: SseStreamChannel[];
}

const MAX_ECHO = 300;

/**
 * The synchronous checks of an SSE stream request: one to `maxChannels` valid channels, none twice, a cursor
 * that parses and names only channels of this request (so it can never widen what the token grants). Throws
 * `SseStreamRefusedError`; nothing has been subscribed then.
 */
export function planSseStream(request: SseStreamRequest, now: number = Date.now()): SseStreamPlan {
  const { channels, maxChannels } = request;
  if (channels.length === 0) {
    throw new SseStreamRefusedError('invalid-channel', 'name at least one channel: ?channel=events:{type}:{id}');
  }
  if (channels.length > maxChannels) {
    throw new SseStreamRefusedError(
      'too-many-channels',
      `at most ${maxChannels} channels per stream (got ${channels.length}): open another stream for the rest`,
    );
  }
  const checked = new Map<string, EventSource>();
  for (const raw of channels) {
    let source: EventSource;
    try {
      source = parseChannel(raw);
    } catch (err) {
      if (!(err instanceof InvalidChannelError)) throw err;
      throw new SseStreamRefusedError('invalid-channel', err.message, err.channel.slice(0, MAX_ECHO));
    }
    const channel = raw as string;
    if (checked.has(channel)) {
      throw new SseStreamRefusedError('invalid-channel', `channel ${channel} is named twice`, channel);
    }
    checked.set(channel, source);
  }
  const resumed = new Map<string, SseCursorEntry>();
  if (request.cursor) {
    let entries: SseCursorEntry[];
    try {
      entries = parseSseCursor(request.cursor, now);
    } catch (err) {
      if (!(err instanceof InvalidSseCursorError)) throw err;
      throw new SseStreamRefusedError('invalid-cursor', err.message);
    }
    for (const entry of entries) {
      if (!checked.has(entry.channel)) {
        throw new SseStreamRefusedError(
          'invalid-cursor',
          `the cursor names ${entry.channel}, which this request does not ask for: resume with the channels of the stream that sent the cursor`,
          entry.channel,
        );
      }
      resumed.set(entry.channel, entry);
    }
  }
  return {
    channels: [...checked].map(([channel, source]) => {
      const at = resumed.get(channel);
      return { channel, source, at: at ?? { channel, since: now }, resume: at !== undefined };
    }),
  };
}
