import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  NonRetriableError,
  channelFor,
  parseChannel,
  type DurableBatchContext,
  type DurableRecordInfo,
  type KafkaPosition,
} from '@dual-stream/nestjs';
import { ConsumerMetrics } from '../metrics/consumer.metrics.js';
import type { StoredEvent } from './projected-event.js';
import { ProjectionWriter } from './projection-writer.js';
import type { ProjectionRecord } from './projection.store.js';

/**
 * Applies one fetched batch of a partition to the projection in one SQLite transaction (on the writer's thread).
 * The handler returns only once that transaction is on disk, and only then does the transport commit the
 * batch's offsets: after a crash, every committed offset is in the file and the rest is redelivered and
 * deduplicated. A record that is not a dual-stream envelope is poison: it goes to the dead-letter topic alone.
 */
@Injectable()
export class Projector {
  private readonly logger = new Logger('Projector');

  constructor(
    @Inject(ProjectionWriter) private readonly writer: ProjectionWriter,
    private readonly metrics: ConsumerMetrics,
  ) {}

  async projectBatch(payloads: readonly unknown[], ctx: DurableBatchContext): Promise<void> {
    const infos = ctx.getRecords();
    const records: ProjectionRecord[] = [];
    payloads.forEach((payload, i) => {
      try {
        records.push({ event: asEnvelope(payload), position: positionOf(infos[i]!) });
      } catch (err) {
        // Retrying cannot make it an envelope: straight to the dead-letter topic, the rest of the batch goes on.
        ctx.reject(i, err as Error);
      }
    });
    if (records.length === 0) return;
    const topic = ctx.getTopic();
    try {
      const written = await this.writer.apply(records);
      this.metrics.projected(topic, written.outcomes, written.commitMs);
    } catch (err) {
      // A store failure (disk full, locked) is worth retrying: rethrow, the transport backs off and retries the
      // batch. Until a retry succeeds no catch-up cursor may pass these records (they may end in the DLQ).
      this.metrics.handlerError(topic);
      await this.writer.markUnapplied(records.map((r) => r.position)).catch(() => undefined);
      this.logger.error(
        `cannot store ${topic}/${ctx.getPartition()}@${ctx.getFirstOffset()}..${ctx.getLastOffset()}: ${(err as Error).message}`,
      );
      throw err;
    }
  }
}

function positionOf(info: DurableRecordInfo): KafkaPosition {
  return { topic: info.topic, partition: info.partition, offset: info.offset };
}

/** Non-retriable: retrying a record that is not an envelope cannot help, so it goes to the DLQ at once. */
function asEnvelope(payload: unknown): StoredEvent {
  const e = payload as Partial<StoredEvent> | null;
  if (typeof e !== 'object' || e === null || Array.isArray(e)) {
    throw new NonRetriableError('record value is not an event object');
  }
  if (typeof e.id !== 'string' || e.id.length === 0) throw new NonRetriableError('event has no id');
  if (typeof e.type !== 'string') throw new NonRetriableError('event has no type');
  if (typeof e.time !== 'string') throw new NonRetriableError('event has no time');
  if (typeof e.source !== 'object' || e.source === null) throw new NonRetriableError('event has no source');
  try {
    parseChannel(channelFor('', e.source));
  } catch (err) {
    throw new NonRetriableError(`event source is invalid: ${(err as Error).message}`);
  }
  return { ...e, data: e.data ?? null, headers: e.headers ?? {} } as StoredEvent;
}
