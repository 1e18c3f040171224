import { Injectable } from '@nestjs/common';
import { ServiceMetrics } from '@app/service-kit';
import type { Counter } from 'prom-client';

/** What the HTTP layer saw; the publisher's own series (published, realtime skipped, ...) are added by the module. */
@Injectable()
export class IngesterMetrics {
  private readonly requests: Counter<'route' | 'outcome'>;
  private readonly events: Counter<'outcome'>;
  private readonly idempotent: Counter<'outcome' | 'store'>;

  constructor(readonly metrics: ServiceMetrics) {
    this.requests = metrics.counter(
      'ingester_requests_total',
      'HTTP ingest requests by route and outcome (accepted or error code)',
      ['route', 'outcome'],
    );
    this.events = metrics.counter(
      'ingester_events_total',
      'Events accepted (acknowledged by Kafka) or rejected by the ingester',
      ['outcome'],
    );
    this.idempotent = metrics.counter(
      'ingester_idempotent_requests_total',
      'Requests with an Idempotency-Key or event id: published, replayed, in_use (409), reused (422); store redis or memory (Redis unreachable)',
      ['outcome', 'store'],
    );
  }

  idempotency(outcome: 'published' | 'replayed' | 'in_use' | 'reused', store: 'redis' | 'memory'): void {
    this.idempotent.inc({ outcome, store });
  }

  accepted(route: string, events: number): void {
    this.requests.inc({ route, outcome: 'accepted' });
    this.events.inc({ outcome: 'accepted' }, events);
  }

  rejected(route: string, error: string, events = 0): void {
    this.requests.inc({ route, outcome: error });
    if (events > 0) this.events.inc({ outcome: 'rejected' }, events);
  }
}
