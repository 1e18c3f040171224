import type { KafkaHeaders, KafkaRecord } from '../kafka/kafka-port.interface.js';
import type { RecordPosition } from './delivery.interface.js';
import type { DurableRecordInfo } from './durable.context.js';
import type { DurableRoute } from './handler-registry.js';

/** What a durable context tells about `message` on its `attempt`-th delivery. */
export function recordInfo(
  route: DurableRoute,
  at: RecordPosition,
  message: KafkaRecord,
  attempt: number,
): DurableRecordInfo {
  let headers: Record<string, string> | undefined;
  let key: string | null | undefined;
  return {
    topic: at.topic,
    partition: at.partition,
    offset: message.offset,
    // Key and headers are decoded on first use: most handlers never read them (a batch has hundreds of records).
    get key() {
      return key === undefined ? (key = message.key === null ? null : message.key.toString()) : key;
    },
    get headers() {
      return (headers ??= headersAsStrings(message.headers));
    },
    timestamp: message.timestamp,
    groupId: route.groupId,
    attempt,
  };
}

/** Record headers as strings (what `DurableContext.getHeaders()` shows); multi-valued headers keep the last value. */
function headersAsStrings(headers: KafkaHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (!headers) return result;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) result[name] = last.toString();
  }
  return result;
}
