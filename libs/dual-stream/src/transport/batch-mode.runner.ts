import { setImmediate as nextLoopTurn } from 'node:timers/promises';
import type { LoggerService } from '@nestjs/common';
import type { BatchControls, FetchedBatch, KafkaRecord } from '../kafka/kafka-port.interface.js';
import type { NormalizedEvent } from '../interfaces/dual-stream-event.interface.js';
import type { DeadLetterWriter } from './dead-letter.writer.js';
import type { Outcome, RecordPosition } from './delivery.interface.js';
import { DurableBatchContext } from './durable.context.js';
import { parseEnvelope } from './envelope-parser.js';
import type { HandlerAttempts } from './handler-attempts.js';
import type { HandlerFailure } from './failure-classifier.js';
import type { DurableRoute } from './handler-registry.js';
import { recordInfo } from './record-info.js';

/** Commits `offset` (the next one to read) of a partition. */
type CommitOffset = (topic: string, partition: number, offset: string) => Promise<void>;

/**
 * `batch: true` routes. Each fetched partition batch is handled inside eachBatch (so the fetch waits for it), in
 * chunks of at most `maxBatchSize`, one after another, each committed when done. In a chunk, records that are no
 * envelope are dead-lettered alone; the rest go to the handler as one array and are retried and dead-lettered
 * together. Each chunk starts on a new turn of the event loop. A batch made stale by a rebalance stops at the next chunk: the partition's new owner continues
 * from the last commit.
 */
export class BatchModeRunner {
  private running = 0;

  constructor(
    private readonly attempts: HandlerAttempts,
    private readonly deadLetters: DeadLetterWriter,
    private readonly heartbeat: () => Promise<void>,
    private readonly commit: CommitOffset,
    private readonly stopSignal: AbortSignal,
    private readonly logger: LoggerService,
  ) {}

  /** A batch handler is running (the group keeps heartbeating). */
  get busy(): boolean {
    return this.running > 0;
  }

  async run(route: DurableRoute, batch: FetchedBatch, controls: BatchControls): Promise<void> {
    const at = { topic: batch.topic, partition: batch.partition };
    this.running++;
    try {
      for (let from = 0; from < batch.records.length; from += route.maxBatchSize) {
        // The driver decoded the whole fetch in the task that called us, and each chunk is parsed and handed to
        // the handler synchronously: one turn of the event loop per chunk keeps timers, heartbeats and HTTP
        // requests from waiting behind the decode and every partition's chunk of the fetch together.
        await nextLoopTurn();
        if (this.stopSignal.aborted || controls.isStale()) return;
        const chunk = batch.records.slice(from, from + route.maxBatchSize);
        if ((await this.processChunk(route, at, chunk)) === 'abandoned') return;
        const last = chunk[chunk.length - 1].offset;
        controls.resolveOffset(last);
        await this.commit(at.topic, at.partition, (BigInt(last) + 1n).toString()).catch((err: Error) =>
          this.logger.warn(
            `dual-stream: commit of ${at.topic}[${at.partition}] failed (${err.message}); it may be delivered again.`,
          ),
        );
      }
    } finally {
      this.running--;
    }
  }

  private async processChunk(route: DurableRoute, at: RecordPosition, chunk: KafkaRecord[]): Promise<Outcome> {
    const events: NormalizedEvent[] = [];
    const parsed: KafkaRecord[] = [];
    for (const message of chunk) {
      try {
        events.push(parseEnvelope(message.value));
        parsed.push(message);
      } catch (err) {
        if ((await this.deadLetters.writeUnparseable(route, at, message, err)) === 'abandoned') return 'abandoned';
      }
    }
    if (parsed.length === 0) return 'done';
    let context: DurableBatchContext | undefined;
    let failed = false;
    const outcome = await this.attempts.run(
      route,
      `batch ${at.topic}[${at.partition}]@${parsed[0].offset}..${parsed[parsed.length - 1].offset}`,
      events,
      (attempt) =>
        (context = new DurableBatchContext(
          parsed.map((m) => recordInfo(route, at, m, attempt)),
          this.heartbeat,
        )),
      async (attempts, failure) => {
        failed = true;
        return this.deadLetterAll(route, at, parsed, attempts, failure);
      },
    );
    if (outcome !== 'done' || failed || !context) return outcome;
    // The handler succeeded: records it rejected go to the dead-letter topic alone, before the chunk is committed.
    for (const [index, reason] of context.rejections()) {
      const failure = { name: reason.name, message: reason.message, stack: reason.stack ?? '' };
      const written = await this.deadLetters.write(route, at, parsed[index], context.getAttempt(), failure);
      if (written === 'abandoned') return 'abandoned';
    }
    return 'done';
  }

  private async deadLetterAll(
    route: DurableRoute,
    at: RecordPosition,
    messages: KafkaRecord[],
    attempts: number,
    failure: HandlerFailure,
  ): Promise<Outcome> {
    for (const message of messages) {
      if ((await this.deadLetters.write(route, at, message, attempts, failure)) === 'abandoned') return 'abandoned';
    }
    return 'done';
  }
}
