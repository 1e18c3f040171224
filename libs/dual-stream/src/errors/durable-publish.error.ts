/**
 * Kafka did not acknowledge the call's events within `durable.timeoutMs`, or refused them.
 *
 * When `retriable` is true the events may or may not be in Kafka (a timeout, a lost connection): publish them
 * again with the same ids and let consumers deduplicate by id. When it is false Kafka refused them for good
 * (`cause` says why, e.g. MESSAGE_TOO_LARGE or TOPIC_AUTHORIZATION_FAILED): trying again cannot help.
 *
 * A `publishBatch` larger than one Kafka request is sent as several consecutive requests; `acknowledged` says
 * how many of its leading events Kafka had acknowledged before the failure (they are written; the rest may or
 * may not be). It is 0 for `publish()` and for batches that fit one request.
 */
export class DurablePublishError extends Error {
  override readonly name = 'DurablePublishError';
  /** Leading events of the call that Kafka acknowledged before the failure (written for sure). */
  readonly acknowledged: number;

  /**
   * @param reason what happened, without advice: also what the publisher logs.
   * @param retriable whether publishing the same events again may succeed.
   */
  constructor(
    readonly reason: string,
    readonly retriable: boolean,
    options?: { cause?: unknown; acknowledged?: number },
  ) {
    const acknowledged = options?.acknowledged ?? 0;
    const written = acknowledged > 0 ? ` The first ${acknowledged} event(s) of this call are written.` : '';
    super(
      `${reason}${written} ` +
        (retriable
          ? 'Check that the Kafka brokers are reachable and the topic exists (create it with ensureTopics); raise ' +
            'durable.timeoutMs if the cluster is only slow. Publishing again with the same ids is safe (consumers ' +
            'deduplicate by id).'
          : 'Kafka refused the events for good (see the cause); publishing them again cannot help until that is fixed.'),
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.acknowledged = acknowledged;
  }
}
