/**
 * When the next Kafka batch starts while none is in flight: after `batch.lingerMs`, or with `0` once the
 * current event-loop turn is over (setImmediate), so every call made in the same turn joins one batch.
 */
export class LingerTimer {
  private timeout: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;

  constructor(
    private readonly lingerMs: number,
    private readonly fire: () => void,
  ) {}

  /** Starts waiting unless a wait is already running. */
  start(): void {
    if (this.timeout || this.immediate) return;
    if (this.lingerMs <= 0) {
      this.immediate = setImmediate(() => {
        this.immediate = undefined;
        this.fire();
      });
    } else {
      this.timeout = setTimeout(() => {
        this.timeout = undefined;
        this.fire();
      }, this.lingerMs);
    }
  }

  cancel(): void {
    if (this.timeout) clearTimeout(this.timeout);
    if (this.immediate) clearImmediate(this.immediate);
    this.timeout = undefined;
    this.immediate = undefined;
  }
}
