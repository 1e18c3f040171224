import { GapTracker } from './gap-tracker.js';

const at = (partition: number, offset: number) => ({ topic: 't', partition, offset: String(offset) });

describe('GapTracker', () => {
  it('keeps one range per channel and partition with first/last offset and a count', () => {
    const gaps = new GapTracker(100, 'gaps');
    gaps.record('a', at(0, 5));
    gaps.record('a', at(0, 9));
    gaps.record('a', at(0, 7));
    gaps.record('a', at(1, 2));
    gaps.record('b', at(0, 6));
    expect(gaps.drain()).toEqual([
      { kind: 'gap', channel: 'a', topic: 't', partition: 0, fromOffset: '5', toOffset: '9', skipped: 3 },
      { kind: 'gap', channel: 'a', topic: 't', partition: 1, fromOffset: '2', toOffset: '2', skipped: 1 },
      { kind: 'gap', channel: 'b', topic: 't', partition: 0, fromOffset: '6', toOffset: '6', skipped: 1 },
    ]);
    expect(gaps.size).toBe(0);
  });

  it('folds channels past the cap into one range per partition on the overflow channel', () => {
    const gaps = new GapTracker(1, 'gaps');
    gaps.record('a', at(0, 1));
    gaps.record('b', at(0, 2));
    gaps.record('c', at(0, 3));
    expect(gaps.overflowed).toBe(2);
    expect(gaps.drain()).toEqual([
      { kind: 'gap', channel: 'a', topic: 't', partition: 0, fromOffset: '1', toOffset: '1', skipped: 1 },
      { kind: 'gap', channel: 'gaps', topic: 't', partition: 0, fromOffset: '2', toOffset: '3', skipped: 2 },
    ]);
  });

  it('restores markers that could not be sent, merged with what was skipped since', () => {
    const gaps = new GapTracker(10, 'gaps');
    gaps.record('a', at(0, 5));
    gaps.record('a', at(0, 8));
    const markers = gaps.drain();
    gaps.record('a', at(0, 12));
    gaps.restore(markers);
    expect(gaps.drain()).toEqual([
      { kind: 'gap', channel: 'a', topic: 't', partition: 0, fromOffset: '5', toOffset: '12', skipped: 3 },
    ]);
  });
});
