import { Partitioners, type PartitionMetadata } from 'kafkajs';
import type { OutgoingRecord } from '../kafka-port.interface.js';
import { assignedPartition, positionsOf, recordingPartitioner, toTopicMessages } from './kafkajs-records.js';

const rec = (topic: string, id: string, key: string): OutgoingRecord => ({
  topic,
  key,
  value: `{"id":"${id}"}`,
  headers: { ce_id: id },
});

const partitions = (n: number): PartitionMetadata[] =>
  Array.from({ length: n }, (_, partitionId) => ({
    partitionId,
    leader: 1,
    partitionErrorCode: 0,
    replicas: [1],
    isr: [1],
  }));

/** A recording partitioner that puts every message on `partition`. */
const toPartition = (partition: number) => recordingPartitioner(() => () => partition)();

describe('kafkajs records', () => {
  it('records the partition kafkajs chooses and derives per-message offsets from the base offsets', () => {
    const partitioner = recordingPartitioner(Partitioners.DefaultPartitioner)();
    const batch = [
      rec('a', '1', 'k1'),
      rec('b', '2', 'k1'),
      rec('a', '3', 'k2'),
      rec('a', '4', 'k1'),
      rec('a', '5', 'k3'),
    ];
    const { topicMessages, messages } = toTopicMessages(batch);
    expect(topicMessages.map((t) => [t.topic, t.messages.length])).toEqual([
      ['a', 4],
      ['b', 1],
    ]);
    // What kafkajs does: partition each message of each topic.
    for (const { topic, messages: list } of topicMessages) {
      for (const message of list) partitioner({ topic, partitionMetadata: partitions(3), message });
    }
    const parts = messages.map((m) => assignedPartition(m)!);
    expect(parts[0]).toBe(parts[3]); // same key, same partition
    const base: Record<string, number> = {};
    const metadata = [...new Set(batch.map((p, i) => `${p.topic}|${parts[i]}`))].map((slot, n) => {
      const [topicName, partition] = slot.split('|');
      base[slot] = 100 * (n + 1);
      return { topicName, partition: Number(partition), errorCode: 0, baseOffset: String(100 * (n + 1)) };
    });
    const positions = positionsOf(batch, messages, metadata);
    const seen = new Map<string, number>();
    positions.forEach((pos, i) => {
      const slot = `${batch[i].topic}|${parts[i]}`;
      const index = seen.get(slot) ?? 0;
      seen.set(slot, index + 1);
      expect(pos).toEqual({ topic: batch[i].topic, partition: parts[i], offset: String(base[slot] + index) });
    });
  });

  it('keeps offsets past 2^53 exact', () => {
    const batch = [rec('a', '1', 'k'), rec('a', '2', 'k')];
    const { messages } = toTopicMessages(batch);
    for (const message of messages) toPartition(0)({ topic: 'a', partitionMetadata: partitions(3), message });
    const positions = positionsOf(batch, messages, [
      { topicName: 'a', partition: 0, errorCode: 0, baseOffset: '9007199254740991' },
    ]);
    expect(positions.map((p) => p.offset)).toEqual(['9007199254740991', '9007199254740992']);
  });

  it('fails loudly when Kafka acknowledged no batch for a partition', () => {
    const batch = [rec('a', '1', 'k')];
    const { messages } = toTopicMessages(batch);
    toPartition(2)({ topic: 'a', partitionMetadata: partitions(3), message: messages[0] });
    expect(() =>
      positionsOf(batch, messages, [{ topicName: 'a', partition: 0, errorCode: 0, baseOffset: '0' }]),
    ).toThrow('no record batch');
  });
});
