import type { ResetInfo } from '../subscriptions/subscription-options.js';

/** Reported (as an error) when a subscription's stream had to be reset and the app gave no `onReset`. */
export class StreamResetError extends Error {
  override readonly name = 'StreamResetError';

  constructor(readonly info: ResetInfo) {
    super(
      `The stream of "${info.channel}" has a hole the SDK could not fill (${info.reason}${info.cause ? `: ${info.cause}` : ''}). ` +
        'Pass onReset to subscribe() to reload the channel from your read model, and fetchRecent to let the SDK fill such holes itself.',
    );
  }
}
