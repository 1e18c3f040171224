/**
 * Every problem type the demo services answer with (RFC 9457 `type`), one entry each: the stable code (also
 * the body's `error`), its HTTP status and title. docs/operations.md "Problem types" lists them all (a unit
 * spec checks it). The URIs identify; they are not meant to be dereferenced.
 */
export const PROBLEM_TYPES = {
  invalid_event: { status: 400, title: 'Invalid event' },
  unknown_source_type: { status: 400, title: 'Source type not accepted' },
  invalid_json: { status: 400, title: 'Request body is not valid JSON' },
  invalid_batch: { status: 400, title: 'Invalid batch' },
  invalid_query: { status: 400, title: 'Invalid query' },
  invalid_channel: { status: 400, title: 'Invalid channel' },
  invalid_cursor: { status: 400, title: 'Invalid stream cursor' },
  invalid_idempotency_key: { status: 400, title: 'Invalid Idempotency-Key' },
  bad_request: { status: 400, title: 'Bad request' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  idempotency_key_in_use: { status: 409, title: 'Idempotency-Key in use' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  too_many_streams: { status: 429, title: 'Too many streams' },
  idempotency_key_reused: { status: 422, title: 'Idempotency-Key reused with a different request' },
  internal_error: { status: 500, title: 'Internal error' },
  kafka_refused: { status: 500, title: 'Kafka refused the event' },
  backpressure: { status: 503, title: 'Ingester busy' },
  kafka_unavailable: { status: 503, title: 'Kafka unavailable' },
  realtime_disabled: { status: 503, title: 'Realtime disabled' },
  shutting_down: { status: 503, title: 'Shutting down' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEM_TYPES;

const TYPE_PREFIX = 'urn:dual-stream:problem:';

/** @example problemTypeUri('invalid_event') // 'urn:dual-stream:problem:invalid-event' */
export function problemTypeUri(code: ProblemCode): string {
  return `${TYPE_PREFIX}${code.replaceAll('_', '-')}`;
}

/** The code of an HTTP status that has no more specific problem (Nest's own 404 / 405, unexpected 4xx). */
export function codeForStatus(status: number): ProblemCode {
  const byStatus: Partial<Record<number, ProblemCode>> = {
    401: 'unauthorized',
    403: 'forbidden',
    404: 'not_found',
    405: 'method_not_allowed',
    413: 'payload_too_large',
    415: 'unsupported_media_type',
  };
  return byStatus[status] ?? (status >= 500 ? 'internal_error' : 'bad_request');
}
