/** What went wrong, in the port's words (the driver maps its client's errors onto these). */
export type KafkaErrorKind =
  /** No broker answered, or the connection dropped. */
  | 'connection'
  /** The topic or partition does not exist (yet). */
  | 'unknown-topic'
  /** The request timed out. */
  | 'timeout'
  /** The broker refused the request for good (too large, not authorized, invalid config, ...). */
  | 'refused'
  /** The client was closed. */
  | 'closed'
  /** Anything else the broker or client reported. */
  | 'other';

/**
 * Every error the port's methods reject with. `retriable` says whether the same request may succeed later;
 * `code` is the Kafka protocol error name when the broker gave one (e.g. `MESSAGE_TOO_LARGE`); the client
 * library's own error is the `cause`.
 */
export class KafkaPortError extends Error {
  override readonly name = 'KafkaPortError';

  constructor(
    message: string,
    readonly kind: KafkaErrorKind,
    readonly retriable: boolean,
    options?: { cause?: unknown; code?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = options?.code;
  }

  readonly code: string | undefined;
}
