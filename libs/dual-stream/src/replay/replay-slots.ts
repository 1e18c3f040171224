interface Waiter {
  grant: (granted: boolean) => void;
}

/**
 * The process-wide cap on replays running at once (`replay.maxConcurrent`). A replay takes a slot for its whole
 * run and gives it back when it ends, however it ends. Those that cannot wait are refused at once; those that
 * may wait queue in arrival order, each until its own deadline or abort signal.
 */
export class ReplaySlots {
  private taken = 0;
  private readonly waiters: Waiter[] = [];

  constructor(private readonly max: number) {}

  /** Slots in use now. */
  get active(): number {
    return this.taken;
  }

  /** A slot now, or false when all are taken. */
  tryAcquire(): boolean {
    if (this.taken >= this.max) return false;
    this.taken++;
    return true;
  }

  /**
   * A slot now or when one frees up, in arrival order; false at `deadline` (epoch ms; `Infinity` waits until a
   * slot frees up or `signal` aborts) or on abort.
   */
  acquire(deadline: number, signal?: AbortSignal): Promise<boolean> {
    if (this.tryAcquire()) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        grant: (granted) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(granted);
        },
      };
      const giveUp = () => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        waiter.grant(false);
      };
      const onAbort = () => giveUp();
      // setTimeout clamps anything over 2^31 - 1 ms to 1 ms: no timer at all for a wait without a deadline.
      const timer = Number.isFinite(deadline) ? setTimeout(giveUp, Math.max(0, deadline - Date.now())) : undefined;
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Gives a slot back: to the oldest waiter if there is one. */
  release(): void {
    const next = this.waiters.shift();
    if (next) next.grant(true);
    else this.taken--;
  }
}
