/** The client already holds a subscription to this channel or pattern (the gateway keeps one per connection). */
export class DuplicateSubscriptionError extends Error {
  override readonly name = 'DuplicateSubscriptionError';

  constructor(readonly target: string) {
    super(
      `Already subscribed to "${target.slice(0, 120)}" on this client: call the unsubscribe function it returned first, or dispatch to several handlers from one onEvent.`,
    );
  }
}
