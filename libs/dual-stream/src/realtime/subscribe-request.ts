import type { KafkaPosition } from '../interfaces/dual-stream-event.interface.js';

const OFFSET = /^(0|[1-9]\d{0,18})$/;

/**
 * Validates a client's `from` against the topic its channel's events are written to: a client may only make
 * the gateway read that topic (and only records of its own source are ever sent).
 */
export function readFrom(raw: unknown, expectedTopic: string): KafkaPosition | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object') throw new Error('`from` must be { topic, partition, offset }');
  const { topic, partition, offset } = raw as Record<string, unknown>;
  if (topic !== expectedTopic) throw new Error(`\`from.topic\` must be "${expectedTopic}" for this channel`);
  if (typeof partition !== 'number' || !Number.isInteger(partition) || partition < 0 || partition > 1_000_000) {
    throw new Error('`from.partition` must be a non-negative integer');
  }
  const text = typeof offset === 'number' && Number.isSafeInteger(offset) ? String(offset) : offset;
  if (typeof text !== 'string' || !OFFSET.test(text)) {
    throw new Error('`from.offset` must be a non-negative decimal string');
  }
  return { topic, partition, offset: text };
}
