/** `setTimeout` fires at once for delays over 2^31-1 ms (~24.8 days): longer waits are re-armed in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The moment a connection's credentials run out (a token's `exp`): one timer per connection calls `onExpire`
 * then, and `expired` answers for requests that arrive before the timer ran.
 */
export class ConnectionExpiry {
  private timer?: NodeJS.Timeout;

  constructor(
    readonly expiresAt: number,
    private readonly onExpire: () => void,
    private readonly now: () => number = Date.now,
  ) {
    this.arm();
  }

  get expired(): boolean {
    return this.now() >= this.expiresAt;
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    const wait = this.expiresAt - this.now();
    this.timer = setTimeout(
      () => (this.expired ? this.onExpire() : this.arm()),
      Math.max(0, Math.min(wait, MAX_TIMER_MS)),
    );
    this.timer.unref();
  }
}
