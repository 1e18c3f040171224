// What every process of the realtime benchmark agrees on.
import type { EventSource } from '@dual-stream/nestjs';

/** Signs and verifies the gateway tokens of the benchmark's clients. */
export const BENCH_SECRET = 'realtime-bench-secret-0123456789abcdef';

/** Source `i` of the benchmark's `type`: `{ type, id: 'c{i}' }`, one channel each. */
export const benchSource = (type: string, i: number): EventSource => ({ type, id: `c${i}` });
