import { Inject, Injectable, Logger } from '@nestjs/common';
import { NonRetriableError, sourceProblem, type DurableBatchContext, type KafkaPosition } from '@dual-stream/nestjs';
import { ConsumerMetrics } from '../metrics/consumer.metrics.js';
import type { StoredEvent } from './projected-event.js';
import { ProjectionWriter } from './projection-writer.js';

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
    const events: StoredEvent[] = [];
    const offsets: string[] = [];
    for (let i = 0; i < payloads.length; i++) {
      try {
        events.push(asEnvelope(payloads[i]));
        offsets.push(infos[i]!.offset);
      } catch (err) {
        // Retrying cannot make it an envelope: straight to the dead-letter topic, the rest of the batch goes on.
        ctx.reject(i, err as Error);
      }
    }
    if (events.length === 0) return;
    // One batch is one partition's: every record shares the topic and partition.
    const topic = ctx.getTopic();
    const partition = ctx.getPartition();
    try {
      const written = await this.writer.apply(topic, partition, offsets, events);
      this.metrics.projected(topic, written.outcomes, written.commitMs);
    } catch (err) {
      // A store failure (disk full, locked) is worth retrying: rethrow, the transport backs off and retries the
      // batch. Until a retry succeeds no catch-up cursor may pass these records (they may end in the DLQ).
      this.metrics.handlerError(topic);
      const positions: KafkaPosition[] = offsets.map((offset) => ({ topic, partition, offset }));
      await this.writer.markUnapplied(positions).catch(() => undefined);
      this.logger.error(
        `cannot store ${topic}/${partition}@${ctx.getFirstOffset()}..${ctx.getLastOffset()}: ${(err as Error).message}`,
      );
      throw err;
    }
  }
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
  const problem = sourceProblem(e.source);
  if (problem) throw new NonRetriableError(`event source is invalid: ${problem}`);
  // `data` and `headers` may be absent: the store writes them as null and {}.
  return e as StoredEvent;
}
