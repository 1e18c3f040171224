/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes on one machine. */
export const now = (): number => performance.timeOrigin + performance.now();

/** Counts the stamps that fall in the measured window (what clients should receive, per subscriber). */
export function windowCounter(from: number, to: number): { stamp: () => number; count: () => number } {
  let inWindow = 0;
  return {
    stamp: () => {
      const t = now();
      if (t >= from && t < to) inWindow++;
      return t;
    },
    count: () => inWindow,
  };
}

/**
 * Calls `emit(seq)` at `rate` per second for `durationMs`, catching up each 5 ms tick (timers are coarse on
 * a busy machine), and resolves with how many were emitted.
 */
export function runAtRate(rate: number, durationMs: number, emit: (seq: number) => void): Promise<number> {
  const start = now();
  let sent = 0;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      const elapsed = now() - start;
      const due = Math.min(
        Math.floor((Math.min(elapsed, durationMs) * rate) / 1000),
        Math.floor((durationMs * rate) / 1000),
      );
      while (sent < due) emit(sent++);
      if (elapsed >= durationMs) {
        clearInterval(timer);
        resolve(sent);
      }
    }, 5);
  });
}
