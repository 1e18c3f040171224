/**
 * A Kafka position `{ topic, partition, offset }` (docs/protocol.md "Positions and cursors"). `offset` is a
 * decimal string: Kafka offsets are 64-bit and JavaScript numbers are exact only up to 2^53, so offsets are
 * compared as BigInt and only within one topic and partition.
 */
export interface Position {
  topic: string;
  partition: number;
  /** Decimal string, `0` to 2^63 − 1. */
  offset: string;
}

const OFFSET = /^(0|[1-9]\d{0,18})$/;
const INT64_MAX = 2n ** 63n - 1n;
const MAX_PARTITION = 1_000_000;

/** A canonical Kafka offset: `0` or `[1-9]` and up to 18 more digits, within int64. */
export function isOffset(value: unknown): value is string {
  return typeof value === 'string' && OFFSET.test(value) && BigInt(value) <= INT64_MAX;
}

/** The one structural check of a position, for everything that crosses a process boundary. */
export function isPosition(value: unknown): value is Position {
  if (typeof value !== 'object' || value === null) return false;
  const { topic, partition, offset } = value as Record<string, unknown>;
  return (
    typeof topic === 'string' &&
    topic.length > 0 &&
    topic.length <= 249 &&
    Number.isInteger(partition) &&
    (partition as number) >= 0 &&
    (partition as number) <= MAX_PARTITION &&
    isOffset(offset)
  );
}

/** Just the three position fields of an event or cursor. */
export const positionOf = (p: Position): Position => ({ topic: p.topic, partition: p.partition, offset: p.offset });

export const samePartition = (a: Position, b: Position): boolean => a.topic === b.topic && a.partition === b.partition;

/** True when `event` is on the partition of `position` and not after it: the client already has it. */
export function isAtOrBefore(event: Position, position: Position | undefined): boolean {
  return !!position && samePartition(event, position) && BigInt(event.offset) <= BigInt(position.offset);
}

/** True when `a` is on the partition of `b` and strictly after it. */
export function isAfter(a: Position, b: Position): boolean {
  return samePartition(a, b) && BigInt(a.offset) > BigInt(b.offset);
}

/** A total order over positions (topic, then partition, then offset as BigInt), for sorting held events. */
export function comparePositions(a: Position, b: Position): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  if (a.partition !== b.partition) return a.partition - b.partition;
  const x = BigInt(a.offset);
  const y = BigInt(b.offset);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The offset just before `position`'s, or undefined for offset 0 (read "from the oldest kept"). */
export function offsetBefore(position: Position): string | undefined {
  const offset = BigInt(position.offset);
  return offset === 0n ? undefined : (offset - 1n).toString();
}
