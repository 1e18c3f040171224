import type { KafkaRecord, OutgoingRecord } from '../kafka/kafka-port.interface.js';
import type { HandlerFailure } from './failure-classifier.js';

export interface DeadLetterSource {
  topic: string;
  partition: number;
  groupId: string;
  message: KafkaRecord;
  /** Handler attempts made; 0 when the record could not be parsed. */
  attempts: number;
  failure: Omit<HandlerFailure, 'retriable'>;
}

/** Kafka headers are small by convention; a runaway stack must not make the dead-letter record too large. */
const MAX_HEADER_CHARS = 8192;
const clip = (value: string) => (value.length > MAX_HEADER_CHARS ? `${value.slice(0, MAX_HEADER_CHARS)}…` : value);

/** The dead-letter record: the original key, value and headers, plus `dlq_*` headers saying what failed where. */
export function deadLetterMessage(topic: string, source: DeadLetterSource): OutgoingRecord {
  const { message, failure } = source;
  const headers: NonNullable<OutgoingRecord['headers']> = {
    ...plainHeaders(message.headers),
    dlq_error_name: clip(failure.name),
    dlq_error_message: clip(failure.message),
    dlq_error_stack: clip(failure.stack),
    dlq_original_topic: source.topic,
    dlq_original_partition: String(source.partition),
    dlq_original_offset: message.offset,
    dlq_original_timestamp: message.timestamp,
    dlq_group_id: source.groupId,
    dlq_attempts: String(source.attempts),
  };
  return { topic, key: message.key, value: message.value, headers };
}

/** The original headers (a repeated one keeps every value), without entries that carry none. */
function plainHeaders(headers: KafkaRecord['headers']): NonNullable<OutgoingRecord['headers']> {
  const out: NonNullable<OutgoingRecord['headers']> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) out[name] = value;
  return out;
}
