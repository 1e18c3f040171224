import type { Redis } from 'ioredis';
import {
  channelFor,
  defaultTopic,
  sourceKey,
  type DualStreamPublisher,
  type EventSource,
  type KafkaPosition,
  type PublishReceipt,
} from '@dual-stream/nestjs';
import { createdSourceType } from './infra.js';
import { readRecords } from './kafka-records.js';

/** A fresh source type (so a fresh topic `events.{type}`, created with 3 partitions) for one test. */
export const freshSourceType = (): Promise<string> => createdSourceType('rt', 3);

/** A source's channel as clients name it (without the deployment's prefix). */
export const channelOf = (source: EventSource): string => channelFor('', source);

export type SentEvent = PublishReceipt & { source: EventSource };

export function publishOne(publisher: DualStreamPublisher, source: EventSource, n: number): Promise<PublishReceipt> {
  return publisher.publish({ type: 'test.event', source, data: { n } });
}

/**
 * Publishes `perTick` events every `tickMs` until `stop()` (or `total` is reached); receipts in call order.
 * Per-key order is the publisher's guarantee, so receipts of one source have increasing offsets.
 */
export function publishContinuously(
  publisher: DualStreamPublisher,
  sources: EventSource[],
  { perTick, tickMs, total = Number.POSITIVE_INFINITY }: { perTick: number; tickMs: number; total?: number },
): { receipts: SentEvent[]; errors: unknown[]; stop: () => Promise<void>; done: Promise<void> } {
  const receipts: SentEvent[] = [];
  const errors: unknown[] = [];
  const inflight = new Set<Promise<unknown>>();
  let sent = 0;
  let stopped = false;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const timer = setInterval(() => {
    for (let i = 0; i < perTick && sent < total && !stopped; i++) {
      const source = sources[sent % sources.length];
      const p = publishOne(publisher, source, sent++).then(
        (r) => void receipts.push({ ...r, source }),
        (e) => void errors.push(e),
      );
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    }
    if (sent >= total) stopped = true;
    if (stopped) {
      clearInterval(timer);
      void Promise.all(inflight).then(finish);
    }
  }, tickMs);
  return {
    receipts,
    errors,
    done,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

export const positionOf = (r: KafkaPosition): KafkaPosition => ({
  topic: r.topic,
  partition: r.partition,
  offset: r.offset,
});

/** Ids of one source's acknowledged events, ordered by offset (the order Kafka holds them in). */
export function idsOf(sent: SentEvent[], source: EventSource): string[] {
  return sent
    .filter((r) => sourceKey(r.source) === sourceKey(source))
    .sort((a, b) => Number(BigInt(a.offset) - BigInt(b.offset)))
    .map((r) => r.id);
}

/** Reads every record of one source from Kafka (the "fetch" of fetch-then-subscribe, as a consumer API would). */
export async function readSourceFromKafka(source: EventSource): Promise<{ id: string; position: KafkaPosition }[]> {
  const records = await readRecords(defaultTopic({ source }), 'end', { timeoutMs: 30_000 });
  return records
    .filter((r) => r.key === sourceKey(source))
    .map((r) => ({
      id: (JSON.parse(r.value) as { id: string }).id,
      position: { topic: r.topic, partition: r.partition, offset: r.offset },
    }))
    .sort((a, b) => Number(BigInt(a.position.offset) - BigInt(b.position.offset)));
}

const FLOOD_PIPELINE = 25;

/**
 * PUBLISHes `total` notifications of `source` straight on Redis (offsets 0.., partition 0, `payload` as data),
 * 25 per pipeline with a short pause: a flood no reading client can absorb into its TCP buffers alone. One
 * pipeline (25 × 8 kB in the slow-client tests) stays under the hub queue limits those tests set (512 kB), so a
 * client that does read is never cut just because a whole pipeline reached the gateway in one tick on a busy host.
 */
export async function floodChannel(
  redis: Redis,
  redisChannel: string,
  source: EventSource,
  { total, payload }: { total: number; payload: string },
): Promise<void> {
  for (let i = 0; i < total; i += FLOOD_PIPELINE) {
    const pipeline = redis.pipeline();
    for (let j = i; j < Math.min(total, i + FLOOD_PIPELINE); j++) {
      pipeline.publish(
        redisChannel,
        JSON.stringify({
          kind: 'event',
          id: `e${j}`,
          type: `${source.type}.item`,
          source,
          time: new Date().toISOString(),
          topic: `events.${source.type}`,
          partition: 0,
          offset: String(j),
          data: payload,
        }),
      );
    }
    await pipeline.exec();
    await new Promise((r) => setTimeout(r, 5));
  }
}
