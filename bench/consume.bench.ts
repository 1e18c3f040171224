// npm run bench:consume [-- --driver kafkajs|platformatic|both] — durable handler throughput and publish ->
// handler latency: ours (@OnDurable on DualStreamServer) against NestJS' own Kafka transport (ServerKafka +
// @EventPattern), same broker, same run. `ours-*` rows run on the kafkajs driver, `ours-*-platformatic` on the
// platformatic driver (both by default); the nest rows are NestJS' transport (kafkajs) in every run.
import os from 'node:os';
// Throughput rows pre-produce RECORDS records over 1,000 keys into a fresh 3-partition topic, then time the
// handler calls from the first to the last. Latency rows produce at a fixed rate while consuming.
// Every row runs in BENCH_ROUNDS (default 3) interleaved rounds: medians, min–max and per-round values; `cpuUsPerEvent`
// is this process's CPU per handled event (the handlers run in it).
import type { INestMicroservice } from '@nestjs/common';
import { ConsumeProbe } from './consume/consume-probe.js';
import { createTopic, preProduce, produceAtRate, uniqueName } from './consume/consume-records.js';
import { startDualStream, startNestKafka } from './consume/consumer-apps.js';
import { percentile, reportResults, round, type BenchRow } from './support/bench-report.js';
import { cpuUsPerEvent, runInterleaved } from './support/interleaved-rounds.js';
import { benchDrivers, checkTargets, roundRatio, rowId, type BenchDriver } from './support/bench-driver.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 20_000);
const KEYS = 1_000;
const PARTITIONS = 3;
const ROW_TIMEOUT_MS = Number(process.env.BENCH_ROW_TIMEOUT_MS ?? 60_000);
const LATENCY_RATE = 500;
const LATENCY_MS = 8_000;
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const OURS_DEFAULTS = { concurrency: 1, keyConcurrency: 1 };
const OURS_PARALLEL = { concurrency: PARTITIONS, keyConcurrency: 64 };

type Start = (topic: string, probe: ConsumeProbe) => Promise<INestMicroservice>;

interface Variant {
  id: string;
  label: string;
  ioMs: number;
  start: Start;
  config: string;
}

const nestVariants: Variant[] = [
  {
    id: 'nest-noop',
    label: 'NestJS ServerKafka, no-op handler',
    ioMs: 0,
    start: startNestKafka,
    config: 'ServerKafka defaults',
  },
  {
    id: 'nest-io',
    label: 'NestJS ServerKafka, 1 ms handler',
    ioMs: 1,
    start: startNestKafka,
    config: 'ServerKafka defaults',
  },
];

const oursVariants = (driver: BenchDriver): Variant[] => [
  {
    id: rowId('ours-noop', driver),
    label: `DualStreamServer, no-op handler, ${driver} driver`,
    ioMs: 0,
    start: (t, p) => startDualStream(t, p, OURS_DEFAULTS, driver),
    config: 'concurrency 1, keyConcurrency 1 (defaults)',
  },
  {
    id: rowId('ours-io', driver),
    label: `DualStreamServer, 1 ms handler, key-level parallelism, ${driver} driver`,
    ioMs: 1,
    start: (t, p) => startDualStream(t, p, OURS_PARALLEL, driver),
    config: `concurrency ${OURS_PARALLEL.concurrency}, keyConcurrency ${OURS_PARALLEL.keyConcurrency}`,
  },
];

const drivers = benchDrivers();
const variants: Variant[] = [...nestVariants, ...drivers.flatMap(oursVariants)];

async function throughputRow(variant: Variant): Promise<BenchRow> {
  const sourceType = uniqueName('bench').replace(/-/g, '_');
  const topic = `bench.consume.${sourceType}`;
  await createTopic(topic, PARTITIONS);
  await preProduce(topic, sourceType, RECORDS, KEYS);
  const probe = new ConsumeProbe(variant.ioMs);
  // From before the app starts to the last record: its consumer's start-up CPU is part of the cost too.
  const cpuBefore = process.cpuUsage();
  const app = await variant.start(topic, probe);
  const complete = await probe.waitFor(RECORDS, ROW_TIMEOUT_MS);
  const row: BenchRow = {
    id: variant.id,
    label: variant.label,
    eventsPerSec: round(probe.eventsPerSec(), 0),
    cpuUsPerEvent: cpuUsPerEvent(cpuBefore, probe.count),
    handled: probe.count,
    records: RECORDS,
    complete,
    config: variant.config,
  };
  await app.close();
  console.error(`[bench] ${variant.id}: ${row.eventsPerSec} events/s (${probe.count}/${RECORDS})`);
  return row;
}

async function latencyRow(id: string, label: string, start: Start, config: string): Promise<BenchRow> {
  const sourceType = uniqueName('bench').replace(/-/g, '_');
  const topic = `bench.latency.${sourceType}`;
  await createTopic(topic, PARTITIONS);
  const probe = new ConsumeProbe(0);
  const app = await start(topic, probe);
  await new Promise((r) => setTimeout(r, 500));
  // The producer runs in this process too: its CPU is in this row's figure (the same for both rows).
  const cpuBefore = process.cpuUsage();
  const sent = await produceAtRate(topic, sourceType, LATENCY_RATE, LATENCY_MS, KEYS);
  await probe.waitFor(sent, 15_000);
  const cpu = cpuUsPerEvent(cpuBefore, probe.count);
  await app.close();
  const samples = probe.latenciesMs;
  const row: BenchRow = {
    id,
    label,
    eventsPerSec: LATENCY_RATE,
    cpuUsPerEvent: cpu,
    p50Ms: percentile(samples, 50),
    p99Ms: percentile(samples, 99),
    handled: probe.count,
    records: sent,
    config,
  };
  console.error(`[bench] ${id}: p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms (${probe.count}/${sent})`);
  return row;
}

async function main(): Promise<void> {
  const rows: BenchRow[] = [];
  // BENCH_ONLY=ours-noop,nest-noop runs a subset (for profiling); the full run is what the targets refer to.
  const only = process.env.BENCH_ONLY?.split(',');
  if (only) {
    for (const variant of variants.filter((v) => only.includes(v.id))) rows.push(await throughputRow(variant));
    return void reportResults('consume-partial', rows);
  }
  // Interleaved rounds (every row once per round, BENCH_ROUNDS times): medians, min–max, per-round values.
  const all: [string, () => Promise<BenchRow>][] = [
    ...variants.map((variant): [string, () => Promise<BenchRow>] => [variant.id, () => throughputRow(variant)]),
    [
      'nest-latency',
      () =>
        latencyRow('nest-latency', 'NestJS ServerKafka, publish -> handler', startNestKafka, 'ServerKafka defaults'),
    ],
    ...drivers.map((driver): [string, () => Promise<BenchRow>] => [
      rowId('ours-latency', driver),
      () =>
        latencyRow(
          rowId('ours-latency', driver),
          `DualStreamServer, publish -> handler, ${driver} driver`,
          (t, p) => startDualStream(t, p, OURS_DEFAULTS, driver),
          'defaults',
        ),
    ]),
  ];
  // Both client libraries loaded before any timed row (kafkajs is, by the pre-producing): a row's CPU is its
  // consuming, not the one-off import of the library (@platformatic/kafka compiles its option schemas then).
  if (drivers.includes('platformatic')) await import('@platformatic/kafka');
  const loadBefore = os.loadavg();
  rows.push(...(await runInterleaved(all, ROUNDS)));
  const loadAfter = os.loadavg();
  const ratios = {
    noop: roundRatio(rows, 'ours-noop', 'nest-noop'),
    io: roundRatio(rows, 'ours-io', 'nest-io'),
    'ours-noop-platformatic/ours-noop': roundRatio(rows, 'ours-noop-platformatic', 'ours-noop'),
    'ours-io-platformatic/ours-io': roundRatio(rows, 'ours-io-platformatic', 'ours-io'),
    'ours-noop-platformatic/nest-noop': roundRatio(rows, 'ours-noop-platformatic', 'nest-noop'),
  };
  const targets = checkTargets([
    { ratio: 'noop', value: ratios.noop, min: 1 },
    { ratio: 'io', value: ratios.io, min: 10 },
    { ratio: 'ours-noop-platformatic/ours-noop', value: ratios['ours-noop-platformatic/ours-noop'], min: 1.5 },
  ]);
  reportResults('consume', rows, {
    ratios,
    targets,
    drivers,
    loadavg: { before: loadBefore.map((l) => round(l, 2)), after: loadAfter.map((l) => round(l, 2)) },
    setup: {
      rounds: ROUNDS,
      records: RECORDS,
      keys: KEYS,
      partitions: PARTITIONS,
      latencyRatePerSec: LATENCY_RATE,
      latencyDurationMs: LATENCY_MS,
    },
  });
  console.log('\nratios (target):');
  for (const t of targets) console.log(`  ${t.ratio} = ${t.value} (>= ${t.min}) ${t.met ? 'MET' : 'MISSED'}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
