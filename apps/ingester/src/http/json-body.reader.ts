import type { IncomingMessage } from 'node:http';

/** Why a body could not be read, shaped like body-parser's errors so one mapping (`bodyParserProblem`) serves both. */
export interface BodyReadError {
  type: 'entity.parse.failed' | 'request.aborted';
  status: number;
  message: string;
}

export type BodyCallback = (err: BodyReadError | undefined, body?: unknown) => void;

/**
 * Whether `readJsonBody` can read this request: the everyday one, with a `Content-Length` within `limit`, no
 * `Content-Encoding` and UTF-8 (or no charset). Everything else (compressed, chunked, UTF-16, over the limit) is
 * read by body-parser, which inflates, decodes, and answers 413 after draining the request as before.
 */
export function isPlainJsonBody(req: IncomingMessage, limit: number): boolean {
  const { headers } = req;
  if (headers['content-encoding'] !== undefined && headers['content-encoding'].toLowerCase() !== 'identity') {
    return false;
  }
  const length = headers['content-length'];
  if (length === undefined || !/^\d{1,10}$/.test(length) || Number(length) > limit) return false;
  const type = headers['content-type'] ?? '';
  const params = type.indexOf(';');
  if (params === -1) return true;
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(type.slice(params))?.[1]?.toLowerCase();
  return charset === undefined || charset === 'utf-8' || charset === 'utf8';
}

/**
 * Reads a body `isPlainJsonBody` accepted and parses it with body-parser's `json({ strict: true })` rules: an
 * empty body is `{}`, anything but an object or array at the top level is refused, a UTF-8 BOM is skipped. The
 * HTTP parser enforces `Content-Length`, so the size was checked by `isPlainJsonBody`. Calls `done` once.
 */
export function readJsonBody(req: IncomingMessage, done: BodyCallback): void {
  const chunks: Buffer[] = [];
  let finished = false;
  const finish = (err: BodyReadError | undefined, body?: unknown) => {
    if (finished) return;
    finished = true;
    done(err, body);
  };
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    parseStrictJson(raw.toString('utf8'), finish);
  });
  // A client that goes away mid-body: nothing to parse, and nobody left to answer (counted as a bad request).
  req.on('aborted', () => finish({ type: 'request.aborted', status: 400, message: 'request aborted' }));
  req.on('error', () => finish({ type: 'request.aborted', status: 400, message: 'request aborted' }));
}

function parseStrictJson(text: string, done: BodyCallback): void {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.length === 0) return done(undefined, {});
  const first = /^[ \t\n\r]*(.)/s.exec(body)?.[1];
  if (first !== '{' && first !== '[') {
    return done({
      type: 'entity.parse.failed',
      status: 400,
      message: `the top level must be an object or an array, not ${JSON.stringify(body.trim().slice(0, 16))}`,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    return done({ type: 'entity.parse.failed', status: 400, message: (err as Error).message });
  }
  done(undefined, parsed);
}
