import { Partitioners, type Message, type PartitionMetadata } from 'kafkajs';
import { channelFor, sourceKey, type DualStreamEvent, type EventSource } from '@app/dual-stream';
// Internals on purpose: records byte-identical to what DualStreamPublisher writes (docs/protocol.md "Kafka
// record"), produced in bulk without running a publisher.
import { prepareEvent } from '../../libs/dual-stream/src/events/event-validator.js';
import { recordHeaders } from '../../libs/dual-stream/src/publisher/kafka-records.js';

/** One event as the publisher writes it to Kafka: envelope JSON, source key, CloudEvents headers. */
export function publisherRecord(input: DualStreamEvent, topic: string): { id: string; message: Message } {
  const prepared = prepareEvent(input, 1024 * 1024);
  const key = sourceKey(prepared.event.source);
  const headers = recordHeaders({ prepared, topic, key, channel: channelFor('', prepared.event.source) });
  return { id: prepared.event.id, message: { key, value: prepared.json, headers } };
}

/** The partition kafkajs' default partitioner (the publisher's) gives a source on a topic of `partitions`. */
export function defaultPartitionOf(source: EventSource, topic: string, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId): PartitionMetadata => ({
    partitionErrorCode: 0,
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
  }));
  return Partitioners.DefaultPartitioner()({
    topic,
    partitionMetadata,
    message: { key: sourceKey(source), value: null },
  });
}
