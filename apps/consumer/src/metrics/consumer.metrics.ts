import { Injectable } from '@nestjs/common';
import { ServiceMetrics } from '@app/service-kit';
import type { Counter, Histogram } from 'prom-client';
import type { ApplyOutcome } from '../projection/projected-event.js';

@Injectable()
export class ConsumerMetrics {
  private readonly projectedTotal: Counter<'topic' | 'outcome'>;
  private readonly handlerErrors: Counter<'topic'>;
  private readonly deadLetters: Counter<'topic'>;
  private readonly writeSeconds: Histogram<'topic'>;

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
    this.writeSeconds = metrics.histogram(
      'consumer_projection_write_seconds',
      "One batch's SQLite transaction on the writer thread, fsync included (it never blocks the event loop)",
      ['topic'],
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    );
  }

  deadLettered(topic: string): void {
    this.deadLetters.inc({ topic });
  }

  /** One written batch: its records by outcome, and how long its transaction took. */
  projected(topic: string, outcomes: readonly ApplyOutcome[], writeMs: number): void {
    const inserted = outcomes.filter((o) => o === 'inserted').length;
    if (inserted > 0) this.projectedTotal.inc({ topic, outcome: 'inserted' }, inserted);
    if (outcomes.length > inserted) {
      this.projectedTotal.inc({ topic, outcome: 'duplicate' }, outcomes.length - inserted);
    }
    this.writeSeconds.observe({ topic }, writeMs / 1000);
  }

  handlerError(topic: string): void {
    this.handlerErrors.inc({ topic });
  }
}
