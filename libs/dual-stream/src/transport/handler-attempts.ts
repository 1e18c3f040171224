import type { LoggerService } from '@nestjs/common';
import { backoffDelayMs, sleep } from './backoff.js';
import type { InvokeHandler, Outcome } from './delivery.interface.js';
import type { HandlerFailure } from './failure-classifier.js';
import type { DurableRoute } from './handler-registry.js';

/**
 * The retry policy of `@OnDurable` handlers, the same for one record and for a batch: call the handler until it
 * succeeds, fails for good (not retriable, or the last of `retry.attempts`), or shutdown interrupts the
 * exponential backoff between two attempts.
 */
export class HandlerAttempts {
  constructor(
    private readonly invoke: InvokeHandler,
    private readonly stopSignal: AbortSignal,
    private readonly logger: LoggerService,
  ) {}

  /**
   * `contextFor(attempt)` builds each attempt's `@Ctx()`; `giveUp` decides the outcome of a delivery that failed
   * for good (the dead-letter topic). `where` names the delivery in log lines.
   */
  async run(
    route: DurableRoute,
    where: string,
    payload: unknown,
    contextFor: (attempt: number) => object,
    giveUp: (attempts: number, failure: HandlerFailure) => Promise<Outcome>,
  ): Promise<Outcome> {
    for (let attempt = 1; ; attempt++) {
      const failure = await this.invoke(route.pattern, payload, contextFor(attempt));
      if (!failure) return 'done';
      if (!failure.retriable || attempt >= route.retry.attempts) return giveUp(attempt, failure);
      const delay = backoffDelayMs(attempt, route.retry);
      this.logger.warn(
        `dual-stream: ${where} attempt ${attempt}/${route.retry.attempts} failed (${failure.name}: ${failure.message}); retrying in ${delay} ms`,
      );
      await sleep(delay, this.stopSignal);
      if (this.stopSignal.aborted) return 'abandoned';
    }
  }
}
