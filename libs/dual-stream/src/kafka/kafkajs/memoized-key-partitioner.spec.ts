import { jest } from '@jest/globals';
import { Partitioners, type PartitionerArgs, type PartitionMetadata } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { keyPartition } from '../key-partition.js';
import { memoizedKeyPartitioner } from './memoized-key-partitioner.js';

const metadata = (count: number): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: 1,
    replicas: [1],
    isr: [1],
    partitionErrorCode: 0,
  }));
const args = (key: string | Buffer | null, count: number, partition?: number): PartitionerArgs => ({
  topic: 't',
  partitionMetadata: metadata(count),
  message: { key, value: 'v', ...(partition === undefined ? {} : { partition }) },
});

describe('memoizedKeyPartitioner', () => {
  it("gives kafkajs' DefaultPartitioner's answer for every key and partition count", () => {
    const plain = Partitioners.DefaultPartitioner();
    const memo = memoizedKeyPartitioner(Partitioners.DefaultPartitioner)();
    const keys = Array.from({ length: 500 }, (_, i) => `order:${i}`);
    for (const count of [1, 3, 7, 12]) {
      const expected = keys.map((key) => plain(args(key, count)));
      // One assertion per pass over the keys (an `expect` per key made this spec take seconds).
      expect(keys.map((key) => memo(args(key, count)))).toEqual(expected);
      expect(keys.map((key) => memo(args(key, count)))).toEqual(expected); // from the cache
    }
  });

  it('asks the base once per key and count, passes explicit partitions and non-string keys through, stays bounded', () => {
    const base = jest.fn((_: PartitionerArgs) => 2);
    const memo = memoizedKeyPartitioner(() => base, 2)();
    memo(args('a', 3));
    memo(args('a', 3));
    memo(args('a', 6)); // another partition count: asked again
    expect(base).toHaveBeenCalledTimes(2);
    memo(args('a', 3, 0)); // explicit partition
    memo(args(Buffer.from('a'), 3)); // Buffer key
    memo(args(null, 3)); // no key: round-robin, never cached
    memo(args(null, 3));
    expect(base).toHaveBeenCalledTimes(6);
    memo(args('b', 3));
    memo(args('c', 3)); // over maxKeys = 2: the cache starts over
    memo(args('a', 3));
    expect(base).toHaveBeenCalledTimes(9);
  });
});

describe('keyPartition', () => {
  it("agrees with kafkajs' DefaultPartitioner (the Java client's murmur2) for every key length and count", () => {
    const kafkajs = Partitioners.DefaultPartitioner();
    const keys = ['', 'a', 'ab', 'abc', 'order:o-1001', 'ünïcødé:🙂', 'x'.repeat(1000)];
    for (let i = 0; i < 500; i++) keys.push(randomBytes(i % 40).toString('latin1'));
    for (const key of keys) {
      for (const count of [1, 2, 3, 6, 7, 64, 1000]) {
        const expected = kafkajs(args(key, count));
        expect([key, count, keyPartition(key, count)]).toEqual([key, count, expected]);
      }
    }
  });
});
