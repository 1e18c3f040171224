import type { EventSource } from '../interfaces/dual-stream-event.interface.js';
import { keyPartition } from '../kafka/key-partition.js';
import { sourceKey } from './event-naming.js';

/**
 * The partition the publisher writes a source's events to on a topic of `partitionCount` partitions: murmur2 of
 * the key `{source.type}:{source.id}` modulo the count (`keyPartition`), as the Java client and every driver's
 * default partitioner do. Only valid while the publisher uses the default
 * partitioner (no custom `kafka.producer.createPartitioner`); see docs/protocol.md "Kafka record".
 *
 * @example sourcePartition({ type: 'order', id: 'o-1001' }, 3) // 0, 1 or 2, the same on every call
 */
export function sourcePartition(source: EventSource, partitionCount: number): number {
  if (!Number.isInteger(partitionCount) || partitionCount < 1) {
    throw new RangeError(`partitionCount must be a positive integer (got ${partitionCount})`);
  }
  return keyPartition(sourceKey(source), partitionCount);
}
