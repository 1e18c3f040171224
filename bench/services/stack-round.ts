import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import path from 'node:path';
import type { Admin } from 'kafkajs';
import { signGatewayToken, sourceTopics } from '@app/service-kit';
import { percentile, round, type BenchRow } from '../support/bench-report.js';
import { rowId, type BenchDriver } from '../support/bench-driver.js';
import { startHttpFloor, startStack } from './app-stack.js';
import { ConsumerHttpProbe } from './consumer-probe.js';
import { batchBodies, runLoad, singleBodies, SOURCE_TYPES, type LoadOptions, type LoadResult } from './ingest-load.js';
import { ProjectionWatch } from './projection-watch.js';

/** A build of the three apps (the ref given with `--baseline`, or this checkout) on one Kafka driver. */
export interface Variant {
  name: 'baseline' | 'current';
  distDir: string;
  cwd: string;
  /** The apps' `KAFKA_DRIVER`; row ids get the driver's suffix as in the other benches (`rowId`). */
  driver: BenchDriver;
}

export interface RoundSettings {
  runId: string;
  workDir: string;
  preload: string;
  admin: Admin;
  durationS: number;
  drainTimeoutMs: number;
}

/** The load shapes of the issue: single events at 100 connections, batches of 100 at 20 connections. */
const PHASES = [
  { name: 'single', path: '/events', connections: 100, eventsPerRequest: 1, bodies: singleBodies() },
  { name: 'batch', path: '/events/batch', connections: 20, eventsPerRequest: 100, bodies: batchBodies(100) },
] as const;
const PROBED_SOURCES = ['order/order-1', 'user/user-2', 'sensor/sensor-3'];

/**
 * One round of one variant on fresh topics and a fresh projection file: start the three apps, warm up, then per
 * load shape drive the ingester while following the projection until it has drained, and stop the apps.
 */
export async function runRound(variant: Variant, roundNo: number, settings: RoundSettings): Promise<BenchRow[]> {
  const prefix = `bsv-${settings.runId}-${variant.name[0]}${variant.driver[0]}${roundNo}-`;
  const secret = randomBytes(32).toString('hex');
  const apiKey = randomBytes(24).toString('hex');
  const apps = await startStack({
    distDir: variant.distDir,
    cwd: variant.cwd,
    preload: settings.preload,
    logDir: path.join(settings.workDir, 'logs'),
    logTag: `${variant.name}-${variant.driver}-${roundNo}`,
    env: {
      KAFKA_DRIVER: variant.driver,
      TOPIC_PREFIX: prefix,
      CHANNEL_PREFIX: prefix,
      SOURCE_TYPES: SOURCE_TYPES.join(','),
      CONSUMER_DB_PATH: path.join(settings.workDir, `${prefix}projection.sqlite`),
      AUTH_JWT_SECRET: secret,
      INGESTER_API_KEYS: apiKey,
      LOG_FORMAT: 'json',
    },
  });
  const topics = sourceTopics({ topicPrefix: prefix, sourceTypes: SOURCE_TYPES });
  const watch = new ProjectionWatch(
    settings.admin,
    topics,
    (topic) => `${prefix}dual-stream-consumer-projection.${topic}`,
  );
  const token = await signGatewayToken(secret, { sub: 'bench', channels: ['events:*:*'], patterns: [] }, 3600);
  const load = (phase: (typeof PHASES)[number], durationS: number, connections = phase.connections) =>
    runLoad({
      url: apps.ingester.url,
      path: phase.path as LoadOptions['path'],
      connections,
      durationS,
      bodies: phase.bodies as unknown as string[],
      apiKey,
    });
  const rows: BenchRow[] = [];
  try {
    await load(PHASES[0], 3, 20); // warm-up: JIT, connections, topic metadata
    await watch.settle(settings.drainTimeoutMs);
    for (const phase of PHASES) {
      await Promise.all([apps.ingester.reset(), apps.consumer.reset()]);
      const probe = new ConsumerHttpProbe(apps.consumer.url, token, PROBED_SOURCES);
      probe.start();
      const { result, drain } = await watch.during(async () => {
        const answered = await load(phase, settings.durationS);
        return { answered, ingester: await apps.ingester.read() };
      }, settings.drainTimeoutMs);
      const http = await probe.stop();
      const consumer = await apps.consumer.read();
      const { answered, ingester } = result;
      const ingestRate = (answered.accepted * phase.eventsPerRequest) / answered.durationS;
      rows.push({
        id: rowId(`ingest-${phase.name}`, variant.driver),
        label: `POST ${phase.path}, ${phase.connections} connections, ${phase.eventsPerRequest} event(s) per request`,
        variant: variant.name,
        ...loadFields(answered, ingester.cpuUs, phase.eventsPerRequest),
        ingesterLoopLagP99Ms: round(ingester.loopLagP99Ms, 1),
        // The machine is shared: how busy it was when the window ended (1-minute load average, 2 cores).
        loadAvg1: round(loadavg()[0]!, 1),
      });
      rows.push({
        id: rowId(`projection-${phase.name}`, variant.driver),
        label: `consumer projection during and after ingest-${phase.name}`,
        variant: variant.name,
        eventsPerSec: drain.eventsPerSec,
        ratio: round(drain.eventsPerSec / ingestRate, 2),
        drainSeconds: drain.drainSeconds,
        drained: drain.drained,
        events: drain.events,
        maxLag: drain.maxLag,
        cpuUsPerEvent: round(consumer.cpuUs / Math.max(1, drain.events), 1),
        loopLagP99Ms: round(consumer.loopLagP99Ms, 1),
        loopLagMaxMs: round(consumer.loopLagMaxMs, 1),
        httpP99Ms: percentile(http.catchUpLatenciesMs, 99),
        metricsP99Ms: percentile(http.metricsLatenciesMs, 99),
        httpFailures: http.failures,
        lagSamplesPct: round((100 * http.scrapesWithLag) / Math.max(1, http.scrapes), 1),
        loadAvg1: round(loadavg()[0]!, 1),
      });
      console.error(
        `[bench] ${variant.name} ${variant.driver} round ${roundNo} ${phase.name}: ${JSON.stringify(rows.slice(-2))}`,
      );
      await watch.settle(settings.drainTimeoutMs);
    }
  } finally {
    await Promise.all(Object.values(apps).map((app) => app.stop()));
  }
  return rows;
}

/**
 * The `http-floor` anchor of one round: the single-event load (same bodies, connections and duration) against
 * Node's HTTP server with nothing behind it, measured by the same probe as the ingester.
 */
export async function runFloorRound(roundNo: number, settings: RoundSettings): Promise<BenchRow> {
  const phase = PHASES[0];
  const floor = await startHttpFloor({
    cwd: process.cwd(),
    preload: settings.preload,
    logDir: path.join(settings.workDir, 'logs'),
    logTag: `anchor-${roundNo}`,
    env: {},
  });
  try {
    const options = {
      url: floor.url,
      path: phase.path,
      bodies: phase.bodies as unknown as string[],
      apiKey: 'unused',
    };
    await runLoad({ ...options, connections: 20, durationS: 3 });
    await floor.reset();
    const answered = await runLoad({ ...options, connections: phase.connections, durationS: settings.durationS });
    const { cpuUs } = await floor.read();
    const row: BenchRow = {
      id: 'http-floor',
      label: `node:http alone (no Kafka, no Redis): POST ${phase.path}, ${phase.connections} connections`,
      variant: 'anchor',
      ...loadFields(answered, cpuUs, phase.eventsPerRequest),
      loadAvg1: round(loadavg()[0]!, 1),
    };
    console.error(`[bench] anchor round ${roundNo}: ${JSON.stringify(row)}`);
    return row;
  } finally {
    await floor.stop();
  }
}

/** What a load window measured at the process under load: rates, CPU per request and event, latency, failures. */
function loadFields(
  answered: LoadResult,
  cpuUs: number,
  eventsPerRequest: number,
): { eventsPerSec: number } & Record<string, number> {
  return {
    eventsPerSec: Math.round((answered.accepted * eventsPerRequest) / answered.durationS),
    reqPerSec: Math.round(answered.accepted / answered.durationS),
    cpuUsPerRequest: Math.round(cpuUs / Math.max(1, answered.accepted)),
    cpuUsPerEvent: round(cpuUs / Math.max(1, answered.accepted * eventsPerRequest), 1),
    p50Ms: answered.p50Ms,
    p99Ms: answered.p99Ms,
    rejected: answered.rejected,
    errors: answered.errors,
  };
}
