import type { KafkaPosition, RealtimeNotification } from '../interfaces/dual-stream-event.interface.js';
import type { PendingEvent } from './pending-group.js';

/**
 * The Redis payload (DESIGN §4): ids and the Kafka position; `data` only when inlining is on and its JSON
 * is at most `maxInlineBytes`.
 */
export function notificationJson(pending: PendingEvent, position: KafkaPosition, inlineData: boolean, maxInlineBytes: number): string {
  const { event } = pending.prepared;
  const notification: RealtimeNotification = {
    kind: 'event',
    id: event.id,
    type: event.type,
    source: event.source,
    time: event.time,
    topic: position.topic,
    partition: position.partition,
    offset: position.offset,
  };
  if (inlineData) {
    const data = JSON.stringify(event.data);
    // Bytes, not characters; length is a cheap lower bound that rules most payloads out first.
    if (data !== undefined && data.length <= maxInlineBytes && Buffer.byteLength(data) <= maxInlineBytes)
      return `${JSON.stringify(notification).slice(0, -1)},"data":${data}}`;
  }
  return JSON.stringify(notification);
}
