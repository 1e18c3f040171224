import type { EventSource, KafkaPosition, RealtimeNotification } from '../interfaces/dual-stream-event.interface.js';
import type { HubConnection } from './hub-connection.js';
import type { HubCounters } from './hub-counters.js';
import { LiveMessage } from './socket-packet.js';

interface Delivered {
  topic: string;
  partition: number;
  offset: bigint;
  /**
   * Known to exist in Kafka: replayed from it, given by the client, or checked against the partition's
   * high-water mark. A position taken from a live Redis message is not, since anyone who can PUBLISH on
   * Redis can send any offset.
   */
  verified: boolean;
  /** `LiveMessage.seq` of the live message it came from (0 otherwise). */
  seq: number;
}

/** What a subscription asks of its hub. */
export interface SubscriptionHooks {
  /**
   * The partition's high-water mark, from a Kafka lookup made after the live message `seq` arrived (so any
   * real notification received by then names an offset below it); undefined when Kafka could not say.
   */
  highWatermark(topic: string, partition: number, seq: number): Promise<bigint | undefined>;
  /** Live messages were dropped while a position was being checked: replay from the position. */
  recover(sub: ChannelSubscription): void;
}

/**
 * One client's subscription to one channel: the resume state machine of docs/protocol.md "Positions and
 * cursors". While `recovering`, live notifications are buffered (bounded); `deliver()` drops anything at or
 * before the last delivered position of the partition, so replayed and buffered events interleave into one
 * ordered stream without duplicates.
 *
 * Dedupe poisoning: a forged notification with a huge offset would make every later real event look like a
 * duplicate. Checking each live offset against Kafka would cost a lookup per event, so the check happens only
 * where a drop is about to depend on an unverified position: that message and every later live one of this
 * subscription are held (in order) while the partition's high-water mark is looked up. A position at or after
 * it was forged: it is counted, the previous position restored, and the held messages are delivered.
 */
export class ChannelSubscription {
  readonly key: string;
  state: 'recovering' | 'live' = 'recovering';
  closed = false;
  /** A recovery in progress, and whether another pass was asked for meanwhile. */
  running?: Promise<{ recovered: boolean; replayed: number }>;
  rerun = false;
  /** The buffer overflowed during this pass (it was dropped: the next pass replays from Kafka). */
  overflowed = false;
  readonly subscribedAt = Date.now();
  private last?: Delivered;
  /** The position before `last` (restored when `last` turns out forged) and the newest verified one. */
  private previous?: Delivered;
  private lastVerified?: Delivered;
  private buffer: LiveMessage<RealtimeNotification>[] = [];
  /** Live messages waiting for a position check (`verifying`), in arrival order. */
  private held: LiveMessage<RealtimeNotification>[] = [];
  private verifying = false;

  constructor(
    readonly connection: HubConnection,
    readonly channel: string,
    readonly redisChannel: string,
    readonly source: EventSource,
    /** Keep only the newest queued event of this subscription (a re-subscribe may change it). */
    public conflate: boolean,
    private readonly maxBuffer: number,
    private readonly counters: HubCounters,
    private readonly hooks: SubscriptionHooks,
  ) {
    this.key = `c:${channel}`;
  }

  /** The position the client holds (what a replay continues from). */
  get position(): KafkaPosition | undefined {
    return this.last && { topic: this.last.topic, partition: this.last.partition, offset: this.last.offset.toString() };
  }

  /** The client says it holds everything up to `from`: nothing at or before it is delivered again. */
  holds(from: KafkaPosition): void {
    const offset = BigInt(from.offset);
    if (!this.last || this.last.partition !== from.partition || offset > this.last.offset) {
      this.setLast({ topic: from.topic, partition: from.partition, offset, verified: true, seq: 0 });
    }
  }

  /** A live notification as it came from Redis (already validated). */
  onLive(message: LiveMessage<RealtimeNotification>): void {
    if (this.closed) return;
    if (this.state === 'live') {
      this.offerLive(message);
      return;
    }
    if (this.buffer.length >= this.maxBuffer) {
      this.buffer = [];
      this.overflowed = true;
    }
    if (!this.overflowed) this.buffer.push(message);
  }

  beginRecovery(): void {
    this.state = 'recovering';
    this.overflowed = false;
  }

  /**
   * Flushes the buffered live events (deduplicated), pausing whenever the connection's queue is half full,
   * then goes live. The last emptiness check and the switch to `live` happen in one synchronous step, so no
   * notification can slip between them. False when the buffer overflowed meanwhile (replay again).
   */
  async finishRecovery(): Promise<boolean> {
    while (this.buffer.length > 0 && !this.closed) {
      if (this.overflowed) return false;
      this.offerLive(this.buffer.shift()!);
      if (!this.connection.hasRoom()) await this.connection.waitForRoom();
    }
    if (this.overflowed) return false;
    this.state = 'live';
    return true;
  }

  /**
   * Sends the event unless the client already has it; true when sent. A replayed event comes alone; a live
   * one as the `LiveMessage` every subscriber of the channel shares, so it is encoded once for all of them.
   */
  deliver(message: LiveMessage<RealtimeNotification> | RealtimeNotification): boolean {
    if (this.closed) return false;
    const fromRedis = message instanceof LiveMessage;
    const live = fromRedis ? message : new LiveMessage(message, JSON.stringify(message));
    const { event, offset } = live;
    if (offset === undefined) return false;
    if (this.isAtOrBefore(event, offset)) {
      this.counters.duplicatesDropped++;
      return false;
    }
    const { topic, partition } = event;
    this.setLast({ topic, partition, offset, verified: !fromRedis, seq: fromRedis ? live.seq : 0 });
    this.connection.sendEvent(live, this.channel, undefined, this.conflate ? this.key : undefined);
    return true;
  }

  /** A live message in order: held while a position check runs, checked when a drop would need one. */
  private offerLive(message: LiveMessage<RealtimeNotification>): void {
    if (this.verifying) {
      this.hold(message);
      return;
    }
    const last = this.last;
    const offset = message.offset;
    if (last && !last.verified && offset !== undefined && this.isAtOrBefore(message.event, offset)) {
      this.verify(last, message);
      return;
    }
    this.deliver(message);
  }

  private isAtOrBefore(event: RealtimeNotification, offset: bigint): boolean {
    const last = this.last;
    return !!last && last.partition === event.partition && last.topic === event.topic && offset <= last.offset;
  }

  private setLast(position: Delivered): void {
    this.previous = this.last;
    this.last = position;
    if (position.verified) this.lastVerified = position;
  }

  private hold(message: LiveMessage<RealtimeNotification>): void {
    if (this.held.length >= this.maxBuffer) {
      // Kafka is slow to answer and the channel busy: drop what waits and replay it after the check.
      this.held = [];
      this.overflowed = true;
    }
    this.held.push(message);
  }

  private verify(suspect: Delivered, first: LiveMessage<RealtimeNotification>): void {
    this.verifying = true;
    this.held = [first];
    const settle = (high: bigint | undefined) => this.settle(suspect, high);
    this.hooks.highWatermark(suspect.topic, suspect.partition, suspect.seq).then(settle, () => settle(undefined));
  }

  private settle(suspect: Delivered, high: bigint | undefined): void {
    this.verifying = false;
    const held = this.held;
    this.held = [];
    if (this.closed) return;
    if (high !== undefined && this.last === suspect) {
      if (suspect.offset >= high) {
        this.counters.forgedPositions++;
        const previous = this.previous;
        const restored =
          previous &&
          previous.topic === suspect.topic &&
          previous.partition === suspect.partition &&
          previous.offset < high
            ? previous
            : this.lastVerified;
        this.last = restored && { ...restored, verified: true };
        this.previous = undefined;
      } else suspect.verified = true;
    }
    // Lookup failed: the held messages meet the unverified position as plain duplicates; the next drop asks again.
    const dropUnverified = high === undefined;
    if (this.state === 'recovering') {
      this.buffer.unshift(...held);
      return;
    }
    for (const message of held) {
      if (dropUnverified && !this.verifying) this.deliver(message);
      else this.offerLive(message);
    }
    if (this.overflowed && this.state === 'live') {
      this.overflowed = false;
      this.hooks.recover(this);
    }
  }
}
