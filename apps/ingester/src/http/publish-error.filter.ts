import { type ArgumentsHost, Catch, type ExceptionFilter, Inject, Injectable, Logger } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { sendProblem } from './problem.js';
import { mapPublishError } from './publish-error.mapper.js';
import { INGESTER_CONFIG, type IngesterConfig } from '../config/ingester.config.js';
import { IngesterMetrics } from '../metrics/ingester.metrics.js';

/** Every error of the ingest routes answers in the problem format (400 / 413 / 503 + Retry-After). */
@Injectable()
@Catch()
export class PublishErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Ingester');
  private lastWarn = 0;
  private suppressed = 0;

  constructor(
    @Inject(INGESTER_CONFIG) private readonly config: IngesterConfig,
    private readonly metrics: IngesterMetrics,
  ) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<ServerResponse>();
    const req = http.getRequest<{ url?: string; body?: unknown }>();
    const mapped = mapPublishError(err, this.config.retryAfterSeconds);
    const route = (req.url ?? '').split('?')[0]!;
    const events = route.endsWith('/batch') && Array.isArray(req.body) ? req.body.length : 1;
    this.metrics.rejected(route, mapped.body.error, events);
    if (mapped.serverSide) {
      this.warn(`${route}: ${mapped.body.statusCode} ${mapped.body.error}: ${(err as Error)?.message ?? err}`);
    }
    sendProblem(res, mapped.body, mapped.headers);
  }

  /** A broker outage turns every request into a 503: log once per interval with a count, not once per request. */
  private warn(line: string): void {
    const now = Date.now();
    if (now - this.lastWarn < 5000) {
      this.suppressed++;
      return;
    }
    this.logger.warn(this.suppressed ? `${line} (+${this.suppressed} similar suppressed)` : line);
    this.lastWarn = now;
    this.suppressed = 0;
  }
}
