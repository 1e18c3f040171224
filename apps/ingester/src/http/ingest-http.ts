import type { IncomingMessage, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import bodyParser from 'body-parser';
import { ApiKeyVerifier, problem, sendProblem, type ProblemBody } from '@app/service-kit';
import type { IngesterConfig } from '../config/ingester.config.js';
import type { IngestService } from '../events/ingest.service.js';
import type { IngesterMetrics } from '../metrics/ingester.metrics.js';
import type { PublishErrorResponder } from './publish-error.responder.js';

type Next = (err?: unknown) => void;
type Middleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void;
interface ExpressApp {
  post(path: string, ...handlers: Middleware[]): unknown;
  disable(setting: string): unknown;
}

/** What the ingest routes are served by, all resolved from the Nest container once at start-up. */
export interface IngestHttpParts {
  config: IngesterConfig;
  metrics: IngesterMetrics;
  ingest: IngestService;
  errors: PublishErrorResponder;
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
 * route gets its own limit and every error answers in the same problem format.
 *
 * The two routes are the ingester's hot path, so they are served right here on Express' router, not through
 * Nest's router: no per-request execution context, interceptor chain, pipes or Express `res.json` (ETag,
 * charset negotiation), only the work each request needs (profile in docs/benchmarks.md "Services"). Mounted
 * for the same method and path as a controller would be, they match what such a route matches
 * (case-insensitive, optional trailing slash): no spelling of a path reaches the publisher without its guard.
 */
export function configureIngestHttp(app: INestApplication, parts: IngestHttpParts): void {
  const { config, metrics, ingest, errors } = parts;
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
  const serve =
    (
      route: '/events' | '/events/batch',
      run: (body: unknown, req: IngestRequest, res: ServerResponse) => Promise<unknown>,
    ): Middleware =>
    (req, res) => {
      const body = (req as IncomingMessage & { body?: unknown }).body;
      run(body, req as IngestRequest, res).then(
        (answer) => sendAccepted(res, answer),
        (err: unknown) => errors.answer(err, route, body, res),
      );
    };
  const json = (limit: number): Middleware => bodyParser.json({ limit, strict: true, type: () => true });
  const router = app.getHttpAdapter().getInstance() as ExpressApp;
  router.disable('x-powered-by');
  router.post(
    '/events',
    guard('/events', json(config.bodyLimitBytes)),
    serve('/events', (body, req, res) => ingest.publish(body, req, res)),
  );
  router.post(
    '/events/batch',
    guard('/events/batch', json(config.batchBodyLimitBytes)),
    serve('/events/batch', (body, req, res) => ingest.publishBatch(body, req, res)),
  );
}

/** `202 Accepted` with the receipt(s): one write of headers and body. */
function sendAccepted(res: ServerResponse, answer: unknown): void {
  if (res.headersSent) return;
  const json = JSON.stringify(answer);
  res.writeHead(202, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(json) });
  res.end(json);
}
