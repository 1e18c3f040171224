import type { LoggerService } from '@nestjs/common';
import type { KafkaMessage } from 'kafkajs';
import type { NormalizedEvent } from '../interfaces/dual-stream-event.interface.js';
import { backoffDelayMs, sleep } from './backoff.js';
import type { DeadLetterProducer } from './dead-letter.producer.js';
import { headersAsStrings } from './dead-letter.js';
import { DurableBatchContext, DurableContext, type DurableRecordInfo } from './durable.context.js';
import { parseEnvelope } from './envelope-parser.js';
import type { HandlerFailure } from './failure-classifier.js';
import type { DurableRoute } from './handler-registry.js';

/** Runs the Nest handler; resolves with the failure, or `undefined` on success. Never rejects. */
export type InvokeHandler = (pattern: string, payload: unknown, ctx: object) => Promise<HandlerFailure | undefined>;

export interface DeadLetterInfo {
  groupId: string;
  topic: string;
  partition: number;
  offset: string;
  deadLetterTopic: string;
  attempts: number;
  error: string;
}

/** `done`: handled or dead-lettered, may be committed. `abandoned`: shutdown came first, deliver again later. */
export type Outcome = 'done' | 'abandoned';

export interface RecordPosition {
  topic: string;
  partition: number;
}

/** One record's (or one batch's) way through parse, attempts with backoff, and the dead-letter topic. */
export class RecordProcessor {
  constructor(
    private readonly invoke: InvokeHandler,
    private readonly deadLetters: DeadLetterProducer,
    private readonly onDeadLetter: (info: DeadLetterInfo) => void,
    private readonly heartbeat: () => Promise<void>,
    private readonly stopSignal: AbortSignal,
    private readonly logger: LoggerService,
  ) {}

  async processOne(route: DurableRoute, at: RecordPosition, message: KafkaMessage): Promise<Outcome> {
    let event: NormalizedEvent;
    try {
      event = parseEnvelope(message.value);
    } catch (err) {
      return this.deadLetter(route, at, message, 0, describeError(err));
    }
    for (let attempt = 1; ; attempt++) {
      const ctx = new DurableContext(recordInfo(route, at, message, attempt), this.heartbeat);
      const failure = await this.invoke(route.pattern, event, ctx);
      if (!failure) return 'done';
      if (!failure.retriable || attempt >= route.retry.attempts) {
        return this.deadLetter(route, at, message, attempt, failure);
      }
      if (!(await this.backoff(route, attempt, `${at.topic}[${at.partition}]@${message.offset}`, failure))) {
        return 'abandoned';
      }
    }
  }

  /** `batch: true` handlers: unparseable records are dead-lettered alone, the rest retried and dead-lettered together. */
  async processChunk(route: DurableRoute, at: RecordPosition, chunk: KafkaMessage[]): Promise<Outcome> {
    const events: NormalizedEvent[] = [];
    const parsed: KafkaMessage[] = [];
    for (const message of chunk) {
      try {
        events.push(parseEnvelope(message.value));
        parsed.push(message);
      } catch (err) {
        if ((await this.deadLetter(route, at, message, 0, describeError(err))) === 'abandoned') return 'abandoned';
      }
    }
    if (parsed.length === 0) return 'done';
    for (let attempt = 1; ; attempt++) {
      const ctx = new DurableBatchContext(
        parsed.map((m) => recordInfo(route, at, m, attempt)),
        this.heartbeat,
      );
      const failure = await this.invoke(route.pattern, events, ctx);
      if (!failure) return 'done';
      if (!failure.retriable || attempt >= route.retry.attempts) {
        for (const message of parsed) {
          if ((await this.deadLetter(route, at, message, attempt, failure)) === 'abandoned') return 'abandoned';
        }
        return 'done';
      }
      const where = `batch ${at.topic}[${at.partition}]@${parsed[0].offset}..${parsed[parsed.length - 1].offset}`;
      if (!(await this.backoff(route, attempt, where, failure))) return 'abandoned';
    }
  }

  /** Waits before the next attempt; false when shutdown interrupted the wait. */
  private async backoff(
    route: DurableRoute,
    attempt: number,
    where: string,
    failure: HandlerFailure,
  ): Promise<boolean> {
    const delay = backoffDelayMs(attempt, route.retry);
    this.logger.warn(
      `dual-stream: ${where} attempt ${attempt}/${route.retry.attempts} failed (${failure.name}: ${failure.message}); retrying in ${delay} ms`,
    );
    await sleep(delay, this.stopSignal);
    return !this.stopSignal.aborted;
  }

  /** Produces to the dead-letter topic, retrying until Kafka takes it; gives up only when stopping. */
  private async deadLetter(
    route: DurableRoute,
    at: RecordPosition,
    message: KafkaMessage,
    attempts: number,
    failure: Omit<HandlerFailure, 'retriable'>,
  ): Promise<Outcome> {
    const source = { ...at, groupId: route.groupId, message, attempts, failure };
    const where = `${at.topic}[${at.partition}]@${message.offset}`;
    for (let tries = 1; ; tries++) {
      try {
        await this.deadLetters.send(route.deadLetterTopic, source);
        break;
      } catch (err) {
        this.logger.error(
          `dual-stream: could not write ${where} to ${route.deadLetterTopic} (${(err as Error).message}); ` +
            'the record stays uncommitted and is retried so it is not lost.',
        );
        await sleep(100 + backoffDelayMs(tries, { backoffMs: 500, maxBackoffMs: 10_000 }), this.stopSignal);
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

function recordInfo(
  route: DurableRoute,
  at: RecordPosition,
  message: KafkaMessage,
  attempt: number,
): DurableRecordInfo {
  let headers: Record<string, string> | undefined;
  return {
    topic: at.topic,
    partition: at.partition,
    offset: message.offset,
    key: message.key === null ? null : message.key.toString(),
    // Decoded on first use: most handlers never read them.
    get headers() {
      return (headers ??= headersAsStrings(message.headers));
    },
    timestamp: message.timestamp,
    groupId: route.groupId,
    attempt,
  };
}

function describeError(err: unknown): Omit<HandlerFailure, 'retriable'> {
  const e = err as Error;
  return { name: e.name, message: e.message, stack: e.stack ?? '' };
}
