import { Logger } from '@nestjs/common';

/**
 * A dependency outage turns every request into the same failure: one line per interval with a count of the
 * suppressed ones, not one per request. Details (broker addresses, error text) belong here, never in a body.
 */
export class RateLimitedLog {
  private readonly logger: Logger;
  private lastAt = Number.NEGATIVE_INFINITY;
  private skipped = 0;

  constructor(
    context: string,
    private readonly intervalMs = 5000,
  ) {
    this.logger = new Logger(context);
  }

  warn(line: string): void {
    const now = Date.now();
    if (now - this.lastAt < this.intervalMs) {
      this.skipped++;
      return;
    }
    this.logger.warn(this.skipped ? `${line} (+${this.skipped} similar suppressed)` : line);
    this.lastAt = now;
    this.skipped = 0;
  }
}
