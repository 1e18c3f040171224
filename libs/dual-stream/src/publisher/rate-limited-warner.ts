import type { LoggerService } from '@nestjs/common';

/** At most one warning per interval; the next one says how many were suppressed in between. */
export class RateLimitedWarner {
  private last = Number.NEGATIVE_INFINITY;
  private suppressed = 0;

  constructor(
    private readonly logger: LoggerService,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Returns true when the line was logged. */
  warn(message: string): boolean {
    const now = this.now();
    if (now - this.last < this.intervalMs) {
      this.suppressed++;
      return false;
    }
    const suffix =
      this.suppressed > 0
        ? ` (${this.suppressed} similar warning(s) suppressed in the last ${Math.round((now - this.last) / 1000)} s)`
        : '';
    this.logger.warn(`${message}${suffix}`);
    this.last = now;
    this.suppressed = 0;
    return true;
  }
}
