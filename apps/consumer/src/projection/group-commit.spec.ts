import type { WriterRequest } from './projection-writer.protocol.js';
import { groupCommits } from './group-commit.js';

const apply = (id: number, n: number): WriterRequest => ({
  id,
  op: 'apply',
  topic: 'events.order',
  partition: 0,
  offsets: Array.from({ length: n }, (_, i) => String(i)),
  eventsJson: '[]',
});
const mark = (id: number): WriterRequest => ({ id, op: 'markUnapplied', positions: [] });
const ids = (groups: ReturnType<typeof groupCommits>) => groups.map((g) => `${g.op}:${g.requests.map((r) => r.id)}`);

describe('groupCommits', () => {
  it('puts consecutive applies in one group and keeps every other request in its place', () => {
    expect(ids(groupCommits([apply(1, 10), apply(2, 10), mark(3), apply(4, 1), { id: 5, op: 'close' }]))).toEqual([
      'apply:1,2',
      'other:3',
      'apply:4',
      'other:5',
    ]);
  });

  it('starts a new transaction once the records would exceed the cap', () => {
    expect(ids(groupCommits([apply(1, 400), apply(2, 400), apply(3, 300)], 1_000))).toEqual(['apply:1,2', 'apply:3']);
  });

  it('never splits one batch: a batch over the cap is a transaction of its own', () => {
    expect(ids(groupCommits([apply(1, 10), apply(2, 2_000), apply(3, 10)], 1_000))).toEqual([
      'apply:1',
      'apply:2',
      'apply:3',
    ]);
  });

  it('answers nothing for nothing', () => {
    expect(groupCommits([])).toEqual([]);
  });
});
