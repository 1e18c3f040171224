import type { MessageToProduce, RecordsBatch } from '@platformatic/kafka';
import type { KafkaPosition } from '../../interfaces/dual-stream-event.interface.js';
import type { KafkaHeaders, KafkaRecord, OutgoingRecord } from '../kafka-port.interface.js';
import { keyPartition } from '../key-partition.js';

export type BufferMessage = MessageToProduce<Buffer, Buffer, Buffer, Buffer>;

const asBuffer = (value: string | Buffer): Buffer => (typeof value === 'string' ? Buffer.from(value) : value);

/** Header names repeat on every record (`ce_*`): their bytes are made once. Never mutated by the client. */
const headerNames = new Map<string, Buffer>();
const MAX_HEADER_NAMES = 1024;

function headerName(name: string): Buffer {
  let bytes = headerNames.get(name);
  if (!bytes) {
    if (headerNames.size >= MAX_HEADER_NAMES) headerNames.clear();
    headerNames.set(name, (bytes = Buffer.from(name)));
  }
  return bytes;
}

/**
 * The headers of a record as `@platformatic/kafka` writes them: a Map, one entry per value. A repeated header
 * needs one Map key per value, so each repeat gets its own Buffer of the name (Map keys compare by identity).
 */
function headersOf(headers: OutgoingRecord['headers']): Map<Buffer, Buffer> | undefined {
  if (!headers) return undefined;
  const map = new Map<Buffer, Buffer>();
  for (const name in headers) {
    const value = headers[name];
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        map.set(i === 0 ? headerName(name) : Buffer.from(name), asBuffer(value[i]));
      }
    } else map.set(headerName(name), asBuffer(value));
  }
  return map;
}

/**
 * The messages of one send with their partition set: a keyed record goes to `keyPartition(key, count)` (the
 * Java client's and kafkajs' murmur2 placement: `@platformatic/kafka`'s own default differs, it masks with
 * `>>> 0`), an unkeyed one round-robin. `counts` has the partition count of every topic of `records`.
 */
export function toMessages(
  records: readonly OutgoingRecord[],
  counts: ReadonlyMap<string, number>,
  roundRobin: Map<string, number>,
): BufferMessage[] {
  const messages = new Array<BufferMessage>(records.length);
  for (let i = 0; i < records.length; i++) {
    const { topic, key, value, headers } = records[i];
    const count = counts.get(topic)!;
    let partition: number;
    if (key === null) {
      const next = roundRobin.get(topic) ?? 0;
      roundRobin.set(topic, next + 1);
      partition = next % count;
    } else partition = keyPartition(key, count);
    messages[i] = {
      topic,
      partition,
      key: key === null ? undefined : asBuffer(key),
      value: value === null ? undefined : asBuffer(value),
      headers: headersOf(headers),
    };
  }
  return messages;
}

/**
 * Each message's position: the partition's base offset (one per partition in the produce response) plus the
 * message's index among this send's messages of that partition (written in array order).
 */
export function positionsOf(
  messages: readonly BufferMessage[],
  offsets: readonly { topic: string; partition: number; offset: bigint }[] | undefined,
): KafkaPosition[] {
  const next = new Map<string, number | bigint>();
  for (const o of offsets ?? []) {
    const base = Number(o.offset);
    next.set(`${o.partition}:${o.topic}`, Number.isSafeInteger(base + messages.length) ? base : o.offset);
  }
  const positions = new Array<KafkaPosition>(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const { topic, partition } = messages[i];
    const slot = `${partition}:${topic}`;
    const offset = next.get(slot);
    if (offset === undefined) throw new Error(`Kafka acknowledged no record batch for ${topic}[${partition}]`);
    next.set(slot, typeof offset === 'bigint' ? offset + 1n : offset + 1);
    positions[i] = { topic, partition: partition!, offset: String(offset) };
  }
  return positions;
}

/** Record batches whose attributes have this bit are transaction markers, not records. */
const IS_CONTROL = 0b10_0000;

/** What one partition of a fetch response brought: its records from `from` on, and where the next fetch starts. */
export interface DecodedPartition {
  records: KafkaRecord[];
  /** One past the last offset of the response's batches (control batches included); undefined without batches. */
  nextOffset: bigint | undefined;
}

function headersFrom(headers: [Buffer | null, Buffer | null][]): KafkaHeaders | undefined {
  if (headers.length === 0) return undefined;
  const out: KafkaHeaders = {};
  for (const [rawName, value] of headers) {
    const name = rawName ? rawName.toString() : '';
    const bytes = value ?? undefined;
    const seen = out[name];
    if (seen === undefined) out[name] = bytes;
    else if (Array.isArray(seen)) seen.push(bytes as Buffer);
    else out[name] = [seen, bytes as Buffer];
  }
  return out;
}

/** The records of `batches` at or after `from` (a fetch may start earlier, at its batch's first offset). */
export function decodeBatches(batches: readonly RecordsBatch[] | null | undefined, from: bigint): DecodedPartition {
  const records: KafkaRecord[] = [];
  let nextOffset: bigint | undefined;
  for (const batch of batches ?? []) {
    nextOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
    if (batch.attributes & IS_CONTROL) continue;
    // Plain numbers while the batch's offsets and timestamps are safe integers (always, in practice): BigInt
    // arithmetic and formatting per record showed on the consume path. BigInt stays as the exact fallback.
    const base = Number(batch.firstOffset);
    const time = Number(batch.firstTimestamp);
    const exact = !Number.isSafeInteger(base + batch.lastOffsetDelta) || !Number.isSafeInteger(time);
    const start = exact ? 0 : Number(from);
    for (const record of batch.records) {
      let offset: string;
      let timestamp: string;
      if (exact) {
        const at = batch.firstOffset + BigInt(record.offsetDelta);
        if (at < from) continue;
        offset = at.toString();
        timestamp = (batch.firstTimestamp + record.timestampDelta).toString();
      } else {
        const at = base + record.offsetDelta;
        if (at < start) continue;
        offset = String(at);
        timestamp = String(time + Number(record.timestampDelta));
      }
      records.push({
        key: record.key ?? null,
        value: record.value ?? null,
        headers: headersFrom(record.headers),
        offset,
        timestamp,
      });
    }
  }
  return { records, nextOffset };
}
