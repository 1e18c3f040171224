import { ensureTopics } from '@dual-stream/nestjs';

/** Creates the benches' topics the way apps do (the library's `ensureTopics`) and waits for their leaders. */
export async function createTopicsAndWait(
  brokers: string[],
  topics: { topic: string; numPartitions: number }[],
): Promise<void> {
  await ensureTopics(
    { kafka: { brokers, clientId: 'bench-setup' } },
    topics.map((t) => ({ topic: t.topic, partitions: t.numPartitions, replicationFactor: 1 })),
  );
}
