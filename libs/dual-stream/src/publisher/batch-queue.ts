import type { PendingGroup } from './pending-group.js';

/**
 * FIFO of groups waiting for the Kafka lane. Deadlines grow with insertion order (accept time + one fixed
 * timeout), so expiring only from the head is enough and needs one timer.
 */
export class BatchQueue {
  private items: (PendingGroup | undefined)[] = [];
  private head = 0;
  private queuedEvents = 0;
  private queuedBytes = 0;

  get events(): number {
    return this.queuedEvents;
  }

  get bytes(): number {
    return this.queuedBytes;
  }

  get isEmpty(): boolean {
    return this.head >= this.items.length;
  }

  /** Deadline of the oldest queued group, if any. */
  get headDeadline(): number | undefined {
    return this.items[this.head]?.deadline;
  }

  push(group: PendingGroup): void {
    this.items.push(group);
    this.queuedEvents += group.events.length;
    this.queuedBytes += group.bytes;
  }

  /**
   * Takes whole groups, oldest first, up to `maxEvents` / `maxBytes`; the first group is always taken even
   * when it alone is larger (a big `publishBatch` goes out on its own).
   */
  take(maxEvents: number, maxBytes: number): PendingGroup[] {
    const batch: PendingGroup[] = [];
    let events = 0;
    let bytes = 0;
    while (!this.isEmpty) {
      const group = this.items[this.head]!;
      if (batch.length > 0 && (events + group.events.length > maxEvents || bytes + group.bytes > maxBytes)) break;
      this.shift();
      if (group.settled) continue;
      batch.push(group);
      events += group.events.length;
      bytes += group.bytes;
    }
    return batch;
  }

  /** Removes and returns the groups at the head whose deadline is at or before `now`. */
  expire(now: number): PendingGroup[] {
    const expired: PendingGroup[] = [];
    while (!this.isEmpty && this.items[this.head]!.deadline <= now) expired.push(this.shift());
    return expired;
  }

  private shift(): PendingGroup {
    const group = this.items[this.head]!;
    this.items[this.head] = undefined;
    this.head++;
    this.queuedEvents -= group.events.length;
    this.queuedBytes -= group.bytes;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return group;
  }
}
