import { BackpressureError, DurablePublishError, InvalidEventError, PublisherClosedError } from '@dual-stream/nestjs';
import { problem, toProblem, type ProblemBody } from '@app/service-kit';

export interface MappedError {
  body: ProblemBody;
  headers: Record<string, string>;
  /** Worth a log line: the service, not the client, has a problem. */
  serverSide: boolean;
}

/**
 * The publisher's typed errors as HTTP answers. By `name` as well as `instanceof`, so an error that crossed a
 * module boundary (two copies of the library) still maps correctly. A 503 says what happened in stable words;
 * the error's own text (kafkajs' names broker addresses) goes to the log only.
 */
export function mapPublishError(err: unknown, retryAfterSeconds: number): MappedError {
  const retry = { 'Retry-After': String(retryAfterSeconds) };
  const name = (err as Error | undefined)?.name;
  if (err instanceof InvalidEventError || name === 'InvalidEventError') {
    const e = err as InvalidEventError;
    return {
      body: problem('invalid_event', 'invalid event, nothing was published: fix every listed problem', e.problems),
      headers: {},
      serverSide: false,
    };
  }
  if (err instanceof BackpressureError || name === 'BackpressureError') {
    return {
      body: problem(
        'backpressure',
        'too many events are waiting for Kafka; nothing was published: retry after Retry-After seconds',
      ),
      headers: retry,
      serverSide: true,
    };
  }
  if (err instanceof DurablePublishError || name === 'DurablePublishError') {
    // The library classified the failure once (DurablePublishError.retriable); a refusal for good must not
    // invite the client to retry something that cannot succeed until the service is fixed.
    if ((err as DurablePublishError).retriable === false) {
      return {
        body: problem(
          'kafka_refused',
          'Kafka refused the event for good (a topic or broker setting of this service, e.g. its record size limit or authorization); nothing was published and retrying cannot help until the service is fixed',
        ),
        headers: {},
        serverSide: true,
      };
    }
    return {
      body: problem(
        'kafka_unavailable',
        'Kafka did not acknowledge in time; the event may or may not be stored: retry with the same Idempotency-Key (or event id), which cannot duplicate it',
      ),
      headers: retry,
      serverSide: true,
    };
  }
  if (err instanceof PublisherClosedError || name === 'PublisherClosedError') {
    return {
      body: problem('shutting_down', 'the ingester is shutting down; retry against another instance'),
      headers: retry,
      serverSide: true,
    };
  }
  return toProblem(err);
}
