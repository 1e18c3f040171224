/**
 * The gateway refused a `subscribe` (docs/protocol.md "Socket protocol", ack on refusal). `error` is the
 * gateway's reason verbatim; the subscription is closed, since asking again would get the same answer.
 */
export class SubscribeRefusedError extends Error {
  override readonly name = 'SubscribeRefusedError';

  constructor(
    /** The channel or pattern that was refused. */
    readonly target: string,
    /** The gateway's `error`, e.g. `forbidden` or `subscription limit reached (100 per connection): ...`. */
    readonly reason: string,
  ) {
    super(
      `The gateway refused to subscribe "${target.slice(0, 120)}": ${reason}. ` +
        'Check that the token grants it (its channels / patterns claims) and that it is a valid channel or pattern; subscribe again once fixed.',
    );
  }
}
