// The IPC messages between the realtime benchmark and its child processes.

/** Child → benchmark. */
export type ChildMessage =
  | { type: 'ready' }
  | { type: 'rss'; rss: number; heapUsed: number }
  | { type: 'cpu'; micros: number }
  | { type: 'done'; sent: number; inWindow: number }
  | { type: 'times'; ids: string[]; times: number[] }
  | { type: 'count'; received: number }
  | { type: 'deliveries'; ids: string[]; times: number[]; latencies: number[] };

/** Benchmark → child. */
export type ParentMessage =
  | { type: 'rss' }
  | { type: 'cpu' }
  | { type: 'run'; rate: number; durationMs: number; windowFrom: number; windowTo: number }
  | { type: 'dump' }
  | { type: 'window'; from: number; to: number }
  | { type: 'count' }
  | { type: 'stop' };

/** Answers the benchmark (a no-op when run without IPC). */
export function reply(message: ChildMessage): void {
  process.send?.(message);
}
