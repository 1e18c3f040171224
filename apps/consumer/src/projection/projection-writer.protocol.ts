import type { KafkaPosition } from '@dual-stream/nestjs';
import type { ApplyOutcome } from './projected-event.js';
import type { ProjectionRecord } from './projection.store.js';

/** What the main thread asks the projection writer's thread. */
export type WriterRequest =
  | { id: number; op: 'apply'; records: ProjectionRecord[] }
  | { id: number; op: 'markUnapplied'; positions: KafkaPosition[] }
  | { id: number; op: 'close' };

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
