import { BatchQueue } from './batch-queue.js';
import type { PendingGroup } from './pending-group.js';

const group = (events: number, bytes: number, deadline = 100): PendingGroup => ({
  events: Array.from({ length: events }, () => ({}) as never),
  bytes,
  deadline,
  settled: false,
  resolve: () => undefined,
  reject: () => undefined,
});

describe('BatchQueue', () => {
  it('takes whole groups in order up to maxEvents and maxBytes', () => {
    const queue = new BatchQueue();
    const [a, b, c] = [group(2, 10), group(2, 10), group(2, 10)];
    [a, b, c].forEach((g) => queue.push(g));
    expect(queue.take(5, 1000)).toEqual([a, b]);
    expect(queue.events).toBe(2);
    expect(queue.take(5, 15)).toEqual([c]);
    expect(queue.isEmpty).toBe(true);
  });

  it('never splits a group: an oversized one goes out alone', () => {
    const queue = new BatchQueue();
    const big = group(10, 5000);
    queue.push(big);
    queue.push(group(1, 1));
    expect(queue.take(5, 100)).toEqual([big]);
  });

  it('skips groups already answered', () => {
    const queue = new BatchQueue();
    const done = { ...group(1, 1), settled: true };
    const live = group(1, 1);
    queue.push(done);
    queue.push(live);
    expect(queue.take(10, 100)).toEqual([live]);
  });

  it('expires from the head only, up to now', () => {
    const queue = new BatchQueue();
    const [a, b, c] = [group(1, 1, 10), group(1, 1, 20), group(1, 1, 30)];
    [a, b, c].forEach((g) => queue.push(g));
    expect(queue.expire(20)).toEqual([a, b]);
    expect(queue.headDeadline).toBe(30);
    expect([queue.events, queue.bytes]).toEqual([1, 1]);
  });

  it('compacts its storage as it drains', () => {
    const queue = new BatchQueue();
    for (let i = 0; i < 5000; i++) queue.push(group(1, 1, i));
    for (let i = 0; i < 4990; i++) queue.take(1, 100);
    expect(queue.events).toBe(10);
    expect((queue as unknown as { items: unknown[] }).items.length).toBeLessThan(5000);
  });
});
