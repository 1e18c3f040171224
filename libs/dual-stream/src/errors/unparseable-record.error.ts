/**
 * A Kafka record whose value is not a dual-stream envelope (no value, not JSON, wrong shape). It goes to the
 * dead-letter topic without a handler call; fix the producer that wrote it, or consume that topic with a
 * handler of your own.
 */
export class UnparseableRecordError extends Error {
  override readonly name = 'UnparseableRecordError';
}
