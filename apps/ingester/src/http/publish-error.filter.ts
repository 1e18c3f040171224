import { type ArgumentsHost, Catch, type ExceptionFilter, Inject, Injectable } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { RateLimitedLog, sendProblem } from '@app/service-kit';
import { mapPublishError } from './publish-error.mapper.js';
import { INGESTER_CONFIG, type IngesterConfig } from '../config/ingester.config.js';
import { IngesterMetrics } from '../metrics/ingester.metrics.js';

/** Every error of the ingest routes answers in the problem format (400 / 409 / 422 / 503 + Retry-After). */
@Injectable()
@Catch()
export class PublishErrorFilter implements ExceptionFilter {
  private readonly log = new RateLimitedLog('Ingester');

  constructor(
    @Inject(INGESTER_CONFIG) private readonly config: IngesterConfig,
    private readonly metrics: IngesterMetrics,
  ) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<ServerResponse>();
    const req = http.getRequest<{ url?: string; body?: unknown }>();
    const mapped = mapPublishError(err, this.config.retryAfterSeconds);
    const route = (req.url ?? '').split('?')[0]!.toLowerCase().replace(/\/+$/, '');
    const events = route.endsWith('/batch') && Array.isArray(req.body) ? req.body.length : 1;
    this.metrics.rejected(route, mapped.body.error, events);
    if (mapped.serverSide) {
      this.log.warn(`${route}: ${mapped.body.status} ${mapped.body.error}: ${(err as Error)?.message ?? String(err)}`);
    }
    sendProblem(res, mapped.body, mapped.headers);
  }
}
