import { backoffDelayMs, sleep } from './backoff.js';

describe('backoffDelayMs (exponential, full jitter)', () => {
  const retry = { backoffMs: 100, maxBackoffMs: 1000 };

  it('caps the window at backoffMs * 2^(attempt-1), then at maxBackoffMs', () => {
    const top = () => 0.999999;
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelayMs(a, retry, top))).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it('spreads the delay uniformly over [0, window)', () => {
    expect(backoffDelayMs(3, retry, () => 0)).toBe(0);
    expect(backoffDelayMs(3, retry, () => 0.5)).toBe(200);
    const samples = Array.from({ length: 2000 }, () => backoffDelayMs(4, retry));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...samples)).toBeLessThan(800);
    expect(new Set(samples).size).toBeGreaterThan(100);
  });

  it('does not overflow for huge attempt numbers', () => {
    expect(backoffDelayMs(10_000, retry, () => 0.5)).toBe(500);
  });
});

describe('sleep', () => {
  it('returns early when the signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const done = sleep(60_000, controller.signal);
    controller.abort();
    await done;
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
