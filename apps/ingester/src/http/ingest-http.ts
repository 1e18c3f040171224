import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import bodyParser from 'body-parser';
import { ApiKeyVerifier, problem, sendProblem, type ProblemBody } from '@app/service-kit';
import type { IngesterConfig } from '../config/ingester.config.js';
import type { IngestService } from '../events/ingest.service.js';
import type { IngesterMetrics } from '../metrics/ingester.metrics.js';
import { isPlainJsonBody, readJsonBody, type BodyCallback, type BodyReadError } from './json-body.reader.js';
import type { PublishErrorResponder } from './publish-error.responder.js';

type Next = (err?: unknown) => void;
type Middleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void;

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
 * The two routes are the ingester's hot path, so they are served in front of the HTTP adapter, on the Node
 * server's `request` event: no Express (or Fastify) request decoration, router, body-parser stream plumbing,
 * Nest execution context, interceptors or pipes per request, only the work each request needs (profile in
 * docs/benchmarks.md "Services"). Every other request goes on to the adapter unchanged, so this works with
 * either adapter. The routes match what a controller's route would (`POST`, case-insensitive, optional trailing
 * slash, query ignored): no spelling of a path reaches the publisher without its guard, and no other spelling
 * reaches it at all (the adapter has no such route: 404).
 */
export function configureIngestHttp(app: INestApplication, parts: IngestHttpParts): void {
  const { config, metrics, ingest, errors } = parts;
  const verifier = new ApiKeyVerifier(config.apiKeys);
  const reject = (res: ServerResponse, route: string, body: ProblemBody, headers: Record<string, string> = {}) => {
    metrics.rejected(route, body.error);
    sendProblem(res, body, headers);
  };
  const routes: Record<IngestRoute, { limit: number; fallback: Middleware; run: IngestRun }> = {
    '/events': {
      limit: config.bodyLimitBytes,
      fallback: json(config.bodyLimitBytes),
      run: (body, req, res) => ingest.publish(body, req, res),
    },
    '/events/batch': {
      limit: config.batchBodyLimitBytes,
      fallback: json(config.batchBodyLimitBytes),
      run: (body, req, res) => ingest.publishBatch(body, req, res),
    },
  };

  const serve = (route: IngestRoute, req: IncomingMessage, res: ServerResponse): void => {
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
    const { limit, fallback, run } = routes[route];
    const parsed: BodyCallback = (err, body) => {
      if (err) return reject(res, route, bodyParserProblem(err));
      run(body, req as IngestRequest, res).then(
        (answer) => sendAccepted(res, answer),
        (failure: unknown) => errors.answer(failure, route, body, res),
      );
    };
    if (isPlainJsonBody(req, limit)) return readJsonBody(req, parsed);
    fallback(req, res, (err?: unknown) =>
      parsed(err as BodyReadError | undefined, (req as IncomingMessage & { body?: unknown }).body),
    );
  };

  const instance = app.getHttpAdapter().getInstance() as { disable?: (setting: string) => unknown };
  instance.disable?.('x-powered-by');
  const server = app.getHttpServer() as Server;
  const adapter = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const route = ingestRouteOf(req);
    if (route !== undefined) return serve(route, req, res);
    for (const listener of adapter) listener.call(server, req, res);
  });
}

type IngestRoute = '/events' | '/events/batch';
type IngestRun = (body: unknown, req: IngestRequest, res: ServerResponse) => Promise<unknown>;
type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

const json = (limit: number): Middleware => bodyParser.json({ limit, strict: true, type: () => true });

/** `POST /events` or `POST /events/batch` in any case, with or without one trailing slash and a query. */
export function ingestRouteOf(req: Pick<IncomingMessage, 'method' | 'url'>): IngestRoute | undefined {
  if (req.method !== 'POST' || req.url === undefined) return undefined;
  let path = req.url;
  if (path.charCodeAt(0) !== 0x2f) {
    // The absolute form (`POST http://host/events`) names the same route, as it does for the adapter's router.
    try {
      path = new URL(path).pathname;
    } catch {
      return undefined;
    }
  }
  const query = path.indexOf('?');
  if (query !== -1) path = path.slice(0, query);
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  if (path.length !== 7 && path.length !== 13) return undefined;
  path = path.toLowerCase();
  return path === '/events' || path === '/events/batch' ? path : undefined;
}

/** `202 Accepted` with the receipt(s): one write of headers and body. */
function sendAccepted(res: ServerResponse, answer: unknown): void {
  if (res.headersSent) return;
  const json = JSON.stringify(answer);
  res.writeHead(202, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(json) });
  res.end(json);
}
