import { Inject, Injectable } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { RateLimitedLog, sendProblem } from '@app/service-kit';
import { mapPublishError } from './publish-error.mapper.js';
import { INGESTER_CONFIG, type IngesterConfig } from '../config/ingester.config.js';
import { IngesterMetrics } from '../metrics/ingester.metrics.js';

/** Every error of the ingest routes answers in the problem format (400 / 409 / 422 / 503 + Retry-After). */
@Injectable()
export class PublishErrorResponder {
  private readonly log = new RateLimitedLog('Ingester');

  constructor(
    @Inject(INGESTER_CONFIG) private readonly config: IngesterConfig,
    private readonly metrics: IngesterMetrics,
  ) {}

  /** `route` is the route's own path (`/events`, `/events/batch`), whatever spelling the client used. */
  answer(err: unknown, route: string, body: unknown, res: ServerResponse): void {
    const mapped = mapPublishError(err, this.config.retryAfterSeconds);
    const events = route === '/events/batch' && Array.isArray(body) ? body.length : 1;
    this.metrics.rejected(route, mapped.body.error, events);
    if (mapped.serverSide) {
      this.log.warn(`${route}: ${mapped.body.status} ${mapped.body.error}: ${(err as Error)?.message ?? String(err)}`);
    }
    sendProblem(res, mapped.body, mapped.headers);
  }
}
