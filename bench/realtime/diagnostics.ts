// Opt-in diagnostics of the realtime benchmark (env switches; see docs/benchmarks.md). None of them changes
// what is measured unless set.
import { percentile, round } from '../support/bench-report.js';
import { now } from './bench-clock.js';

/** Node flags for a child process: --expose-gc always, plus whatever a diagnostic asks for that child. */
export function childExecArgv(script: string): string[] {
  const env = process.env;
  return [
    '--expose-gc',
    // For every child, both sides alike (gateways, publisher/emitter, probe, clients).
    ...(env.BENCH_CHILD_FLAGS ?? '').split(' ').filter(Boolean),
    ...(env.BENCH_CPU_PROF === script ? ['--cpu-prof', '--cpu-prof-dir=bench/results/profiles'] : []),
    ...(env.BENCH_TRACE_GC === script ? ['--trace-gc'] : []),
    ...(env.BENCH_HEAP_PROF === script ? ['--heap-prof', '--heap-prof-dir=bench/results/profiles'] : []),
    ...(env.BENCH_IMPORT && env.BENCH_IMPORT_INTO === script ? ['--import', env.BENCH_IMPORT] : []),
  ];
}

interface Deliveries {
  latencies: number[];
  ids: string[];
  times: number[];
  measureFrom: number;
}

/**
 * BENCH_TIMELINE: the worst 50 ms slices of the window by publish time (max publish → client, and of it the
 * part before the notification left Redis), to tell one long stall from spread tails and Kafka from fan-out.
 */
export function printWorstSlices(label: string, got: Deliveries, leftRedis: ReadonlyMap<string, number>): void {
  const slices = new Map<number, [number, number]>();
  got.latencies.forEach((latency, i) => {
    const t0 = got.times[i] - latency;
    const slice = Math.floor((t0 - got.measureFrom) / 50);
    const left = leftRedis.get(got.ids[i]);
    const [worst, upstream] = slices.get(slice) ?? [0, 0];
    slices.set(slice, [Math.max(worst, latency), Math.max(upstream, left === undefined ? 0 : left - t0)]);
  });
  const worst = [...slices].sort((a, b) => b[1][0] - a[1][0]).slice(0, 12);
  console.error(
    `${label} worst slices (start ms: max latency / of it before Redis): ${worst.map(([s, [l, u]]) => `${s * 50}: ${round(l, 1)}/${round(u, 1)}`).join(', ')}`,
  );
}

/** BENCH_BURSTS: notifications leaving Redis together (< 0.3 ms apart) and the Redis → client latency by burst size. */
export function printBursts(label: string, got: Deliveries, leftRedis: { ids: string[]; times: number[] }): void {
  const sizeOf = new Map<string, number>();
  const at = new Map<string, number>();
  for (let i = 0; i < leftRedis.times.length;) {
    let j = i + 1;
    while (j < leftRedis.times.length && leftRedis.times[j] - leftRedis.times[j - 1] < 0.3) j++;
    for (let k = i; k < j; k++) {
      sizeOf.set(leftRedis.ids[k], j - i);
      at.set(leftRedis.ids[k], leftRedis.times[k]);
    }
    i = j;
  }
  const sizes = [...sizeOf.values()];
  const byBucket = new Map<string, number[]>();
  got.ids.forEach((id, i) => {
    const left = at.get(id);
    const size = sizeOf.get(id);
    if (left === undefined || size === undefined) return;
    const bucket = size <= 10 ? '<=10' : size <= 30 ? '11-30' : size <= 60 ? '31-60' : '>60';
    (byBucket.get(bucket) ?? byBucket.set(bucket, []).get(bucket)!).push(got.times[i] - left);
  });
  console.error(
    `${label}: burst size p50 ${percentile(sizes, 50)} p99 ${percentile(sizes, 99)} max ${Math.max(...sizes)}`,
  );
  for (const [b, l] of byBucket) {
    console.error(`  burst ${b}: n=${l.length} p50 ${round(percentile(l, 50))} p99 ${round(percentile(l, 99))}`);
  }
}

/**
 * BENCH_LOOP_DELAY=1: prints each second in which this process' event loop was blocked for more than 15 ms, to
 * locate stalls among the benchmark's processes.
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
