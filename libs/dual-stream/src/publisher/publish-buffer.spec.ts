import { jest } from '@jest/globals';
import { BackpressureError } from '../errors/backpressure.error.js';
import { PublishBuffer } from './publish-buffer.js';

describe('PublishBuffer', () => {
  afterEach(() => jest.useRealTimers());

  it('grants at once while there is room and counts events and bytes', () => {
    const buffer = new PublishBuffer(3, 1000, 100);
    const granted: number[] = [];
    expect(
      buffer.acquire(
        2,
        100,
        () => granted.push(1),
        () => undefined,
      ),
    ).toBe(true);
    expect(
      buffer.acquire(
        1,
        100,
        () => granted.push(2),
        () => undefined,
      ),
    ).toBe(true);
    expect(granted).toEqual([1, 2]);
    expect([buffer.bufferedEvents, buffer.bufferedBytes]).toEqual([3, 200]);
  });

  it('makes callers wait in FIFO order and grants them synchronously on release', () => {
    const buffer = new PublishBuffer(2, 1000, 100);
    const order: string[] = [];
    buffer.acquire(
      2,
      10,
      () => order.push('a'),
      () => undefined,
    );
    expect(
      buffer.acquire(
        1,
        10,
        () => order.push('b'),
        () => undefined,
      ),
    ).toBe(false);
    expect(
      buffer.acquire(
        1,
        10,
        () => order.push('c'),
        () => undefined,
      ),
    ).toBe(false);
    // A caller arriving while others wait queues behind them even if it would fit.
    buffer.release(1, 10);
    expect(order).toEqual(['a', 'b']);
    expect(
      buffer.acquire(
        1,
        10,
        () => order.push('d'),
        () => undefined,
      ),
    ).toBe(false);
    buffer.release(2, 20);
    expect(order).toEqual(['a', 'b', 'c', 'd']);
  });

  it('bounds bytes as well as events', () => {
    const buffer = new PublishBuffer(100, 100, 100);
    buffer.acquire(
      1,
      80,
      () => undefined,
      () => undefined,
    );
    expect(
      buffer.acquire(
        1,
        30,
        () => undefined,
        () => undefined,
      ),
    ).toBe(false);
    expect(buffer.waiting).toBe(1);
  });

  it('fails a waiter with BackpressureError after maxBlockMs and lets smaller waiters behind it in', () => {
    jest.useFakeTimers();
    const buffer = new PublishBuffer(3, 1000, 50);
    buffer.acquire(
      2,
      10,
      () => undefined,
      () => undefined,
    );
    const errors: Error[] = [];
    let small = false;
    buffer.acquire(
      3,
      10,
      () => undefined,
      (e) => errors.push(e),
    );
    jest.advanceTimersByTime(10);
    buffer.acquire(
      1,
      10,
      () => (small = true),
      (e) => errors.push(e),
    );
    expect(small).toBe(false);
    jest.advanceTimersByTime(45);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(BackpressureError);
    expect(small).toBe(true);
  });

  it('knows reservations that can never fit and admits a big one into an empty buffer', () => {
    const buffer = new PublishBuffer(10, 100, 50);
    expect(buffer.exceedsCapacity(11, 1)).toBe(true);
    expect(buffer.exceedsCapacity(10, 100)).toBe(false);
    expect(
      buffer.acquire(
        10,
        100,
        () => undefined,
        () => undefined,
      ),
    ).toBe(true);
  });

  it('failAll answers every waiter', () => {
    const buffer = new PublishBuffer(1, 100, 10_000);
    buffer.acquire(
      1,
      1,
      () => undefined,
      () => undefined,
    );
    const errors: Error[] = [];
    buffer.acquire(
      1,
      1,
      () => undefined,
      (e) => errors.push(e),
    );
    buffer.failAll(new Error('closed'));
    expect(errors.map((e) => e.message)).toEqual(['closed']);
    expect(buffer.waiting).toBe(0);
  });
});
