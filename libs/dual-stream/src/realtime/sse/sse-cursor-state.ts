import { encodeSseCursorSegment, joinSseCursor, type SseCursorEntry } from './sse-cursor.js';

/**
 * The cursor of one SSE stream as it advances: one encoded segment per channel, replaced only for the
 * channel an event was delivered on (by the segment the event's `SseEventFrames` encoded once for every
 * stream), and the joined text built only when asked for.
 */
export class SseCursorState {
  private readonly index = new Map<string, number>();
  private readonly segments: string[];
  private text?: string;

  constructor(entries: readonly SseCursorEntry[]) {
    entries.forEach((entry, i) => this.index.set(entry.channel, i));
    this.segments = entries.map(encodeSseCursorSegment);
  }

  /** The stream names one channel only: its cursor is that channel's segment alone. */
  get single(): boolean {
    return this.segments.length === 1;
  }

  /** The stream delivered an event on `channel`; `segment` is its position (`encodeSseCursorSegment`). */
  advance(channel: string, segment: string): void {
    const i = this.index.get(channel);
    if (i === undefined) return;
    this.segments[i] = segment;
    this.text = undefined;
  }

  /** The cursor restoring every channel's position as of now. */
  toString(): string {
    this.text ??= joinSseCursor(this.segments);
    return this.text;
  }
}
