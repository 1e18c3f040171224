/** What a benchmark handler records: arrival count, first/last arrival, and publish -> handler latency. */
export class ConsumeProbe {
  count = 0;
  firstAt = 0;
  lastAt = 0;
  readonly latenciesMs: number[] = [];
  private waiter: { target: number; resolve: () => void } | undefined;

  constructor(readonly ioMs: number) {}

  /** Called by the handler for every record. */
  async handle(event: { data: { sentAt?: number } }): Promise<void> {
    if (this.ioMs > 0) await new Promise((r) => setTimeout(r, this.ioMs));
    const now = Date.now();
    if (this.count === 0) this.firstAt = now;
    this.lastAt = now;
    this.count++;
    if (event.data.sentAt !== undefined) this.latenciesMs.push(now - event.data.sentAt);
    if (this.waiter && this.count >= this.waiter.target) this.waiter.resolve();
  }

  /** Resolves when `target` records arrived or `timeoutMs` passed; returns whether the target was reached. */
  waitFor(target: number, timeoutMs: number): Promise<boolean> {
    if (this.count >= target) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiter = {
        target,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
    });
  }

  /** Events per second between the first and the last arrival (group join and fetch warm-up excluded). */
  eventsPerSec(): number {
    const seconds = (this.lastAt - this.firstAt) / 1000;
    return seconds > 0 ? (this.count - 1) / seconds : 0;
  }
}
