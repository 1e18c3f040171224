/** Why an SSE stream is refused before it starts (docs/sse.md "Errors"); the gateway maps each to a 4xx. */
export type SseRefusalKind = 'invalid-channel' | 'too-many-channels' | 'invalid-cursor' | 'forbidden' | 'disabled';

/**
 * An SSE stream request the hub refuses before anything is subscribed: a bad channel list or cursor, a
 * channel the principal may not read, or realtime disabled on this gateway. `message` says how to fix it.
 */
export class SseStreamRefusedError extends Error {
  override readonly name = 'SseStreamRefusedError';

  constructor(
    readonly kind: SseRefusalKind,
    message: string,
    /** The offending channel, when there is one (at most 300 characters). */
    readonly channel?: string,
  ) {
    super(message);
  }
}
