import { Inject, Injectable, Logger } from '@nestjs/common';
import { NonRetriableError, channelFor, parseChannel, type KafkaPosition } from '@dual-stream/nestjs';
import { ConsumerMetrics } from '../metrics/consumer.metrics.js';
import type { ApplyOutcome, StoredEvent } from './projected-event.js';
import { ProjectionStore } from './projection.store.js';

/** Applies one Kafka record to the projection. Anything that is not a dual-stream envelope is poison. */
@Injectable()
export class Projector {
  private readonly logger = new Logger('Projector');

  constructor(
    @Inject(ProjectionStore) private readonly store: ProjectionStore,
    private readonly metrics: ConsumerMetrics,
  ) {}

  project(payload: unknown, position: KafkaPosition): ApplyOutcome {
    const event = asEnvelope(payload);
    try {
      const outcome = this.store.apply(event, position);
      this.metrics.projected(position.topic, outcome);
      return outcome;
    } catch (err) {
      // A store failure (disk full, locked) is worth retrying: rethrow, the transport backs off and retries.
      // Until a retry succeeds no catch-up cursor may pass this record (it may end in the dead-letter topic).
      this.metrics.handlerError(position.topic);
      try {
        this.store.markUnapplied(position);
      } catch {
        // The same disk fault: the error below is the one to act on.
      }
      this.logger.error(
        `cannot store ${position.topic}/${position.partition}@${position.offset}: ${(err as Error).message}`,
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
  try {
    parseChannel(channelFor('', e.source));
  } catch (err) {
    throw new NonRetriableError(`event source is invalid: ${(err as Error).message}`);
  }
  return { ...e, data: e.data ?? null, headers: e.headers ?? {} } as StoredEvent;
}
