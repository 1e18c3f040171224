import { encodeSseCursorSegment, joinSseCursor, type SseCursorEntry } from './sse-cursor.js';

/**
 * The cursor of one SSE stream as it advances: one encoded segment per channel, re-encoded only for the
 * channel an event was delivered on, and the joined text cached until the next change. So a delivery costs
 * one small base64url encoding and one join, however many channels the stream has.
 */
export class SseCursorState {
  private readonly index = new Map<string, number>();
  private readonly segments: string[];
  private text?: string;

  constructor(entries: readonly SseCursorEntry[]) {
    entries.forEach((entry, i) => this.index.set(entry.channel, i));
    this.segments = entries.map(encodeSseCursorSegment);
  }

  /** The stream delivered the event at `partition`/`offset` on `channel`. */
  advance(channel: string, partition: number, offset: string): void {
    const i = this.index.get(channel);
    if (i === undefined) return;
    this.segments[i] = encodeSseCursorSegment({ channel, partition, offset });
    this.text = undefined;
  }

  /** The cursor restoring every channel's position as of now. */
  toString(): string {
    this.text ??= joinSseCursor(this.segments);
    return this.text;
  }
}
