import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Message } from 'kafkajs';
import { sourceKey } from '@dual-stream/nestjs';
// Internals on purpose: records byte-identical to what DualStreamPublisher writes, without running one.
import { prepareEvent } from '../../libs/dual-stream/src/events/event-validator.js';
import { ceSource } from '../../libs/dual-stream/src/events/event-naming.js';
import { infraFromEnv } from '../../libs/infra-env/src/infra-env.mjs';
import { createTopicsAndWait } from '../../test/support/kafka-topics.js';

export const { kafkaBrokers: brokers } = infraFromEnv();
export const kafka = new Kafka({ clientId: 'bench-consume', brokers, logLevel: logLevel.NOTHING });
export const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

export async function createTopic(topic: string, numPartitions = 3): Promise<void> {
  await createTopicsAndWait(brokers, [{ topic, numPartitions }]);
}

/** A Kafka record exactly as DualStreamPublisher writes it (envelope JSON, source key, CloudEvents headers). */
function benchRecord(sourceType: string, n: number, keys: number, sentAt?: number): Message {
  const { event, json } = prepareEvent(
    {
      type: 'bench.happened',
      source: { type: sourceType, id: `k-${n % keys}` },
      data: { n, sentAt, pad: 'x'.repeat(200) },
    },
    1024 * 1024,
  );
  return {
    key: sourceKey(event.source),
    value: json,
    headers: {
      ce_specversion: '1.0',
      ce_id: event.id,
      ce_type: event.type,
      ce_source: ceSource(event.source),
      ce_time: event.time,
    },
  };
}

/** Writes `count` records over `keys` distinct keys before the consumer starts. */
export async function preProduce(topic: string, sourceType: string, count: number, keys: number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let from = 0; from < count; from += 1000) {
      const messages = Array.from({ length: Math.min(1000, count - from) }, (_, i) =>
        benchRecord(sourceType, from + i, keys),
      );
      await producer.send({ topic, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Produces at `ratePerSec` for `durationMs` in 10 ms ticks; each record carries its send time. */
export async function produceAtRate(
  topic: string,
  sourceType: string,
  ratePerSec: number,
  durationMs: number,
  keys: number,
): Promise<number> {
  const producer = kafka.producer();
  await producer.connect();
  let sent = 0;
  const started = Date.now();
  try {
    while (Date.now() - started < durationMs) {
      const due = Math.floor(((Date.now() - started) / 1000) * ratePerSec);
      if (due > sent) {
        const messages = Array.from({ length: due - sent }, (_, i) =>
          benchRecord(sourceType, sent + i, keys, Date.now()),
        );
        sent = due;
        await producer.send({ topic, acks: -1, messages });
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    await producer.disconnect();
  }
  return sent;
}
