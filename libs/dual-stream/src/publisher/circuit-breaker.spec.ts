import { jest } from '@jest/globals';
import { CircuitBreaker } from './circuit-breaker.js';

describe('CircuitBreaker', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('opens after the threshold of consecutive failures only', () => {
    const breaker = new CircuitBreaker(3, 100, async () => undefined);
    breaker.failure();
    breaker.failure();
    breaker.success();
    breaker.failure();
    breaker.failure();
    expect(breaker.state).toBe('closed');
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.timesOpened).toBe(1);
    breaker.stop();
  });

  it('probes while open and closes after a successful probe', async () => {
    let healthy = false;
    const probes: number[] = [];
    const changes: string[] = [];
    const breaker = new CircuitBreaker(
      1,
      100,
      async () => {
        probes.push(Date.now());
        if (!healthy) throw new Error('down');
      },
      (s) => changes.push(s),
    );
    breaker.failure();
    await jest.advanceTimersByTimeAsync(250);
    expect(probes).toHaveLength(2);
    expect(breaker.state).toBe('open');
    healthy = true;
    await jest.advanceTimersByTimeAsync(100);
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['open', 'closed']);
    await jest.advanceTimersByTimeAsync(500);
    expect(probes).toHaveLength(3);
  });
});
