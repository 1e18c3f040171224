import { BatchQueue, type BatchLimits } from './batch-queue.js';
import { PendingGroup, type PendingEvent } from './pending-group.js';

/** A call of `sizes.length` events with those record sizes. */
const group = (...sizes: number[]): PendingGroup => {
  const events = sizes.map((recordBytes) => ({ recordBytes }) as PendingEvent);
  return new PendingGroup(
    events,
    sizes.reduce((a, b) => a + b, 0),
    () => undefined,
    () => undefined,
  );
};
const limits = (maxEvents: number, maxBytes: number, requestBytes = 1_000_000): BatchLimits => ({
  maxEvents,
  maxBytes,
  requestBytes,
});
const spans = (batch: ReturnType<BatchQueue['take']>) => batch?.slices.map(({ from, to }) => [from, to]);

describe('BatchQueue', () => {
  it('takes whole calls in order within the gathering limits, and nothing when empty', () => {
    const queue = new BatchQueue();
    const [a, b, c] = [group(5, 5), group(5, 5), group(5, 5)];
    [a, b, c].forEach((g) => queue.push(g));
    const first = queue.take(limits(5, 1000))!;
    expect(first.slices.map((s) => s.group)).toEqual([a, b]);
    expect(first.events).toEqual([...a.events, ...b.events]);
    expect(first.bytes).toBe(20);
    expect([queue.events, queue.bytes]).toEqual([2, 10]);
    expect(queue.take(limits(5, 15))!.slices.map((s) => s.group)).toEqual([c]);
    expect(queue.isEmpty).toBe(true);
    expect(queue.take(limits(5, 15))).toBeUndefined();
  });

  it('sends a call over the gathering limits whole and alone when the request can carry it', () => {
    const queue = new BatchQueue();
    const big = group(...Array.from({ length: 10 }, () => 500));
    queue.push(big);
    queue.push(group(1));
    const batch = queue.take(limits(5, 100))!;
    expect(batch.slices).toEqual([{ group: big, from: 0, to: 10 }]);
    // One whole call goes to Kafka without a copy of its events.
    expect(batch.events).toBe(big.events);
  });

  it('splits a call larger than one request into consecutive requests of as many events as fit', () => {
    const queue = new BatchQueue();
    const before = group(10);
    const big = group(40, 40, 40, 40, 40, 40, 40);
    const after = group(10);
    [before, big, after].forEach((g) => queue.push(g));
    // The call that does not fit the rest of the first request waits for an empty one.
    expect(queue.take(limits(100, 1000, 100))!.slices.map((s) => s.group)).toEqual([before]);
    expect(spans(queue.take(limits(100, 1000, 100)))).toEqual([[0, 2]]);
    expect([big.sent, big.unsentBytes, queue.events, queue.bytes]).toEqual([2, 200, 6, 210]);
    expect(spans(queue.take(limits(100, 1000, 100)))).toEqual([[2, 4]]);
    expect(spans(queue.take(limits(100, 1000, 100)))).toEqual([[4, 6]]);
    // Its remainder fits: the next call joins it.
    const last = queue.take(limits(100, 1000, 100))!;
    expect(last.slices.map(({ group: g, from, to }) => [g === big ? 'big' : 'after', from, to])).toEqual([
      ['big', 6, 7],
      ['after', 0, 1],
    ]);
    expect(queue.isEmpty).toBe(true);
    expect([queue.events, queue.bytes]).toEqual([0, 0]);
  });

  it('skips and drops calls already answered, with whatever of them was not sent', () => {
    const queue = new BatchQueue();
    const big = group(60, 60, 60);
    const live = group(1);
    queue.push(big);
    queue.push(live);
    expect(spans(queue.take(limits(10, 1000, 100)))).toEqual([[0, 1]]);
    big.settled = true;
    queue.dropSettledHead();
    expect([queue.events, queue.bytes]).toEqual([1, 1]);
    expect(queue.take(limits(10, 1000, 100))!.slices.map((s) => s.group)).toEqual([live]);
    const done = group(1);
    done.settled = true;
    queue.push(done);
    expect(queue.take(limits(10, 1000))).toBeUndefined();
  });
});
