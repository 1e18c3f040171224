import { Injectable } from '@nestjs/common';
import { ServiceMetrics } from '@app/service-kit';
import type { Counter } from 'prom-client';

/** What the HTTP layer saw; the publisher's own series (published, realtime skipped, ...) are added by the module. */
@Injectable()
export class IngesterMetrics {
  private readonly requests: Counter<'route' | 'outcome'>;
  private readonly events: Counter<'outcome'>;
  private readonly idempotent: Counter<'outcome' | 'store'>;
  private readonly acceptedBy = new Map<string, { requests: Counter.Internal; events: Counter.Internal }>();

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
    let counted = this.acceptedBy.get(route);
    if (!counted) {
      // Bound at the first accepted request of a route (a series appears only once it counts something), then
      // reused: looking the labelled series up per request is measurable on the hot path.
      counted = {
        requests: this.requests.labels({ route, outcome: 'accepted' }),
        events: this.events.labels({ outcome: 'accepted' }),
      };
      this.acceptedBy.set(route, counted);
    }
    counted.requests.inc();
    counted.events.inc(events);
  }

  rejected(route: string, error: string, events = 0): void {
    this.requests.inc({ route, outcome: error });
    if (events > 0) this.events.inc({ outcome: 'rejected' }, events);
  }
}
