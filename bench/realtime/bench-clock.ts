/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes on one machine. */
export const now = (): number => performance.timeOrigin + performance.now();

export const BENCH_SECRET = 'realtime-bench-secret-0123456789abcdef';

/** Messages between the benchmark and its child processes. */
export type ChildMessage =
  | { type: 'ready' }
  | { type: 'rss'; rss: number; heapUsed: number }
  | { type: 'cpu'; micros: number }
  | { type: 'done'; sent: number; inWindow: number }
  | { type: 'times'; ids: string[]; times: number[] }
  | { type: 'count'; received: number }
  | { type: 'deliveries'; ids: string[]; times: number[]; latencies: number[] };

export type ParentMessage =
  | { type: 'rss' }
  | { type: 'cpu' }
  | { type: 'run'; rate: number; durationMs: number; windowFrom: number; windowTo: number }
  | { type: 'dump' }
  | { type: 'window'; from: number; to: number }
  | { type: 'count' }
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

export function reply(message: ChildMessage): void {
  process.send?.(message);
}

/** User + system CPU time of this process so far, in microseconds. */
export function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

export function memoryAfterGc(): { rss: number; heapUsed: number } {
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

/**
 * Diagnostic (BENCH_LOOP_DELAY=1): prints each second in which this process' event loop was blocked for more
 * than 15 ms, to locate stalls among the benchmark's processes.
 */
export async function watchLoopDelay(name: string): Promise<void> {
  if (!process.env.BENCH_LOOP_DELAY) return;
  const { monitorEventLoopDelay } = await import('node:perf_hooks');
  const histogram = monitorEventLoopDelay({ resolution: 2 });
  histogram.enable();
  setInterval(() => {
    const maxMs = histogram.max / 1e6;
    if (maxMs > 15) {
      console.error(
        `[loop] ${name} ${Math.round(now() % 100_000)}: max ${maxMs.toFixed(1)} ms p99 ${(histogram.percentile(99) / 1e6).toFixed(1)} ms`,
      );
    }
    histogram.reset();
  }, 1000).unref();
}
