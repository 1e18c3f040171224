import type { IncomingMessage, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import bodyParser from 'body-parser';
import { ApiKeyVerifier, problem, sendProblem, type ProblemBody } from '@app/service-kit';
import type { IngesterConfig } from '../config/ingester.config.js';
import type { IngesterMetrics } from '../metrics/ingester.metrics.js';

type Next = (err?: unknown) => void;
type Middleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void;
interface ExpressApp {
  post(path: string, handler: Middleware): unknown;
}

/** The request after the ingest guard: `caller` identifies the API key (a digest), or `anonymous`. */
export interface IngestRequest extends IncomingMessage {
  caller: string;
}

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
}): ProblemBody {
  switch (err.type) {
    case 'entity.too.large':
      return problem(
        'payload_too_large',
        `request body is ${err.length ?? 'more than'} bytes, over the limit of ${err.limit} bytes; split it or use /events/batch for many small events`,
      );
    case 'entity.parse.failed':
      return problem('invalid_json', `request body is not valid JSON: ${err.message}`);
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return problem('unsupported_media_type', `${err.message}; send UTF-8 JSON`);
    default:
      return problem('bad_request', err.message ?? 'unreadable request body');
  }
}

/**
 * The ingest routes are guarded before any byte of the body is read: API key (401), content type (415),
 * then a size-limited JSON parser (413 / 400). Nest's own body parser is off (`bodyParser: false`), so each
 * route gets its own limit and every error answers in the same problem format as the controller's.
 *
 * The guards are mounted on Express' router for the same method and path as the controllers, so they match
 * exactly what the routes match (case-insensitive, optional trailing slash): no spelling of a path reaches a
 * route without its guard.
 */
export function configureIngestHttp(app: INestApplication, config: IngesterConfig, metrics: IngesterMetrics): void {
  const verifier = new ApiKeyVerifier(config.apiKeys);
  const reject = (res: ServerResponse, route: string, body: ProblemBody, headers: Record<string, string> = {}) => {
    metrics.rejected(route, body.error);
    sendProblem(res, body, headers);
  };

  const guard =
    (route: string, parse: Middleware): Middleware =>
    (req, res, next) => {
      const caller = verifier.identify(req.headers);
      if (caller === undefined) {
        return reject(
          res,
          route,
          problem(
            'unauthorized',
            'missing or invalid API key: send it as `x-api-key: <key>` or `Authorization: Bearer <key>`',
          ),
          { 'WWW-Authenticate': 'Bearer realm="ingester"' },
        );
      }
      (req as IngestRequest).caller = caller;
      if (!isJsonContentType(req.headers['content-type'])) {
        return reject(
          res,
          route,
          problem(
            'unsupported_media_type',
            `Content-Type must be application/json (got ${JSON.stringify(req.headers['content-type'] ?? null)})`,
          ),
        );
      }
      parse(req, res, (err?: unknown) =>
        err ? reject(res, route, bodyParserProblem(err as Parameters<typeof bodyParserProblem>[0])) : next(),
      );
    };
  const json = (limit: number): Middleware => bodyParser.json({ limit, strict: true, type: () => true });
  const router = app.getHttpAdapter().getInstance() as ExpressApp;
  router.post('/events', guard('/events', json(config.bodyLimitBytes)));
  router.post('/events/batch', guard('/events/batch', json(config.batchBodyLimitBytes)));
}
