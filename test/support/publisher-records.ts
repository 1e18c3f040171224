import type { Message } from 'kafkajs';
import { sourceKey, type DualStreamEvent } from '@dual-stream/nestjs';
// Internals on purpose: records byte-identical to what DualStreamPublisher writes (docs/protocol.md "Kafka
// record"), produced in bulk without running a publisher.
import { prepareEvent } from '../../libs/dual-stream/src/events/event-validator.js';
import { recordHeaders } from '../../libs/dual-stream/src/publisher/kafka-records.js';

/** One event as the publisher writes it to Kafka: envelope JSON, source key, CloudEvents headers. */
export function publisherRecord(input: DualStreamEvent): { id: string; message: Message } {
  const prepared = prepareEvent(input, 1024 * 1024);
  const key = sourceKey(prepared.event.source);
  const headers = recordHeaders({ prepared });
  return { id: prepared.event.id, message: { key, value: prepared.json, headers } };
}
