import type { PreparedEvent } from '../events/event-validator.js';
import type { KafkaPosition, PublishReceipt, RealtimeOutcome } from '../interfaces/dual-stream-event.interface.js';

/** One validated event on its way to Kafka. */
export interface PendingEvent {
  prepared: PreparedEvent;
  topic: string;
  key: string;
  channel: string;
  /** Upper bound of its Kafka record's size (`recordBytes` in kafka-records.ts). */
  recordBytes: number;
  /** The notification's position-independent part, built while Kafka is busy (RedisLane.prebuild). */
  notificationHead?: string;
}

/**
 * The events of one `publish()` (one event) or `publishBatch()` call, from acceptance to its answer. Its
 * events go to Kafka in call order: in one produce request when they fit the broker's limit, otherwise in
 * consecutive requests (`sent` and `acknowledged` advance request by request, one request in flight).
 */
export class PendingGroup {
  /** `performance.now()` by which the caller is answered (accept time + durable.timeoutMs). */
  deadline = 0;
  /** Events handed to Kafka so far (a prefix of `events`). */
  sent = 0;
  /** Record bytes of the events not handed to Kafka yet. */
  unsentBytes: number;
  /** Leading events Kafka acknowledged. */
  acknowledged = 0;
  /** Some of its events are in the request kafkajs is still working on. */
  inFlight = false;
  /** Redis announcements of its acknowledged events still running. */
  announcing = 0;
  /** Set once answered; later outcomes are ignored. */
  settled = false;
  /** Answered while kafkajs still held some of its events: its buffer room is released once that send settles. */
  holdsRoom = false;
  private receipts: PublishReceipt[] | undefined;

  constructor(
    readonly events: PendingEvent[],
    /** Record bytes of all its events: what it takes of the buffer. */
    readonly bytes: number,
    private readonly onResolve: (receipts: PublishReceipt[]) => void,
    private readonly onReject: (err: Error) => void,
  ) {
    this.unsentBytes = bytes;
  }

  /** Kafka acknowledged every event. */
  get isAcknowledged(): boolean {
    return this.acknowledged === this.events.length;
  }

  /** Acknowledged and announced: ready to answer with receipts. */
  get isComplete(): boolean {
    return this.acknowledged === this.events.length && this.announcing === 0;
  }

  /**
   * Kafka acknowledged events `[from, to)`, whose positions are `positions[at ...]`. Their receipts say
   * `realtime: 'failed'` until the announcement's outcome is known (an answer by the deadline keeps that).
   */
  acknowledge(from: number, to: number, positions: readonly KafkaPosition[], at: number): void {
    const receipts = (this.receipts ??= new Array<PublishReceipt>(this.events.length));
    for (let i = from; i < to; i++, at++) {
      const { topic, partition, offset } = positions[at];
      receipts[i] = { id: this.events[i].prepared.event.id, topic, partition, offset, realtime: 'failed' };
    }
    this.acknowledged = to;
  }

  /** The Redis outcome of events `[from, to)`; receipts already handed out are not changed. */
  announced(from: number, to: number, outcome: RealtimeOutcome): void {
    this.announcing--;
    if (this.settled || !this.receipts) return;
    for (let i = from; i < to; i++) this.receipts[i].realtime = outcome;
  }

  /** Answers with the receipts; the caller must have checked `isAcknowledged` and settled the group. */
  resolve(): void {
    this.onResolve(this.receipts!);
  }

  reject(err: Error): void {
    this.onReject(err);
  }
}
