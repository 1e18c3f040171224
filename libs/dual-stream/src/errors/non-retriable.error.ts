/**
 * Throw from an `@OnDurable` handler when retrying cannot help (bad data, a business rule): the record goes
 * straight to the dead-letter topic and the partition moves on.
 */
export class NonRetriableError extends Error {
  override readonly name: string = 'NonRetriableError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
