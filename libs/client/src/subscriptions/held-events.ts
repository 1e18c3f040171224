import { comparePositions } from '../positions/position.js';
import type { ChannelEvent } from '../protocol/channel-event.js';

/**
 * Events received while a subscription (re)subscribes or fills from the read model: nothing is handed over
 * until the stream up to them is known to be complete. Bounded; past the bound everything held is dropped
 * and the next subscribe replays it from Kafka (the position has not moved past it).
 */
export class HeldEvents {
  private events: ChannelEvent[] = [];
  /** Events were dropped since the last `restart()`. */
  overflowed = false;

  constructor(private readonly max: number) {}

  push(event: ChannelEvent): void {
    if (this.overflowed) return;
    if (this.events.length >= this.max) {
      this.events = [];
      this.overflowed = true;
      return;
    }
    this.events.push(event);
  }

  /** A new subscribe starts: it replays whatever an overflow dropped. */
  restart(): void {
    this.overflowed = false;
  }

  /** Everything held, in position order (replayed, buffered and live copies interleave; dedupe follows). */
  drain(): ChannelEvent[] {
    const events = this.events.sort(comparePositions);
    this.clear();
    return events;
  }

  clear(): void {
    this.events = [];
    this.overflowed = false;
  }
}
