// npm run bench:publish [-- --driver kafkajs|platformatic|both] — what the durable-first publisher costs against
// the client libraries used directly, on each Kafka driver, and the broker's ceiling as Kafka's own Java producer
// sees it (row `java`). Rows c/d/e run on the kafkajs driver; the same rows with the suffix `-platformatic` on
// the platformatic driver; `raw-platformatic` is @platformatic/kafka's own idempotent send of 500. Both drivers
// by default, side by side in one run.
// One run, same broker and Redis, a fresh 3-partition topic per row, 512-byte events over 64 sources; each
// row runs ~8 s (BENCH_ROW_MS) or up to BENCH_ROW_MAX_EVENTS events, in BENCH_ROUNDS (default 3) interleaved
// rounds (a b c d e ... java, a b c d e ... java, ...): each row is the median of its rounds, with min–max and
// the per-round values (`rounds`). Latency is per call (one event for a/c/d, one 500-event batch for b/e/raw);
// `cpuUsPerEvent` is this process's CPU (the JVM's for `java`) per event, steadier than events/s on a shared box.
import os from 'node:os';
import { infraFromEnv } from '../libs/infra-env/src/infra-env.mjs';
import { reportResults, round, type BenchRow } from './support/bench-report.js';
import { runInterleaved } from './support/interleaved-rounds.js';
import { benchDrivers, checkTargets, roundRatio, rowId, type BenchDriver } from './support/bench-driver.js';
import { javaRow } from './publish/java-row.js';
import { checkClusterUp, clusterTarget, withClusterRows } from './support/cluster-target.js';
import {
  eventFactory,
  freshSourceType,
  measure,
  rawMessage,
  rawPlatformaticProducer,
  rawProducer,
  startPublisher,
  warmUp,
  ROW_MS,
} from './publish/publish-rows.js';

const BATCH = 500;
const CALLERS = 256;

async function rowA(): Promise<BenchRow> {
  const { sourceType, topic } = await freshSourceType();
  const make = eventFactory(sourceType);
  const producer = await rawProducer(false);
  const call = (i: number) => producer.send({ topic, acks: -1, messages: [rawMessage(make(i))] });
  await warmUp(call, 50, 1);
  const row = await measure({ id: 'a', label: 'kafkajs send() awaited per event (acks -1)' }, 1, 1, call);
  await producer.disconnect();
  return row;
}

async function rowB(): Promise<BenchRow> {
  const { sourceType, topic } = await freshSourceType();
  const make = eventFactory(sourceType);
  const producer = await rawProducer(true);
  const call = (i: number) =>
    producer.sendBatch({
      acks: -1,
      topicMessages: [{ topic, messages: Array.from({ length: BATCH }, (_, k) => rawMessage(make(i + k))) }],
    });
  await warmUp(call, 4, 1);
  const row = await measure({ id: 'b', label: `kafkajs sendBatch of ${BATCH} (idempotent, acks -1)` }, 1, BATCH, call);
  await producer.disconnect();
  return row;
}

async function rowRawPlatformatic(): Promise<BenchRow> {
  const { sourceType, topic } = await freshSourceType();
  const make = eventFactory(sourceType);
  const producer = await rawPlatformaticProducer();
  const call = (i: number) =>
    producer.send({
      messages: Array.from({ length: BATCH }, (_, k) => {
        const message = rawMessage(make(i + k));
        return {
          topic,
          key: message.key as string,
          value: message.value as string,
          headers: message.headers as Record<string, string>,
        };
      }),
    });
  await warmUp(call, 4, 1);
  const row = await measure(
    { id: 'raw-platformatic', label: `@platformatic/kafka send of ${BATCH} (idempotent, acks -1)` },
    1,
    BATCH,
    call,
  );
  await producer.close();
  return row;
}

async function publisherRow(
  id: 'c' | 'd' | 'e' | 'f',
  realtime: boolean,
  driver: BenchDriver,
  cluster = false,
): Promise<BenchRow> {
  const { sourceType } = await freshSourceType(cluster);
  const make = eventFactory(sourceType);
  const { app, publisher } = await startPublisher(realtime, driver, cluster);
  const on = `${realtime ? 'Redis on' : 'realtime disabled'}, ${driver} driver${cluster ? ', 3-broker cluster RF 3, Redis Cluster' : ''}`;
  const idOf = cluster ? `${rowId(id, driver)}-cluster` : rowId(id, driver);
  try {
    if (id === 'e' || id === 'f') {
      const call = (i: number) => publisher.publishBatch(Array.from({ length: BATCH }, (_, k) => make(i + k)));
      await warmUp(call, 4, 1);
      return await measure({ id: idOf, label: `DualStreamPublisher.publishBatch of ${BATCH}, ${on}` }, 1, BATCH, call);
    }
    const call = (i: number) => publisher.publish(make(i));
    await warmUp(call, 2_000, CALLERS);
    const before = publisher.metrics();
    const row = await measure(
      { id: idOf, label: `DualStreamPublisher.publish(), ${CALLERS} concurrent callers, ${on}` },
      CALLERS,
      1,
      call,
    );
    const after = publisher.metrics();
    row.meanBatch = round((after.batchEvents - before.batchEvents) / Math.max(1, after.batches - before.batches), 0);
    return row;
  } finally {
    await app.close();
  }
}

/** What every result file of this benchmark records about the run. */
function runSettings() {
  return { rowMs: ROW_MS, rounds: ROUNDS, eventBytes: 512, partitions: 3, callers: CALLERS, batch: BATCH };
}

// BENCH_ROWS=c,e runs a subset (for profiling); ratios need all rows.
const only = process.env.BENCH_ROWS?.split(',');
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
if (withClusterRows) await clusterRun();
const drivers = benchDrivers();
const all: [string, () => Promise<BenchRow>][] = [];
if (drivers.includes('kafkajs')) {
  all.push(
    ['a', rowA],
    ['b', rowB],
    ['c', () => publisherRow('c', true, 'kafkajs')],
    ['d', () => publisherRow('d', false, 'kafkajs')],
    ['e', () => publisherRow('e', true, 'kafkajs')],
  );
}
if (drivers.includes('platformatic')) {
  all.push(
    ['raw-platformatic', rowRawPlatformatic],
    ['c-platformatic', () => publisherRow('c', true, 'platformatic')],
    ['d-platformatic', () => publisherRow('d', false, 'platformatic')],
    ['e-platformatic', () => publisherRow('e', true, 'platformatic')],
  );
}
all.push(['java', () => javaRow(infraFromEnv().kafkaBrokers)]);
// Diagnostic only (BENCH_ROWS=...,f): row e without the Redis lane, to see what realtime costs a batch caller.
if (only?.includes('f')) {
  for (const driver of drivers) all.push([rowId('f', driver), () => publisherRow('f', false, driver)]);
}
const loadBefore = os.loadavg();
const rows = await runInterleaved(
  all.filter(([id]) => !only || only.includes(id)),
  ROUNDS,
);
const loadAfter = os.loadavg();

const rate = (id: string) => rows.find((r) => r.id === id)?.eventsPerSec ?? Number.NaN;
const ratios = {
  'c/a': round(rate('c') / rate('a'), 2),
  'c/b': round(rate('c') / rate('b'), 2),
  'e/b': round(rate('e') / rate('b'), 2),
  // Redis lane overhead (realtime on / off): the median of the per-round ratios.
  'c/d': roundRatio(rows, 'c', 'd'),
  'c-platformatic/d-platformatic': roundRatio(rows, 'c-platformatic', 'd-platformatic'),
  // The second driver against the first, and against its own client's raw batch send.
  'c-platformatic/c': roundRatio(rows, 'c-platformatic', 'c'),
  'c-platformatic/raw-platformatic': roundRatio(rows, 'c-platformatic', 'raw-platformatic'),
  'e-platformatic/raw-platformatic': roundRatio(rows, 'e-platformatic', 'raw-platformatic'),
  'raw-platformatic/b': roundRatio(rows, 'raw-platformatic', 'b'),
  // CPU per event, platformatic over kafkajs (lower is better).
  'cpu c-platformatic/c': round(
    (rows.find((r) => r.id === 'c-platformatic')?.cpuUsPerEvent as number) /
      (rows.find((r) => r.id === 'c')?.cpuUsPerEvent as number),
    2,
  ),
  // Informational: how close the publishers and the raw batches come to the Java client's ceiling.
  'c/java': round(rate('c') / rate('java'), 2),
  'b/java': round(rate('b') / rate('java'), 2),
  'c-platformatic/java': round(rate('c-platformatic') / rate('java'), 2),
  'raw-platformatic/java': round(rate('raw-platformatic') / rate('java'), 2),
};
const targets = checkTargets(
  [
    { ratio: 'c/a', min: 10 },
    { ratio: 'c/b', min: 0.7 },
    { ratio: 'e/b', min: 0.9 },
    { ratio: 'c/d', min: 0.9 },
    { ratio: 'c-platformatic/c', min: 1.8 },
    { ratio: 'c-platformatic/raw-platformatic', min: 0.8 },
    { ratio: 'c-platformatic/d-platformatic', min: 0.9 },
  ].map((t) => ({ ...t, value: ratios[t.ratio as keyof typeof ratios] })),
);

reportResults('publish', rows, {
  ratios,
  targets,
  drivers,
  loadavg: { before: loadBefore.map((l) => round(l, 2)), after: loadAfter.map((l) => round(l, 2)) },
  ...runSettings(),
});
console.log('\nratios (target):');
for (const t of targets) console.log(`  ${t.ratio} = ${t.value} (>= ${t.min}) ${t.met ? 'MET' : 'MISSED'}`);
process.exit(0);

/**
 * `--cluster`: rows c, d and e on the single broker and on the 3-broker cluster (RF 3, min ISR 2) with the
 * Redis Cluster (sharded Pub/Sub), interleaved in one run; written to publish-cluster-latest.json with the
 * cluster/single ratios (publish-latest.json, the single-node table, is left as it is).
 */
async function clusterRun(): Promise<never> {
  const target = clusterTarget();
  await checkClusterUp(target);
  const pairs = (['c', 'd', 'e'] as const).filter((id) => !only || only.includes(id));
  const measured = await runInterleaved(
    pairs.flatMap((id): [string, () => Promise<BenchRow>][] => [
      [id, () => publisherRow(id, id !== 'd', 'kafkajs')],
      [`${id}-cluster`, () => publisherRow(id, id !== 'd', 'kafkajs', true)],
    ]),
    ROUNDS,
  );
  const eps = (id: string) => measured.find((r) => r.id === id)?.eventsPerSec ?? Number.NaN;
  const field = (id: string, name: string) => (measured.find((r) => r.id === id)?.[name] as number) ?? Number.NaN;
  const ratios = Object.fromEntries(
    pairs.map((id) => [
      `${id}-cluster/${id}`,
      {
        eventsPerSec: round(eps(`${id}-cluster`) / eps(id), 2),
        p99Ms: round(field(`${id}-cluster`, 'p99Ms') / field(id, 'p99Ms'), 2),
        cpuUsPerEvent: round(field(`${id}-cluster`, 'cpuUsPerEvent') / field(id, 'cpuUsPerEvent'), 2),
      },
    ]),
  );
  reportResults('publish-cluster', measured, {
    ratios,
    cluster: {
      kafkaBrokers: target.kafkaBrokers,
      replicationFactor: 3,
      minInsyncReplicas: 2,
      redisNodes: target.redisNodes.length,
    },
    ...runSettings(),
  });
  console.log('\ncluster/single (events/s, p99, CPU per event):');
  for (const [name, r] of Object.entries(ratios)) {
    console.log(`  ${name}: ${r.eventsPerSec}x, p99 ${r.p99Ms}x, CPU ${r.cpuUsPerEvent}x`);
  }
  process.exit(0);
}
