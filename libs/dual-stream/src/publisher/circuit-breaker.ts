export type BreakerState = 'closed' | 'open';

/**
 * Opens after `threshold` consecutive failures; while open the caller skips the protected resource and
 * probes it (`probeMs`) until a probe succeeds. No half-open traffic: a Pub/Sub doorbell is not worth
 * sending real notifications into a dead connection to find out.
 */
export class CircuitBreaker {
  private failures = 0;
  private current: BreakerState = 'closed';
  private timer: NodeJS.Timeout | undefined;
  private probing = false;
  private openings = 0;

  constructor(
    private readonly threshold: number,
    private readonly probeMs: number,
    private readonly probe: () => Promise<void>,
    private readonly onChange: (state: BreakerState) => void = () => undefined,
  ) {}

  get state(): BreakerState {
    return this.current;
  }

  /** How many times the breaker opened since start. */
  get timesOpened(): number {
    return this.openings;
  }

  get isOpen(): boolean {
    return this.current === 'open';
  }

  success(): void {
    this.failures = 0;
  }

  failure(): void {
    this.failures++;
    if (this.current === 'closed' && this.failures >= this.threshold) this.open();
  }

  /** Stops probing (shutdown). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private open(): void {
    this.current = 'open';
    this.openings++;
    this.timer = setInterval(() => void this.tryProbe(), this.probeMs);
    this.timer.unref();
    this.onChange('open');
  }

  private async tryProbe(): Promise<void> {
    if (this.probing || this.current !== 'open') return;
    this.probing = true;
    try {
      await this.probe();
      this.stop();
      this.failures = 0;
      this.current = 'closed';
      this.onChange('closed');
    } catch {
      // still down; the next tick probes again
    } finally {
      this.probing = false;
    }
  }
}
