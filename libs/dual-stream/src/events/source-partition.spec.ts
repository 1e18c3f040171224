import { Partitioners } from 'kafkajs';
import { sourcePartition } from './source-partition.js';

describe('sourcePartition', () => {
  it("agrees with kafkajs' default partitioner for the source key and spreads sources over partitions", () => {
    const fresh = Partitioners.DefaultPartitioner();
    const seen = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const source = { type: 'order', id: `o-${i}` };
      const expected = fresh({
        topic: 'events.order',
        partitionMetadata: [0, 1, 2].map((partitionId) => ({
          partitionId,
          leader: 1,
          partitionErrorCode: 0,
          replicas: [1],
          isr: [1],
        })),
        message: { key: `order:o-${i}`, value: 'x' },
      });
      expect(sourcePartition(source, 3)).toBe(expected);
      seen.add(expected);
    }
    expect(seen).toEqual(new Set([0, 1, 2]));
    expect(sourcePartition({ type: 'order', id: 'o-1' }, 1)).toBe(0);
  });

  it('refuses a partition count that is not a positive integer', () => {
    expect(() => sourcePartition({ type: 'order', id: 'o' }, 0)).toThrow(RangeError);
  });
});
