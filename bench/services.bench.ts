// npm run bench:services [-- --baseline <git-ref>] [--driver kafkajs|platformatic|both] [--rounds N] [--duration S]
//   [--drain-timeout S]
// The three demo apps as a user runs them, driven with autocannon: single events at 100 connections, then
// batches of 100 at 20 connections, on each Kafka driver (`KAFKA_DRIVER`; both by default, platformatic rows
// with the `-platformatic` suffix). Per load: the ingester's accepted rate, CPU µs per request and latency; the
// consumer's projection rate during and after the load, time to drain, event-loop lag, HTTP p99 of a concurrent
// probe (catch-up API and /metrics) and whether every scrape had a lag sample. Each round first measures the
// `http-floor` anchor: the single-event load against Node's HTTP server with nothing behind it, the CPU per
// request no ingester can go below. With --baseline the same is run on that ref's build in interleaved rounds
// (baseline, current, baseline, current, ...), so before and after come from the same run on the same (shared,
// noisy) machine; CPU µs per request is the stable figure.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { infraFromEnv } from '../libs/infra-env/src/infra-env.mjs';
import { reportResults, round, type BenchRow } from './support/bench-report.js';
import { benchDrivers, rowId, type BenchDriver } from './support/bench-driver.js';
import { startStealMeter } from './support/steal-meter.js';
import { buildBaseline } from './services/baseline-build.js';
import { foldRounds } from './services/fold-rounds.js';
import { runFloorRound, runRound, type RoundSettings, type Variant } from './services/stack-round.js';

const { values: args } = parseArgs({
  options: {
    baseline: { type: 'string' },
    rounds: { type: 'string' },
    duration: { type: 'string', default: '10' },
    'drain-timeout': { type: 'string', default: '240' },
    driver: { type: 'string', default: 'both' },
  },
});

async function main(): Promise<void> {
  const repoRoot = process.cwd();
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const workDir = path.join(repoRoot, '.infra', 'bench-services', runId);
  mkdirSync(workDir, { recursive: true });
  const drivers = benchDrivers(['--driver', args.driver!]);
  const variants: Variant[] = drivers.map((driver) => ({
    name: 'current',
    distDir: path.join(repoRoot, 'dist'),
    cwd: repoRoot,
    driver,
  }));
  let baselineSha: string | undefined;
  if (args.baseline) {
    console.error(`[bench] building ${args.baseline} for the baseline`);
    const tree = buildBaseline(repoRoot, args.baseline);
    baselineSha = tree.sha;
    // The baseline is the code before this work, which knew only kafkajs.
    variants.unshift({ name: 'baseline', distDir: tree.distDir, cwd: tree.root, driver: 'kafkajs' });
  }
  const rounds = Number(args.rounds ?? (args.baseline ? 3 : 1));
  const kafka = new Kafka({
    clientId: 'bench-services',
    brokers: infraFromEnv().kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const settings: RoundSettings = {
    runId,
    workDir,
    preload: path.join(path.dirname(fileURLToPath(import.meta.url)), 'services', 'app-probe.preload.js'),
    admin,
    durationS: Number(args.duration),
    drainTimeoutMs: Number(args['drain-timeout']) * 1000,
  };
  const steal = startStealMeter();
  // The 1-minute load average every 5 s of the run: on a shared machine it says how much the numbers are worth.
  const loads: number[] = [];
  const loadSampler = setInterval(() => loads.push(loadavg()[0]!), 5_000);
  const measured: BenchRow[] = [];
  try {
    for (let r = 1; r <= rounds; r++) {
      measured.push(await runFloorRound(r, settings));
      for (const variant of variants) measured.push(...(await runRound(variant, r, settings)));
    }
  } finally {
    clearInterval(loadSampler);
    await admin.disconnect();
  }
  const folded = foldRounds(measured);
  const rowsOf = (name: Variant['name'] | 'anchor') => folded.filter((row) => row.variant === name);
  const after = rowsOf('current');
  const before = rowsOf('baseline');
  const floor = rowsOf('anchor');
  reportResults('services', [...floor, ...after], {
    ...(args.baseline && {
      baseline: { ref: args.baseline, sha: baselineSha, rows: before },
      comparison: compare(before, after),
    }),
    targets: Object.fromEntries(drivers.map((driver) => [driver, targetsMet(after, before, floor, driver)])),
    setup: {
      rounds,
      order: ['http-floor', ...variants.map((v) => `${v.name} (${v.driver})`)].join(', then ') + ', per round',
      loadSeconds: settings.durationS,
      single: 'POST /events, 100 connections, one event per request',
      batch: 'POST /events/batch, 20 connections, 100 events per request',
      sourceTypes: 'order,user,sensor (3 partitions each), 3,000 sources',
      consumerHttpProbe: 'catch-up read every 100 ms and /metrics every 500 ms, open loop, during load and drain',
      drainTimeoutSeconds: Number(args['drain-timeout']),
      loadAverage1m: loads.length
        ? {
            min: round(Math.min(...loads), 1),
            median: medianOf(loads),
            max: round(Math.max(...loads), 1),
            cores: availableParallelism(),
          }
        : undefined,
      ...steal.stop(),
    },
    perRound: measured,
  });
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return round(sorted[Math.floor(sorted.length / 2)]!, 1);
}

/** After / before per row for the fields the issue compares. */
function compare(before: BenchRow[], after: BenchRow[]): Record<string, Record<string, number>> {
  const result: Record<string, Record<string, number>> = {};
  for (const row of after) {
    const old = before.find((b) => b.id === row.id);
    if (!old) continue;
    result[row.id] = {};
    for (const field of ['eventsPerSec', 'cpuUsPerRequest', 'cpuUsPerEvent', 'p99Ms', 'drainSeconds', 'httpP99Ms']) {
      const [a, b] = [row[field], old[field]];
      if (typeof a === 'number' && typeof b === 'number' && b !== 0) {
        result[row.id][`${field}AfterOverBefore`] = round(a / b, 3);
      }
    }
  }
  return result;
}

/** The targets, each with the measured value and whether it is met. */
function targetsMet(
  after: BenchRow[],
  before: BenchRow[],
  floor: BenchRow[],
  driver: BenchDriver,
): Record<string, { value: unknown; target: string; met: boolean }> {
  const find = (rows: BenchRow[], id: string, field: string) => rows.find((r) => r.id === id)?.[field] as number;
  // This driver's row of the current build.
  const get = (id: string, field: string) => find(after, rowId(id, driver), field);
  const entry = (value: number, target: string, met: boolean) => ({ value, target, met });
  const targets: Record<string, { value: unknown; target: string; met: boolean }> = {
    projectionSingleRatio: entry(get('projection-single', 'ratio'), '>= 1.0', get('projection-single', 'ratio') >= 1),
    projectionBatchRatio: entry(get('projection-batch', 'ratio'), '>= 0.8', get('projection-batch', 'ratio') >= 0.8),
  };
  for (const phase of ['single', 'batch']) {
    const id = `projection-${phase}`;
    targets[`${phase}LoopLagP99Ms`] = entry(get(id, 'loopLagP99Ms'), '<= 20', get(id, 'loopLagP99Ms') <= 20);
    const http = Math.max(get(id, 'httpP99Ms'), get(id, 'metricsP99Ms'));
    targets[`${phase}HttpP99Ms`] = entry(http, '<= 250 (catch-up and /metrics)', http <= 250);
    targets[`${phase}LagSamplesPct`] = entry(get(id, 'lagSamplesPct'), '100', get(id, 'lagSamplesPct') === 100);
  }
  // The baseline ran on kafkajs, the only driver it had.
  const old = find(before, 'ingest-single', 'cpuUsPerRequest');
  if (old) {
    const now = get('ingest-single', 'cpuUsPerRequest');
    targets.ingestSingleCpu = entry(round(now / old, 3), '<= 0.333 of the baseline', now * 3 <= old);
  }
  const bare = find(floor, 'http-floor', 'cpuUsPerRequest');
  // Not a target: what Node's HTTP server alone costs per request in the same run, against the ingester's.
  if (bare) {
    targets.ingestSingleOverHttpFloor = entry(
      round(get('ingest-single', 'cpuUsPerRequest') / bare, 2),
      'information',
      true,
    );
  }
  return targets;
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
