import type { EventSource, KafkaPosition, RealtimeNotification } from '../interfaces/dual-stream-event.interface.js';
import type { HubConnection } from './hub-connection.js';
import type { HubCounters } from './hub-counters.js';
import { LiveMessage } from './socket-packet.js';

interface Delivered {
  topic: string;
  partition: number;
  offset: bigint;
}

/**
 * One client's subscription to one channel: the resume state machine of docs/protocol.md "Positions and cursors". While `recovering`, live
 * notifications are buffered (bounded); `deliver()` drops anything at or before the last delivered position of
 * the partition, so replayed and buffered events interleave into one ordered stream without duplicates.
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
  private buffer: LiveMessage<RealtimeNotification>[] = [];

  constructor(
    readonly connection: HubConnection,
    readonly channel: string,
    readonly redisChannel: string,
    readonly source: EventSource,
    private readonly conflate: boolean,
    private readonly maxBuffer: number,
    private readonly counters: HubCounters,
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
      this.last = { topic: from.topic, partition: from.partition, offset };
    }
  }

  /** A live notification as it came from Redis. */
  onLive(message: LiveMessage<RealtimeNotification>): void {
    if (this.closed) return;
    if (this.state === 'live') {
      this.deliver(message);
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
      this.deliver(this.buffer.shift()!);
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
    const live = message instanceof LiveMessage ? message : new LiveMessage(message, JSON.stringify(message));
    const { event, offset } = live;
    if (offset === undefined) return false;
    if (
      this.last &&
      this.last.partition === event.partition &&
      this.last.topic === event.topic &&
      offset <= this.last.offset
    ) {
      this.counters.duplicatesDropped++;
      return false;
    }
    this.last = { topic: event.topic, partition: event.partition, offset };
    this.connection.sendPacket(
      live.eventPacket(this.connection.namespace, this.channel),
      this.conflate ? this.key : undefined,
    );
    return true;
  }
}
