import { Fifo } from './fifo.js';
import type { PendingEvent, PendingGroup } from './pending-group.js';

/** Events `[from, to)` of one group inside a Kafka batch. */
export interface BatchSlice {
  group: PendingGroup;
  from: number;
  to: number;
}

/** What one `sendBatch` (one produce request) carries. */
export interface KafkaBatch {
  slices: BatchSlice[];
  /** The slices' events, in order: what goes to Kafka. */
  events: PendingEvent[];
  /** Their record bytes. */
  bytes: number;
}

/** How big one batch may get. */
export interface BatchLimits {
  /** Gathering limits: calls join a batch while it stays within them (`batch.maxEvents` / `batch.maxBytes`). */
  maxEvents: number;
  maxBytes: number;
  /** What one produce request may carry at most (`RequestSizeLimit.recordBytes`): never exceeded. */
  requestBytes: number;
}

/**
 * FIFO of calls waiting for the Kafka lane. A batch gathers whole calls, oldest first, within the gathering
 * limits; the first call is always taken even when it alone exceeds them. Only a call whose events exceed
 * what one produce request may carry is split, into consecutive batches of as many events as fit, each started
 * on an empty batch; its remainder stays at the head of the queue, so call order is kept.
 */
export class BatchQueue {
  private readonly groups = new Fifo<PendingGroup>();
  private queuedEvents = 0;
  private queuedBytes = 0;

  /** Events not handed to Kafka yet (answered calls included until they are dropped). */
  get events(): number {
    return this.queuedEvents;
  }

  get bytes(): number {
    return this.queuedBytes;
  }

  get isEmpty(): boolean {
    return this.groups.isEmpty;
  }

  push(group: PendingGroup): void {
    this.groups.push(group);
    this.queuedEvents += group.events.length - group.sent;
    this.queuedBytes += group.unsentBytes;
  }

  /** The next batch, or undefined when nothing unanswered is queued. Advances each taken group's `sent`. */
  take(limits: BatchLimits): KafkaBatch | undefined {
    const slices: BatchSlice[] = [];
    let events = 0;
    let bytes = 0;
    const gatherBytes = Math.min(limits.maxBytes, limits.requestBytes);
    for (let group = this.groups.peek(); group; group = this.groups.peek()) {
      if (group.settled) {
        this.drop();
        continue;
      }
      const rest = group.events.length - group.sent;
      const restBytes = group.unsentBytes;
      if (slices.length > 0 && (events + rest > limits.maxEvents || bytes + restBytes > gatherBytes)) break;
      if (bytes + restBytes <= limits.requestBytes) {
        slices.push(this.slice(group, group.events.length, restBytes));
        this.drop();
        events += rest;
        bytes += restBytes;
        continue;
      }
      // Alone and still too big for one request: send the longest prefix that fits; the rest stays queued.
      let to = group.sent;
      let prefixBytes = 0;
      while (to < group.events.length && prefixBytes + group.events[to].recordBytes <= limits.requestBytes) {
        prefixBytes += group.events[to].recordBytes;
        to++;
      }
      // A single event over the limit is refused at validation; should one get here, Kafka answers for it.
      if (to === group.sent) prefixBytes = group.events[to++].recordBytes;
      slices.push(this.slice(group, to, prefixBytes));
      bytes += prefixBytes;
      break;
    }
    if (slices.length === 0) return undefined;
    return { slices, events: eventsOf(slices), bytes };
  }

  /** Drops answered calls from the head (after their deadline passed), so they hold no memory. */
  dropSettledHead(): void {
    while (this.groups.peek()?.settled) this.drop();
  }

  /** Marks `[group.sent, to)` as handed to Kafka. */
  private slice(group: PendingGroup, to: number, bytes: number): BatchSlice {
    const slice = { group, from: group.sent, to };
    this.queuedEvents -= to - group.sent;
    this.queuedBytes -= bytes;
    group.sent = to;
    group.unsentBytes -= bytes;
    return slice;
  }

  /** Removes the head group, with whatever of it was not handed to Kafka. */
  private drop(): void {
    const group = this.groups.shift();
    this.queuedEvents -= group.events.length - group.sent;
    this.queuedBytes -= group.unsentBytes;
  }
}

function eventsOf(slices: readonly BatchSlice[]): PendingEvent[] {
  // The common case, one whole call, goes to Kafka without a copy of its events.
  if (slices.length === 1 && slices[0].from === 0 && slices[0].to === slices[0].group.events.length) {
    return slices[0].group.events;
  }
  const events: PendingEvent[] = [];
  for (const { group, from, to } of slices) for (let i = from; i < to; i++) events.push(group.events[i]);
  return events;
}
