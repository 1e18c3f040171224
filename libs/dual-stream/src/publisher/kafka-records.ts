import { ceSource } from '../events/event-naming.js';
import type { PendingEvent } from './pending-group.js';

/** CloudEvents Kafka protocol binding attributes (docs/protocol.md "Kafka record") plus the user's headers. */
export function recordHeaders(pending: Pick<PendingEvent, 'prepared'>): Record<string, string> {
  const { event } = pending.prepared;
  return {
    ...event.headers,
    ce_specversion: '1.0',
    ce_id: event.id,
    ce_type: event.type,
    ce_source: ceSource(event.source),
    ce_time: event.time,
  };
}

/** Bytes of a zigzag varint holding the non-negative `n` (the lengths and counts of a v2 record). */
function varintBytes(n: number): number {
  return n < 0x40 ? 1 : n < 0x2000 ? 2 : n < 0x10_0000 ? 3 : n < 0x800_0000 ? 4 : 5;
}

/** Bytes of one record header: length-prefixed name and value. */
function headerBytes(nameBytes: number, valueBytes: number): number {
  return varintBytes(nameBytes) + nameBytes + varintBytes(valueBytes) + valueBytes;
}

/**
 * The most a record's framing can take: its length (varint, at most 5 bytes), attributes (1), timestamp
 * delta (varlong, at most 10) and offset delta (varint, at most 5). Taken at their maximum so the estimate
 * never falls short, whatever position and timestamp the record gets in its batch.
 */
const RECORD_FRAMING_MAX_BYTES = 5 + 1 + 10 + 5;
const CE_SPECVERSION_BYTES = headerBytes('ce_specversion'.length, '1.0'.length);

/**
 * An upper bound (exact but for at most ~15 bytes of framing) of the bytes this event's record takes in a
 * Kafka v2 record batch: framing, key, value and the headers of `recordHeaders`, uncompressed. What the broker
 * checks against `message.max.bytes` is the sum over one partition's records plus the batch header.
 */
export function recordBytes(pending: Pick<PendingEvent, 'prepared' | 'key'>): number {
  const { event, bytes } = pending.prepared;
  const keyBytes = Buffer.byteLength(pending.key);
  let headers = 0;
  let count = 5;
  for (const name in event.headers) {
    headers += headerBytes(Buffer.byteLength(name), Buffer.byteLength(event.headers[name]));
    count++;
  }
  // id, type and time are ASCII (validated); ce_source `{type}/{id}` is as long as the key `{type}:{id}`.
  headers +=
    CE_SPECVERSION_BYTES +
    headerBytes('ce_id'.length, event.id.length) +
    headerBytes('ce_type'.length, event.type.length) +
    headerBytes('ce_source'.length, keyBytes) +
    headerBytes('ce_time'.length, event.time.length);
  return (
    RECORD_FRAMING_MAX_BYTES +
    varintBytes(keyBytes) +
    keyBytes +
    varintBytes(bytes) +
    bytes +
    varintBytes(count) +
    headers
  );
}
