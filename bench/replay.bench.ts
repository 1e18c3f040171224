// npm run bench:replay — Kafka replay for realtime resume (KafkaReplayService): one replay alone, several of one
// partition at once (the fetch cursor is time-sliced between them), a short replay started behind a long one
// and behind one whose client never reads, and what a fresh consumer group per replay would cost instead.
// Pre-produces RECORDS records of one source into a fresh 1-partition topic.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Module, type INestApplicationContext } from '@nestjs/common';
import {
  defaultTopic,
  DualStreamModule,
  KafkaReplayService,
  type EventSource,
  type ReplayResult,
} from '@dual-stream/nestjs';
import { brokers, createTopic, kafka, preProduce, uniqueName } from './consume/consume-records.js';
import { percentile, reportResults, round, type BenchRow } from './support/bench-report.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 20_000);
const RECENT = 10;
const TRIES = 5;

/** A row's measured fields. */
type Measured = Pick<BenchRow, 'eventsPerSec'> & Record<string, unknown>;

async function startReplayService(): Promise<{ app: INestApplicationContext; replay: KafkaReplayService }> {
  @Module({
    imports: [
      DualStreamModule.forRoot({
        kafka: { brokers, clientId: uniqueName('bench-replay') },
        redis: false,
        logger: false,
        replay: { maxRecordsScanned: RECORDS * 2, timeoutMs: 120_000 },
      }),
    ],
  })
  class BenchReplayModule {}
  const app = await NestFactory.createApplicationContext(BenchReplayModule, { logger: false });
  return { app, replay: app.get(KafkaReplayService) };
}

/** One replay from `fromOffset`; its wall time in ms. */
async function timed(
  replay: KafkaReplayService,
  source: EventSource,
  topic: string,
  fromOffset: number,
  onPage: () => Promise<void> | void = () => undefined,
): Promise<{ ms: number; result: ReplayResult }> {
  const started = performance.now();
  const result = await replay.replay(source, { topic, partition: 0, offset: String(fromOffset) }, onPage);
  if (!result.recovered) throw new Error(`replay from ${fromOffset} not recovered: ${result.reason}`);
  return { ms: performance.now() - started, result };
}

/** Several replays at once; aggregate events/s and the slowest one. */
async function concurrent(
  replay: KafkaReplayService,
  source: EventSource,
  topic: string,
  froms: number[],
): Promise<Measured> {
  const started = performance.now();
  const runs = await Promise.all(froms.map((from) => timed(replay, source, topic, from)));
  const ms = performance.now() - started;
  const events = runs.reduce((sum, run) => sum + run.result.replayed, 0);
  return { eventsPerSec: round(events / (ms / 1000), 0), replays: froms.length, events, slowestMs: round(ms, 0) };
}

/** Time of a RECENT-event replay started while a full replay runs (`stuck`: its client never takes a page). */
async function recentBehind(
  replay: KafkaReplayService,
  source: EventSource,
  topic: string,
  stuck: boolean,
): Promise<Measured> {
  const samples: number[] = [];
  for (let i = 0; i < TRIES; i++) {
    const cancel = new AbortController();
    const holdUntilCancelled = () =>
      new Promise<void>((resolve) => cancel.signal.addEventListener('abort', () => resolve()));
    const long = replay.replay(
      source,
      { topic, partition: 0, offset: '-1' },
      stuck ? holdUntilCancelled : () => undefined,
      { signal: cancel.signal },
    );
    await new Promise((r) => setTimeout(r, 50));
    samples.push((await timed(replay, source, topic, RECORDS - RECENT - 1)).ms);
    cancel.abort();
    await long;
  }
  return { eventsPerSec: round(RECENT / (percentile(samples, 50) / 1000), 0), p50Ms: round(percentile(samples, 50)) };
}

/** The alternative to one pooled reader per topic: a consumer in a group of its own per replay. */
async function freshGroupPerReplay(topic: string): Promise<Measured> {
  const samples: number[] = [];
  for (let i = 0; i < TRIES; i++) {
    const started = performance.now();
    const consumer = kafka.consumer({ groupId: uniqueName('bench-fresh'), maxWaitTimeInMs: 50 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: false });
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          if (batch.messages.some((m) => Number(m.offset) === RECORDS - 1)) resolve();
        },
      });
    });
    consumer.on(consumer.events.GROUP_JOIN, () =>
      consumer.seek({ topic, partition: 0, offset: String(RECORDS - RECENT) }),
    );
    await done;
    samples.push(performance.now() - started);
    await consumer.disconnect();
  }
  return { eventsPerSec: round(RECENT / (percentile(samples, 50) / 1000), 0), p50Ms: round(percentile(samples, 50)) };
}

async function main(): Promise<void> {
  const type = uniqueName('bench_replay').replace(/-/g, '_');
  const source = { type, id: 'k-0' };
  const topic = defaultTopic({ source });
  await createTopic(topic, 1);
  await preProduce(topic, type, RECORDS, 1);
  const { app, replay } = await startReplayService();
  const rows: BenchRow[] = [];
  try {
    await timed(replay, source, topic, RECORDS - 2); // the reader's group join, paid once per topic
    const alone = await timed(replay, source, topic, -1);
    rows.push({
      id: 'single',
      label: `one replay of ${RECORDS} events`,
      eventsPerSec: round(RECORDS / (alone.ms / 1000), 0),
      ms: round(alone.ms, 0),
    });
    const quarter = RECORDS / 4;
    rows.push({
      id: 'same-partition-x4-spread',
      label: `4 replays of one partition at once, from 0, 1/4, 1/2, 3/4`,
      ...(await concurrent(replay, source, topic, [-1, quarter - 1, 2 * quarter - 1, 3 * quarter - 1])),
    });
    rows.push({
      id: 'same-partition-x4-same-start',
      label: `4 replays of one partition at once, all from 0 (batches shared)`,
      ...(await concurrent(replay, source, topic, [-1, -1, -1, -1])),
    });
    const recentAlone: number[] = [];
    for (let i = 0; i < TRIES; i++) recentAlone.push((await timed(replay, source, topic, RECORDS - RECENT - 1)).ms);
    rows.push({
      id: 'recent-alone',
      label: `${RECENT}-event replay, nothing else running`,
      eventsPerSec: round(RECENT / (percentile(recentAlone, 50) / 1000), 0),
      p50Ms: round(percentile(recentAlone, 50)),
    });
    rows.push({
      id: 'recent-behind-full',
      label: `${RECENT}-event replay started during a full one`,
      ...(await recentBehind(replay, source, topic, false)),
    });
    rows.push({
      id: 'recent-behind-stuck',
      label: `${RECENT}-event replay started during one whose client never reads`,
      ...(await recentBehind(replay, source, topic, true)),
    });
    rows.push({
      id: 'fresh-group-per-replay',
      // The local broker runs with group.initial.rebalance.delay.ms=0; with the broker default (3000) add 3 s.
      label: `${RECENT}-event read by a new consumer group (the per-replay-consumer alternative)`,
      ...(await freshGroupPerReplay(topic)),
    });
  } finally {
    await app.close();
  }
  reportResults('replay', rows, { records: RECORDS });
}

await main();
