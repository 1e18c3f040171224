import { isPartition, parseOffset } from '../events/event-rules.js';
import type { KafkaPosition } from '../interfaces/dual-stream-event.interface.js';

/**
 * Validates a client's `from` against the topic its channel's events are written to: a client may only make
 * the gateway read that topic (and only records of its own source are ever sent).
 */
export function readFrom(raw: unknown, expectedTopic: string): KafkaPosition | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object') throw new Error('`from` must be { topic, partition, offset }');
  const { topic, partition, offset } = raw as Record<string, unknown>;
  if (topic !== expectedTopic) throw new Error(`\`from.topic\` must be "${expectedTopic}" for this channel`);
  if (!isPartition(partition)) throw new Error('`from.partition` must be a non-negative integer');
  const text = typeof offset === 'number' && Number.isSafeInteger(offset) ? String(offset) : offset;
  // The message predates the int64 bound; a client never holds an offset past it anyway.
  if (parseOffset(text) === undefined) throw new Error('`from.offset` must be a non-negative decimal string');
  return { topic, partition, offset: text as string };
}
