import type { KafkaPosition } from '@dual-stream/nestjs';
import type { ApplyOutcome } from './projected-event.js';
import type { ProjectionRecord } from './projection.store.js';

/**
 * One partition batch as it crosses to the writer's thread: the envelopes as ONE JSON array string and their
 * offsets, instead of an array of record objects. A string is copied, not walked: the structured clone of
 * hundreds of nested objects (and the worker's rebuilding of them) cost more CPU than `JSON.stringify` here
 * plus `JSON.parse` there, on a machine whose cores the consumer shares with Kafka and the ingester.
 */
export interface ApplyBatch {
  topic: string;
  partition: number;
  /** Decimal offsets, one per event, in order. */
  offsets: string[];
  /** `JSON.stringify` of the envelopes, in the same order. */
  eventsJson: string;
}

/** What the main thread asks the projection writer's thread. */
export type WriterRequest =
  | ({ id: number; op: 'apply' } & ApplyBatch)
  | { id: number; op: 'markUnapplied'; positions: KafkaPosition[] }
  | { id: number; op: 'close' };

/** The records of an `ApplyBatch`, as the store takes them (on the writer's thread). */
export function recordsOf(batch: ApplyBatch): ProjectionRecord[] {
  const events = JSON.parse(batch.eventsJson) as ProjectionRecord['event'][];
  if (events.length !== batch.offsets.length) {
    throw new Error(`apply batch has ${events.length} events for ${batch.offsets.length} offsets`);
  }
  const { topic, partition, offsets } = batch;
  return events.map((event, i) => ({ event, position: { topic, partition, offset: offsets[i]! } }));
}

/** Its answer: the outcome per record (in order), or the error the store threw. */
export type WriterReply =
  | { id: number; ok: true; outcomes?: ApplyOutcome[]; commitMs: number }
  | { id: number; ok: false; error: { name: string; message: string } };

/** Sent once the writer opened the database (or failed to). */
export type WriterReady = { ready: true } | { ready: false; error: { name: string; message: string } };

/** What the writer's thread is started with. */
export interface WriterData {
  dbPath: string;
  retentionPerSource: number;
}
