import type { KafkaRecord } from '../kafka/kafka-port.interface.js';
import type { NormalizedEvent } from '../interfaces/dual-stream-event.interface.js';
import type { DeadLetterWriter } from './dead-letter.writer.js';
import type { Outcome, RecordPosition } from './delivery.interface.js';
import { DurableContext } from './durable.context.js';
import { parseEnvelope } from './envelope-parser.js';
import type { HandlerAttempts } from './handler-attempts.js';
import type { DurableRoute } from './handler-registry.js';
import { recordInfo } from './record-info.js';

/**
 * One record's way from its value to `done`: parse the envelope (no envelope: dead letter at once), call the
 * handler with a `DurableContext` under the retry policy, and dead-letter it when it failed for good.
 */
export class RecordProcessor {
  constructor(
    private readonly attempts: HandlerAttempts,
    private readonly deadLetters: DeadLetterWriter,
    private readonly heartbeat: () => Promise<void>,
  ) {}

  async process(route: DurableRoute, at: RecordPosition, message: KafkaRecord): Promise<Outcome> {
    let event: NormalizedEvent;
    try {
      event = parseEnvelope(message.value);
    } catch (err) {
      return this.deadLetters.writeUnparseable(route, at, message, err);
    }
    return this.attempts.run(
      route,
      `${at.topic}[${at.partition}]@${message.offset}`,
      event,
      (attempt) => new DurableContext(recordInfo(route, at, message, attempt), this.heartbeat),
      (attempts, failure) => this.deadLetters.write(route, at, message, attempts, failure),
    );
  }
}
