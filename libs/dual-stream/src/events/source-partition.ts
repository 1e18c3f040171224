import { Partitioners, type PartitionMetadata } from 'kafkajs';
import type { EventSource } from '../interfaces/dual-stream-event.interface.js';
import { sourceKey } from './event-naming.js';

const partitioner = Partitioners.DefaultPartitioner();

/**
 * The partition the publisher writes a source's events to on a topic of `partitionCount` partitions: kafkajs'
 * default partitioner (murmur2 of the key `{source.type}:{source.id}` modulo the count, as the Java client
 * does), asked the same way the publisher's producer asks it. Only valid while the publisher uses the default
 * partitioner (no custom `kafka.producer.createPartitioner`); see docs/protocol.md "Kafka record".
 *
 * @example sourcePartition({ type: 'order', id: 'o-1001' }, 3) // 0, 1 or 2, the same on every call
 */
export function sourcePartition(source: EventSource, partitionCount: number): number {
  if (!Number.isInteger(partitionCount) || partitionCount < 1) {
    throw new RangeError(`partitionCount must be a positive integer (got ${partitionCount})`);
  }
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: partitionCount }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  return partitioner({ topic: '', partitionMetadata, message: { key: sourceKey(source), value: null } });
}
