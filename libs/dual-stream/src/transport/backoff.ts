import type { DualStreamRetryOptions } from '../interfaces/dual-stream-options.interface.js';

/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"): spreading
 * retries uniformly over [0, cap] keeps many failing partitions from retrying in lockstep.
 * `attempt` is the attempt that just failed (1 = first delivery).
 */
export function backoffDelayMs(
  attempt: number,
  retry: Required<Pick<DualStreamRetryOptions, 'backoffMs' | 'maxBackoffMs'>>,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const cap = Math.min(retry.maxBackoffMs, retry.backoffMs * 2 ** exponent);
  return Math.floor(random() * cap);
}

/** Resolves after `ms`, or early when `signal` aborts (shutdown must not wait out a long backoff). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
