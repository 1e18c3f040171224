import { sourceKey } from '../events/event-naming.js';
import type { EventSource } from '../interfaces/dual-stream-event.interface.js';
import { keyPartition } from '../kafka/key-partition.js';
import type { KafkaReplayService } from '../replay/kafka-replay.service.js';
import { LiveMessage } from './socket-packet.js';

interface Lookup {
  /** `LiveMessage.lastSeq` when the lookup was sent: messages up to it arrived before. */
  seq: number;
  result: Promise<Map<number, bigint>>;
}

/**
 * Kafka facts the hub needs off the hot path: a partition's high-water mark (is a position taken from a
 * live Redis message real?) and the partition a source's events go to (range-gap markers name a partition).
 * One lookup per topic at a time is shared by every subscription asking, as long as it was sent after the
 * message whose position is in question arrived; a later question sends a new one.
 */
export class PartitionLookups {
  private readonly inflight = new Map<string, Lookup>();

  constructor(private readonly replay: KafkaReplayService) {}

  /** The high-water mark of `topic`/`partition` as known after message `seq` arrived; undefined if unknown. */
  async highWatermark(topic: string, partition: number, seq: number): Promise<bigint | undefined> {
    return (await this.watermarks(topic, seq)).get(partition);
  }

  /** The partition the key partitioner (the publisher's) puts `source` in, or undefined. */
  async partitionOf(source: EventSource, topic: string): Promise<number | undefined> {
    // Any answer will do: the partition count does not depend on which messages arrived.
    const count = (await this.watermarks(topic, 0)).size;
    if (count === 0) return undefined;
    return keyPartition(sourceKey(source), count);
  }

  private watermarks(topic: string, seq: number): Promise<Map<number, bigint>> {
    const shared = this.inflight.get(topic);
    if (shared && shared.seq >= seq) return shared.result;
    const lookup: Lookup = { seq: LiveMessage.lastSeq, result: this.replay.highWatermarks(topic) };
    this.inflight.set(topic, lookup);
    const forget = () => {
      if (this.inflight.get(topic) === lookup) this.inflight.delete(topic);
    };
    lookup.result.then(forget, forget);
    return lookup.result;
  }
}
