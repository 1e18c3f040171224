import { Injectable } from '@nestjs/common';
import { ServiceMetrics } from '@app/service-kit';
import type { Counter } from 'prom-client';
import type { ApplyOutcome } from '../projection/projected-event.js';

@Injectable()
export class ConsumerMetrics {
  private readonly projectedTotal: Counter<'topic' | 'outcome'>;
  private readonly handlerErrors: Counter<'topic'>;
  private readonly deadLetters: Counter<'topic'>;

  constructor(readonly metrics: ServiceMetrics) {
    this.projectedTotal = metrics.counter(
      'consumer_projected_events_total',
      'Records applied to the projection: inserted, or duplicate (redelivery / same id, ignored)',
      ['topic', 'outcome'],
    );
    this.handlerErrors = metrics.counter(
      'consumer_handler_errors_total',
      'Handler failures (retried by the transport, then dead-lettered)',
      ['topic'],
    );
    this.deadLetters = metrics.counter(
      'consumer_dead_lettered_total',
      'Records this consumer sent to a dead-letter topic',
      ['topic'],
    );
  }

  deadLettered(topic: string): void {
    this.deadLetters.inc({ topic });
  }

  projected(topic: string, outcome: ApplyOutcome): void {
    this.projectedTotal.inc({ topic, outcome });
  }

  handlerError(topic: string): void {
    this.handlerErrors.inc({ topic });
  }
}
