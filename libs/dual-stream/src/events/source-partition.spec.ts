import { sourcePartition } from './source-partition.js';

describe('sourcePartition', () => {
  it("gives the Java client's murmur2 partition of the source key (values from kafkajs' DefaultPartitioner)", () => {
    const got = Array.from({ length: 12 }, (_, i) => sourcePartition({ type: 'order', id: `o-${i}` }, 3));
    expect(got).toEqual([1, 1, 0, 1, 0, 1, 2, 1, 2, 2, 1, 1]);
    expect(sourcePartition({ type: 'order', id: 'o-1001' }, 7)).toBe(3);
    expect(sourcePartition({ type: 'order', id: 'o-1' }, 1)).toBe(0);
  });

  it('refuses a partition count that is not a positive integer', () => {
    expect(() => sourcePartition({ type: 'order', id: 'o' }, 0)).toThrow(RangeError);
  });
});
