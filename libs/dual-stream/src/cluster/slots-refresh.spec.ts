import { jest } from '@jest/globals';
import { refreshSlotsPeriodically, type RefreshableCluster } from './slots-refresh.js';

/** A cluster whose slot refreshes stay in flight until the test completes them. */
class FakeCluster implements RefreshableCluster {
  status = 'ready';
  refreshes = 0;
  private inFlight: ((err?: Error | null) => void)[] = [];
  private onEnd?: () => void;

  refreshSlotsCache(callback?: (err?: Error | null) => void): void {
    this.refreshes++;
    if (callback) this.inFlight.push(callback);
  }

  once(_event: 'end', listener: () => void): this {
    this.onEnd = listener;
    return this;
  }

  completeRefreshes(err?: Error): void {
    const callbacks = this.inFlight;
    this.inFlight = [];
    for (const cb of callbacks) cb(err);
  }

  end(): void {
    this.status = 'end';
    this.onEnd?.();
  }
}

describe('refreshSlotsPeriodically', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('refreshes once per interval, the next round only after the previous refresh answered', () => {
    const cluster = new FakeCluster();
    refreshSlotsPeriodically(cluster, 1000);
    jest.advanceTimersByTime(1000);
    expect(cluster.refreshes).toBe(1);
    jest.advanceTimersByTime(5000);
    expect(cluster.refreshes).toBe(1); // still in flight
    cluster.completeRefreshes();
    jest.advanceTimersByTime(1000);
    expect(cluster.refreshes).toBe(2);
  });

  it('leaves no timer behind when the cluster ends while a refresh is in flight (ioredis slotsRefreshInterval does)', () => {
    const cluster = new FakeCluster();
    refreshSlotsPeriodically(cluster, 1000);
    jest.advanceTimersByTime(1000);
    expect(cluster.refreshes).toBe(1);
    cluster.status = 'disconnecting';
    cluster.end();
    cluster.completeRefreshes(new Error('Cluster is disconnected.'));
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(10_000);
    expect(cluster.refreshes).toBe(1);
  });

  it('skips rounds while the cluster is not ready, and stops when it is found ended', () => {
    const cluster = new FakeCluster();
    cluster.status = 'reconnecting';
    refreshSlotsPeriodically(cluster, 1000);
    jest.advanceTimersByTime(3000);
    expect(cluster.refreshes).toBe(0);
    cluster.status = 'ready';
    jest.advanceTimersByTime(1000);
    expect(cluster.refreshes).toBe(1);
    cluster.completeRefreshes();
    cluster.status = 'end';
    jest.advanceTimersByTime(1000);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('does nothing with interval 0, and its stop function ends it', () => {
    const idle = new FakeCluster();
    refreshSlotsPeriodically(idle, 0);
    expect(jest.getTimerCount()).toBe(0);
    const cluster = new FakeCluster();
    const stop = refreshSlotsPeriodically(cluster, 1000);
    stop();
    jest.advanceTimersByTime(5000);
    expect(cluster.refreshes).toBe(0);
  });
});
