import type { LoggerService } from '@nestjs/common';
import type { KafkaRecord } from '../kafka/kafka-port.interface.js';
import { backoffDelayMs, sleep } from './backoff.js';
import type { DeadLetterProducer } from './dead-letter.producer.js';
import type { Outcome, RecordPosition } from './delivery.interface.js';
import type { HandlerFailure } from './failure-classifier.js';
import type { DurableRoute } from './handler-registry.js';

/** What `server.on('dead-letter', ...)` reports for each record written to a dead-letter topic. */
export interface DeadLetterInfo {
  groupId: string;
  topic: string;
  partition: number;
  offset: string;
  deadLetterTopic: string;
  attempts: number;
  error: string;
}

/** How long to wait before offering a dead letter to Kafka again. */
const RESEND_BACKOFF = { backoffMs: 500, maxBackoffMs: 10_000 };

/**
 * Moves a record that failed for good to its route's dead-letter topic. A record is committed only once its
 * dead letter is written, so a failed write is retried until Kafka takes it; only shutdown stops that (the
 * record stays uncommitted and is delivered again).
 */
export class DeadLetterWriter {
  constructor(
    private readonly producer: Pick<DeadLetterProducer, 'send'>,
    private readonly onDeadLetter: (info: DeadLetterInfo) => void,
    private readonly stopSignal: AbortSignal,
    private readonly logger: LoggerService,
  ) {}

  /** A record whose value is no envelope: dead-lettered without calling the handler (`attempts` 0). */
  writeUnparseable(route: DurableRoute, at: RecordPosition, message: KafkaRecord, error: unknown): Promise<Outcome> {
    const e = error as Error;
    return this.write(route, at, message, 0, { name: e.name, message: e.message, stack: e.stack ?? '' });
  }

  async write(
    route: DurableRoute,
    at: RecordPosition,
    message: KafkaRecord,
    attempts: number,
    failure: Omit<HandlerFailure, 'retriable'>,
  ): Promise<Outcome> {
    const source = { ...at, groupId: route.groupId, message, attempts, failure };
    const where = `${at.topic}[${at.partition}]@${message.offset}`;
    for (let tries = 1; ; tries++) {
      try {
        await this.producer.send(route.deadLetterTopic, source);
        break;
      } catch (err) {
        this.logger.error(
          `dual-stream: could not write ${where} to ${route.deadLetterTopic} (${(err as Error).message}); ` +
            'the record stays uncommitted and is retried so it is not lost.',
        );
        await sleep(100 + backoffDelayMs(tries, RESEND_BACKOFF), this.stopSignal);
        if (this.stopSignal.aborted) return 'abandoned';
      }
    }
    this.logger.warn(
      `dual-stream: ${where} sent to ${route.deadLetterTopic} after ${attempts} attempt(s): ${failure.name}: ${failure.message}`,
    );
    this.onDeadLetter({
      groupId: route.groupId,
      ...at,
      offset: message.offset,
      deadLetterTopic: route.deadLetterTopic,
      attempts,
      error: `${failure.name}: ${failure.message}`,
    });
    return 'done';
  }
}
