import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { Kafka, Partitioners, logLevel, type Message, type Producer } from 'kafkajs';
import { Producer as PlatformaticProducer, stringSerializers } from '@platformatic/kafka';
import { v7 as uuidv7 } from 'uuid';
import {
  defaultTopic,
  ensureTopics,
  DualStreamModule,
  DualStreamPublisher,
  sourceKey,
  type DualStreamEvent,
  type DualStreamModuleOptions,
} from '@dual-stream/nestjs';
import { ceSource } from '../../libs/dual-stream/src/events/event-naming.js';
import { infraFromEnv } from '../../libs/infra-env/src/infra-env.mjs';
import { percentile, round, type BenchRow } from '../support/bench-report.js';
import { createTopicsAndWait } from '../../test/support/kafka-topics.js';
import { cpuUsPerEvent } from '../support/interleaved-rounds.js';
import { clusterTarget } from '../support/cluster-target.js';
import type { BenchDriver } from '../support/bench-driver.js';

const EVENT_BYTES = 512;
export const PARTITIONS = 3;
const SOURCES = 64;
export const ROW_MS = Number(process.env.BENCH_ROW_MS ?? 8_000);
const ROW_MAX_EVENTS = Number(process.env.BENCH_ROW_MAX_EVENTS ?? 200_000);

const { kafkaBrokers, redisUrl } = infraFromEnv();
export const uniqueName = (prefix: string): string =>
  `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

const kafka = () => new Kafka({ clientId: uniqueName('bench'), brokers: kafkaBrokers, logLevel: logLevel.NOTHING });

/**
 * A fresh 3-partition topic per row, so rows do not see each other's data; the row's events go to `topic`. On
 * the cluster (`--cluster` rows): replication factor 3, `min.insync.replicas` 2 (docs/production.md).
 */
export async function freshSourceType(cluster = false): Promise<{ sourceType: string; topic: string }> {
  const sourceType = uniqueName('bench');
  const topic = defaultTopic(eventFactory(sourceType)(0));
  if (cluster) {
    await ensureTopics({ kafka: { brokers: clusterTarget().kafkaBrokers, clientId: 'bench-setup' } }, [
      { topic, partitions: PARTITIONS, replicationFactor: 3, minInsyncReplicas: 2 },
    ]);
  } else await createTopicsAndWait(kafkaBrokers, [{ topic, numPartitions: PARTITIONS }]);
  return { sourceType, topic };
}

/** An event whose serialized envelope (with generated id and time) is EVENT_BYTES long. */
export function eventFactory(sourceType: string): (i: number) => DualStreamEvent {
  const sample = {
    id: uuidv7(),
    type: 'bench.tick',
    source: { type: sourceType, id: 'src-00' },
    time: new Date().toISOString(),
    data: { pad: '' },
    headers: {},
  };
  const pad = 'x'.repeat(Math.max(0, EVENT_BYTES - Buffer.byteLength(JSON.stringify(sample))));
  return (i) => ({
    type: 'bench.tick',
    source: { type: sourceType, id: `src-${String(i % SOURCES).padStart(2, '0')}` },
    data: { pad },
  });
}

/** The same record kafkajs users would write by hand: full envelope, key, CloudEvents headers. */
export function rawMessage(event: DualStreamEvent): Message {
  const envelope = {
    id: uuidv7(),
    type: event.type,
    source: event.source,
    time: new Date().toISOString(),
    data: event.data,
    headers: {},
  };
  return {
    key: sourceKey(event.source),
    value: JSON.stringify(envelope),
    headers: {
      ce_specversion: '1.0',
      ce_id: envelope.id,
      ce_type: envelope.type,
      ce_source: ceSource(event.source),
      ce_time: envelope.time,
    },
  };
}

export async function rawProducer(idempotent: boolean): Promise<Producer> {
  const producer = kafka().producer(
    idempotent
      ? { idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner }
      : { createPartitioner: Partitioners.DefaultPartitioner },
  );
  await producer.connect();
  return producer;
}

/**
 * `@platformatic/kafka`'s own producer as its users would set it up for the same records: idempotent, acks -1,
 * strings serialized by the library's own serializers, its default partitioner.
 */
export async function rawPlatformaticProducer(): Promise<PlatformaticProducer<string, string, string, string>> {
  const producer = new PlatformaticProducer({
    clientId: uniqueName('bench-plt'),
    bootstrapBrokers: kafkaBrokers,
    idempotent: true,
    acks: -1,
    serializers: stringSerializers,
  });
  await producer.initIdempotentProducer({});
  return producer;
}

/** The publisher on the single broker and Redis, or (`cluster`) on the Kafka cluster and the Redis Cluster. */
export async function startPublisher(
  realtime: boolean,
  driver: BenchDriver = 'kafkajs',
  cluster = false,
): Promise<{ app: INestApplicationContext; publisher: DualStreamPublisher }> {
  const target = cluster ? clusterTarget() : undefined;
  const channelPrefix = `${uniqueName('bench')}:`;
  const options: DualStreamModuleOptions = {
    kafka: { brokers: target?.kafkaBrokers ?? kafkaBrokers, clientId: uniqueName('bench-pub'), driver },
    redis: !realtime
      ? false
      : target
        ? { cluster: { nodes: target.redisNodes }, channelPrefix }
        : { url: redisUrl, channelPrefix },
    logger: false,
    ...(process.env.BENCH_LINGER_MS ? { batch: { lingerMs: Number(process.env.BENCH_LINGER_MS) } } : {}),
  };
  const app = await NestFactory.createApplicationContext(DualStreamModule.forRoot(options), { logger: false });
  return { app, publisher: app.get(DualStreamPublisher) };
}

/**
 * Runs `workers` loops of `call` (each call publishes `perCall` events) until ROW_MS passed or ROW_MAX_EVENTS
 * were sent; latency is per call.
 */
export async function measure(
  base: Pick<BenchRow, 'id' | 'label'> & Record<string, unknown>,
  workers: number,
  perCall: number,
  call: (i: number) => Promise<unknown>,
): Promise<BenchRow> {
  const latencies: number[] = [];
  let next = 0;
  let events = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + ROW_MS;
  const loop = async () => {
    while (performance.now() < deadline && events < ROW_MAX_EVENTS) {
      const i = next;
      next += perCall;
      events += perCall;
      const t0 = performance.now();
      await call(i);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
  const seconds = (performance.now() - started) / 1000;
  return {
    ...base,
    eventsPerSec: round(events / seconds, 0),
    cpuUsPerEvent: cpuUsPerEvent(cpuBefore, events),
    p50Ms: round(percentile(latencies, 50), 2),
    p99Ms: round(percentile(latencies, 99), 2),
    events,
    seconds: round(seconds, 1),
  };
}

/** A short untimed run so connections, metadata and JIT are warm before the timed one. */
export async function warmUp(call: (i: number) => Promise<unknown>, calls = 200, workers = 8): Promise<void> {
  let n = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (n < calls) await call(n++);
    }),
  );
}
