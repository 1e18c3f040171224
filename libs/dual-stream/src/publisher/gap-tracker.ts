import type { GapMarker, KafkaPosition } from '../interfaces/dual-stream-event.interface.js';

interface GapRange {
  channel: string;
  topic: string;
  partition: number;
  from: bigint;
  to: bigint;
  skipped: number;
}

/**
 * Remembers, per channel + topic + partition, which notifications never reached Redis (skipped while the
 * breaker was open, or failed). Bounded: past `maxChannels` distinct entries new channels are only counted
 * (`overflowed`) and reported as one range per topic-partition on `overflowChannel`.
 */
export class GapTracker {
  private readonly ranges = new Map<string, GapRange>();
  private readonly overflow = new Map<string, GapRange>();
  private dropped = 0;

  constructor(
    private readonly maxChannels: number,
    private readonly overflowChannel: string,
  ) {}

  get size(): number {
    return this.ranges.size + this.overflow.size;
  }

  /** Channels that did not fit and were folded into the overflow ranges since start. */
  get overflowed(): number {
    return this.dropped;
  }

  record(channel: string, position: KafkaPosition): void {
    const key = `${position.partition}:${position.topic}:${channel}`;
    const existing = this.ranges.get(key);
    if (existing) return this.extend(existing, position);
    if (this.ranges.size < this.maxChannels) {
      this.ranges.set(key, this.start(channel, position));
      return;
    }
    this.dropped++;
    const slot = `${position.partition}:${position.topic}`;
    const range = this.overflow.get(slot);
    if (range) this.extend(range, position);
    else this.overflow.set(slot, this.start(this.overflowChannel, position));
  }

  /** Returns the markers to publish and forgets them (call `restore` with what could not be sent). */
  drain(): GapMarker[] {
    const markers = [...this.ranges.values(), ...this.overflow.values()].map(toMarker);
    this.ranges.clear();
    this.overflow.clear();
    return markers;
  }

  /** Puts markers back after a failed attempt to publish them. */
  restore(markers: readonly GapMarker[]): void {
    for (const m of markers) {
      this.record(m.channel, { topic: m.topic, partition: m.partition, offset: m.fromOffset });
      const key = `${m.partition}:${m.topic}:${m.channel}`;
      const range = this.ranges.get(key) ?? this.overflow.get(`${m.partition}:${m.topic}`);
      if (range) {
        const to = BigInt(m.toOffset);
        if (to > range.to) range.to = to;
        range.skipped += m.skipped - 1;
      }
    }
  }

  private start(channel: string, position: KafkaPosition): GapRange {
    const offset = BigInt(position.offset);
    return { channel, topic: position.topic, partition: position.partition, from: offset, to: offset, skipped: 1 };
  }

  private extend(range: GapRange, position: KafkaPosition): void {
    const offset = BigInt(position.offset);
    if (offset < range.from) range.from = offset;
    if (offset > range.to) range.to = offset;
    range.skipped++;
  }
}

function toMarker(range: GapRange): GapMarker {
  return {
    kind: 'gap',
    channel: range.channel,
    topic: range.topic,
    partition: range.partition,
    fromOffset: range.from.toString(),
    toOffset: range.to.toString(),
    skipped: range.skipped,
  };
}
