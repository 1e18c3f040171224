import type { KafkaPosition } from '@dual-stream/nestjs';
import type { ProjectedEvent } from '../projection/projected-event.js';
import type { SourcePage, TopicPartition } from '../projection/projection.store.js';

/**
 * The position a client subscribes `from` after reading this page (docs/protocol.md "Positions and cursors").
 * A full page: its last event (read on from it). Otherwise the latest of the last event, the client's own
 * `after`, and the offset up to which the projection had read the source's partition: every event of the
 * source up to that offset is in the projection, so nothing between the read and the subscribe is lost, even
 * for a source with no event yet. It stops before a record whose write failed (`unappliedFrom`), so the
 * gateway replays that one from Kafka. `null` only while the projection has read nothing of that partition and
 * the client gave no `after`.
 */
export function catchUpCursor(
  at: TopicPartition,
  page: SourcePage,
  limit: number,
  after: bigint | undefined,
): KafkaPosition | null {
  const last = page.events.at(-1);
  if (last && page.events.length >= limit) return positionOf(last);
  // Never past a record whose write failed: the gateway's replay must still deliver it.
  const projected =
    page.projectedUpTo === undefined
      ? undefined
      : page.unappliedFrom === undefined
        ? BigInt(page.projectedUpTo)
        : min(BigInt(page.projectedUpTo), BigInt(page.unappliedFrom) - 1n);
  const newest = [last && BigInt(last.offset), after, projected].reduce<bigint | undefined>(
    (max, o) => (o !== undefined && (max === undefined || o > max) ? o : max),
    undefined,
  );
  return newest === undefined ? null : { topic: at.topic, partition: at.partition, offset: newest.toString() };
}

export function positionOf(event: ProjectedEvent): KafkaPosition {
  return { topic: event.topic, partition: event.partition, offset: event.offset };
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
