/** The publish buffer stayed full longer than `buffer.maxBlockMs`. Nothing of this call was published. */
export class BackpressureError extends Error {
  override readonly name = 'BackpressureError';
  readonly retriable = true;

  constructor(
    readonly waitedMs: number,
    readonly bufferedEvents: number,
    readonly bufferedBytes: number,
  ) {
    super(
      `Publish buffer full for ${waitedMs} ms (${bufferedEvents} events, ${bufferedBytes} bytes buffered): ` +
        'Kafka is slower than the publish rate. Retry later, slow the producer down, or raise ' +
        'buffer.maxEvents / buffer.maxBytes / buffer.maxBlockMs.',
    );
  }
}
