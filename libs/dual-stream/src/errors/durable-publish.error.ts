/**
 * Kafka did not acknowledge the event within `durable.timeoutMs`, or refused it. The event may or may not
 * be in Kafka when `retriable` is true and the cause was a timeout: publish again with the same `id` and
 * let consumers deduplicate by id.
 */
export class DurablePublishError extends Error {
  override readonly name = 'DurablePublishError';

  constructor(
    message: string,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(
      `${message} Check that the Kafka brokers are reachable and the topic exists (or auto-creation is on); ` +
        'raise durable.timeoutMs if the cluster is only slow.',
      options,
    );
  }
}
