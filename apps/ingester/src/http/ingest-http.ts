import type { IncomingMessage, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import bodyParser from 'body-parser';
import { ApiKeyVerifier } from '../auth/api-key.verifier.js';
import type { IngesterConfig } from '../config/ingester.config.js';
import type { IngesterMetrics } from '../metrics/ingester.metrics.js';
import { problem, sendProblem } from './problem.js';

type Next = (err?: unknown) => void;
type Middleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void;

/** `application/json` or any `application/*+json` (e.g. `application/cloudevents+json`). */
export function isJsonContentType(header: string | undefined): boolean {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(type);
}

/** body-parser errors carry `status` and `type`; translate them into the ingester's problem format. */
export function bodyParserProblem(err: {
  status?: number;
  type?: string;
  message?: string;
  limit?: number;
  length?: number;
}) {
  switch (err.type) {
    case 'entity.too.large':
      return problem(
        413,
        'payload_too_large',
        `request body is ${err.length ?? 'more than'} bytes, over the limit of ${err.limit} bytes; split it or use /events/batch for many small events`,
      );
    case 'entity.parse.failed':
      return problem(400, 'invalid_json', `request body is not valid JSON: ${err.message}`);
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return problem(415, 'unsupported_media_type', `${err.message}; send UTF-8 JSON`);
    default:
      return problem(
        err.status && err.status >= 400 && err.status < 500 ? err.status : 400,
        'bad_request',
        err.message ?? 'unreadable request body',
      );
  }
}

/**
 * The ingest routes are guarded before any byte of the body is read: API key (401), content type (415),
 * then a size-limited JSON parser (413 / 400). Nest's own body parser is off (`bodyParser: false`), so each
 * route gets its own limit and every error answers in the same problem format as the controller's.
 */
export function configureIngestHttp(app: INestApplication, config: IngesterConfig, metrics: IngesterMetrics): void {
  const verifier = new ApiKeyVerifier(config.apiKeys);
  const reject = (res: ServerResponse, route: string, body: ReturnType<typeof problem>) => {
    metrics.rejected(route, body.error);
    sendProblem(res, body);
  };

  /** API key (401), content type (415), then a size-limited JSON parser (413 / 400), for one exact path. */
  const guard = (route: string, limit: number): Middleware => {
    const parse = bodyParser.json({ limit, strict: true, type: () => true });
    return (req, res, next) => {
      // Exact paths: the batch route must not fall through to the single-event parser's smaller limit.
      if (req.method !== 'POST' || (req.url ?? '').split('?')[0]!.replace(/\/+$/, '') !== route) return next();
      if (!verifier.verify(req.headers)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="ingester"');
        return reject(
          res,
          route,
          problem(
            401,
            'unauthorized',
            'missing or invalid API key: send it as `x-api-key: <key>` or `Authorization: Bearer <key>`',
          ),
        );
      }
      if (!isJsonContentType(req.headers['content-type'])) {
        return reject(
          res,
          route,
          problem(
            415,
            'unsupported_media_type',
            `Content-Type must be application/json (got ${JSON.stringify(req.headers['content-type'] ?? null)})`,
          ),
        );
      }
      parse(req, res, (err?: unknown) =>
        err ? reject(res, route, bodyParserProblem(err as Parameters<typeof bodyParserProblem>[0])) : next(),
      );
    };
  };
  app.use(guard('/events/batch', config.batchBodyLimitBytes));
  app.use(guard('/events', config.bodyLimitBytes));
}
