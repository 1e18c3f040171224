import { encodeSseCursorSegment, joinSseCursor } from './sse-cursor.js';
import { sseMessage, sseWithId } from './sse-frame.js';

/**
 * The SSE encodings of one live event on one channel, built for the first stream that receives it and shared
 * by the others (like a socket.io packet's pre-encoded frame, see `OutgoingPacket`).
 *
 * A stream of that one channel has `1.{segment}` as its whole cursor after the event, so every such stream
 * gets the same bytes: one `Buffer`, encoded once, with no per-stream string building or UTF-8 encoding.
 * A stream of several channels still writes its own `id:` line in front of the shared `message`.
 */
export class SseEventFrames {
  /** `event: event` + `data:` lines, without an `id:` line. */
  readonly message: string;
  private segment?: string;
  private singleFrame?: Buffer;

  constructor(
    readonly channel: string,
    messageJson: string,
    private readonly partition: number,
    private readonly offset: string,
  ) {
    this.message = sseMessage('event', messageJson);
  }

  /** This event's position on the channel as a cursor segment (docs/sse.md "Cursor"). */
  get cursorSegment(): string {
    this.segment ??= encodeSseCursorSegment({ channel: this.channel, partition: this.partition, offset: this.offset });
    return this.segment;
  }

  /** The whole message, `id:` included, for a stream whose only channel is this one. */
  get singleChannelFrame(): Buffer {
    this.singleFrame ??= Buffer.from(sseWithId(joinSseCursor([this.cursorSegment]), this.message));
    return this.singleFrame;
  }
}
