import { jest } from '@jest/globals';
import { DeadlineWatch } from './deadline-watch.js';

interface Item {
  name: string;
  deadline: number;
  settled: boolean;
}

describe('DeadlineWatch', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const item = (name: string, inMs: number): Item => ({ name, deadline: performance.now() + inMs, settled: false });

  it('hands over each unsettled item once its deadline passed, in order, never early', () => {
    const expired: string[][] = [];
    const watch = new DeadlineWatch<Item>((items) => expired.push(items.map((i) => i.name)));
    const [a, b, c] = [item('a', 100), item('b', 100), item('c', 300)];
    [a, b, c].forEach((i) => watch.add(i));
    b.settled = true;
    jest.advanceTimersByTime(100);
    expect(expired).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(expired).toEqual([['a']]);
    jest.advanceTimersByTime(199);
    expect(expired).toEqual([['a']]);
    jest.advanceTimersByTime(1);
    expect(expired).toEqual([['a'], ['c']]);
    expect(watch.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('keeps one timer, and drops items settled in time as new ones arrive', () => {
    const watch = new DeadlineWatch<Item>(() => undefined);
    for (let i = 0; i < 10_000; i++) {
      const next = item(`i${i}`, 1000);
      watch.add(next);
      next.settled = true;
    }
    expect(watch.size).toBe(1);
    expect(jest.getTimerCount()).toBe(1);
    watch.stop();
    expect(jest.getTimerCount()).toBe(0);
  });
});
