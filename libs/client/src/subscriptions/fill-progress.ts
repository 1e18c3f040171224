import { Backoff } from '../client/backoff.js';

/**
 * Paces one fill from the read model: the first verifying subscribe comes at once, every other step backs off; it gives up
 * when nothing moved (the resume position or the read model's end) for `timeoutMs`.
 */
export class FillProgress {
  private lastProgressAt: number;
  private readonly backoff: Backoff;
  private first = true;

  constructor(
    private readonly timeoutMs: number,
    maxDelayMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.lastProgressAt = now();
    this.backoff = new Backoff(Math.min(250, maxDelayMs), maxDelayMs);
  }

  advanced(): void {
    this.lastProgressAt = this.now();
  }

  get stalled(): boolean {
    return this.now() - this.lastProgressAt >= this.timeoutMs;
  }

  /** The wait before the next step: none before the first verifying subscribe, backing off afterwards. */
  nextDelay(covered: boolean): number {
    if (covered && this.first) {
      this.first = false;
      return 0;
    }
    return this.backoff.next();
  }
}
