import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { ApiKeyVerifier } from '../auth/api-key.verifier.js';
import { problem, ProblemException } from '../problems/problem.js';

export const METRICS_TOKEN = Symbol.for('service-kit:metrics-token');

/**
 * `METRICS_TOKEN` set: `GET /metrics` needs `Authorization: Bearer <METRICS_TOKEN>` (constant-time compare),
 * else `401 unauthorized`. Unset: open, for a scraper on a private network (docs/operations.md "Metrics").
 */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly verifier: ApiKeyVerifier;

  constructor(@Inject(METRICS_TOKEN) token: string | undefined) {
    this.verifier = new ApiKeyVerifier(token ? [token] : []);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.verifier.verify(context.switchToHttp().getRequest<IncomingMessage>().headers)) return true;
    throw new ProblemException(
      problem('unauthorized', 'send the scrape token as `Authorization: Bearer <METRICS_TOKEN>`'),
      {
        'WWW-Authenticate': 'Bearer realm="metrics"',
      },
    );
  }
}
