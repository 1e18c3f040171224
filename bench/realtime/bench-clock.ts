/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes on one machine. */
export const now = (): number => performance.timeOrigin + performance.now();

export const BENCH_SECRET = 'realtime-bench-secret-0123456789abcdef';

/** Messages between the benchmark and its child processes. */
export type ChildMessage =
  | { type: 'ready' }
  | { type: 'rss'; rss: number; heapUsed: number }
  | { type: 'done'; sent: number; inWindow: number }
  | { type: 'times'; ids: string[]; times: number[] };

export type ParentMessage =
  | { type: 'rss' }
  | { type: 'run'; rate: number; durationMs: number; windowFrom: number; windowTo: number }
  | { type: 'dump' }
  | { type: 'stop' };

/** Source `i` of the benchmark: 50 channels, `events:{type}:c{i}`. */
export const benchSource = (type: string, i: number) => ({ type, id: `c${i}` });

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
      const due = Math.min(Math.floor((Math.min(elapsed, durationMs) * rate) / 1000), Math.floor((durationMs * rate) / 1000));
      while (sent < due) emit(sent++);
      if (elapsed >= durationMs) {
        clearInterval(timer);
        resolve(sent);
      }
    }, 5);
  });
}

export function reply(message: ChildMessage): void {
  process.send?.(message);
}

export function memoryAfterGc(): { rss: number; heapUsed: number } {
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}
