import { HttpException } from '@nestjs/common';
import { BackpressureError, DurablePublishError, InvalidEventError, PublisherClosedError } from '@dual-stream/nestjs';
import { problem, type ProblemBody } from './problem.js';

export interface MappedError {
  body: ProblemBody;
  headers: Record<string, string>;
  /** Worth a log line: the service, not the client, has a problem. */
  serverSide: boolean;
}

/**
 * The publisher's typed errors as HTTP answers. By `name` as well as `instanceof`, so an error that crossed a
 * module boundary (two copies of the library) still maps correctly.
 */
export function mapPublishError(err: unknown, retryAfterSeconds: number): MappedError {
  const retry = { 'Retry-After': String(retryAfterSeconds) };
  const name = (err as Error | undefined)?.name;
  if (err instanceof InvalidEventError || name === 'InvalidEventError') {
    const e = err as InvalidEventError;
    return {
      body: problem(400, 'invalid_event', 'invalid event, nothing was published: fix every listed problem', e.problems),
      headers: {},
      serverSide: false,
    };
  }
  if (err instanceof BackpressureError || name === 'BackpressureError') {
    return { body: problem(503, 'backpressure', `${(err as Error).message}`), headers: retry, serverSide: true };
  }
  if (err instanceof DurablePublishError || name === 'DurablePublishError') {
    return { body: problem(503, 'kafka_unavailable', (err as Error).message), headers: retry, serverSide: true };
  }
  if (err instanceof PublisherClosedError || name === 'PublisherClosedError') {
    return {
      body: problem(503, 'shutting_down', 'the ingester is shutting down; retry against another instance'),
      headers: retry,
      serverSide: true,
    };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const response = err.getResponse();
    if (typeof response === 'object' && response && 'problems' in response) {
      return { body: response as ProblemBody, headers: {}, serverSide: status >= 500 };
    }
    const message =
      typeof response === 'string' ? response : ((response as { message?: unknown }).message ?? err.message);
    const text = Array.isArray(message) ? message.join('; ') : String(message);
    return { body: problem(status, codeFor(status), text), headers: {}, serverSide: status >= 500 };
  }
  return {
    body: problem(500, 'internal_error', 'unexpected error; nothing is known to be published'),
    headers: {},
    serverSide: true,
  };
}

function codeFor(status: number): string {
  return (
    {
      400: 'bad_request',
      401: 'unauthorized',
      404: 'not_found',
      405: 'method_not_allowed',
      413: 'payload_too_large',
      415: 'unsupported_media_type',
    }[status] ?? (status >= 500 ? 'internal_error' : 'bad_request')
  );
}
