import type { KafkaRecord } from '../kafka/kafka-port.interface.js';
import type { NormalizedEvent, RealtimeNotification } from '../interfaces/dual-stream-event.interface.js';
import { parseEnvelope } from '../transport/envelope-parser.js';

/**
 * The notification the publisher would have sent for this record (docs/protocol.md "Realtime notification"), so replayed and live events look
 * the same to clients. `undefined` for a record that is not a dual-stream envelope (a replay skips it).
 */
export function toNotification(
  record: KafkaRecord,
  topic: string,
  partition: number,
  inlineData: boolean,
  maxInlineBytes: number,
): RealtimeNotification | undefined {
  let envelope: NormalizedEvent;
  try {
    // The handlers' parser: a record is an envelope for both or for neither (no `source: null` sent to clients).
    envelope = parseEnvelope(record.value);
  } catch {
    return undefined;
  }
  const notification: RealtimeNotification = {
    kind: 'event',
    id: envelope.id,
    type: envelope.type,
    source: { type: envelope.source.type, id: envelope.source.id },
    time: envelope.time,
    topic,
    partition,
    offset: record.offset,
  };
  if (inlineData && envelope.data !== undefined) {
    const size = Buffer.byteLength(JSON.stringify(envelope.data));
    if (size <= maxInlineBytes) notification.data = envelope.data;
  }
  return notification;
}
