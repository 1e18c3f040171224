import type { KafkaPosition } from '../interfaces/dual-stream-event.interface.js';
import type { PendingEvent } from './pending-group.js';

/**
 * The Redis payload (docs/protocol.md "Realtime notification"): ids and the Kafka position; `data` only when
 * inlining is on and its JSON is at most `maxInlineBytes`.
 *
 * Built by concatenation instead of `JSON.stringify` of a fresh object, because it runs once per event on
 * the publish path. The text is the same as `JSON.stringify` would give (same field order): `type`,
 * `source.type` and `time` passed the validator's patterns, so they never need escaping, and the offset is
 * digits; the free-form strings (ids, topic) still go through `JSON.stringify`.
 */
export function notificationJson(
  pending: PendingEvent,
  position: KafkaPosition,
  inlineData: boolean,
  maxInlineBytes: number,
): string {
  const head = `${pending.notificationHead ?? notificationHead(pending)}${position.partition},"offset":"${position.offset}"`;
  if (inlineData) {
    const data = JSON.stringify(pending.prepared.event.data);
    // Bytes, not characters; length is a cheap lower bound that rules most payloads out first.
    if (data !== undefined && data.length <= maxInlineBytes && Buffer.byteLength(data) <= maxInlineBytes) {
      return `${head},"data":${data}}`;
    }
  }
  return `${head}}`;
}

/** Everything up to the partition, which is all that is known before Kafka acknowledged. */
export function notificationHead(pending: PendingEvent): string {
  const { event } = pending.prepared;
  return (
    `{"kind":"event","id":${JSON.stringify(event.id)},"type":"${event.type}","source":{"type":"${event.source.type}","id":${JSON.stringify(event.source.id)}},` +
    `"time":"${event.time}","topic":${JSON.stringify(pending.topic)},"partition":`
  );
}
