// npm run soak [-- --minutes 10 --rate 2000 --clients 500 ...]
// The chaos soak of issue 16: its own Redis (port 6390), the ingester, two gateway instances and the consumer as
// built apps on the shared Kafka (the run's own topics, groups and channel prefix), 2,000 events/s through
// POST /events/batch, 500 SDK socket clients resuming from their last position, and a chaos loop that SIGKILLs
// and restarts Redis, one gateway instance or the consumer every 30-90 s. At the end it audits every
// acknowledged event in Kafka, in the projection and at every client following its source, prints the table,
// writes bench/results/soak-latest.json and exits 1 on any loss, duplicate or unbounded growth.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { signGatewayToken, sourceTopics } from '@app/service-kit';
import type { Position } from '@dual-stream/client';
import { infraFromEnv } from '../libs/infra-env/src/infra-env.mjs';
import { sleep } from '../test/support/local-infra/proc.mjs';
import { startRedis } from '../test/support/local-infra/redis-launcher.mjs';
import { ProjectionWatch } from './services/projection-watch.js';
import { createTopicsAndWait } from '../test/support/kafka-topics.js';
import { benchEnv, percentile, round } from './support/bench-report.js';
import { runChaos, type ChaosEvent, type ChaosTarget } from './soak/chaos-loop.js';
import type { ClientsCommand, ClientsMessage } from './soak/clients-protocol.js';
import { auditKafka } from './soak/kafka-audit.js';
import { scrapeMetrics } from './soak/metrics-scrape.js';
import { LoadDriver } from './soak/load-driver.js';
import { auditProjection } from './soak/projection-audit.js';
import { RssSampler } from './soak/rss-sampler.js';
import { SoakProcess } from './soak/soak-process.js';
import { SOAK_SOURCE_TYPES, sourcesOfClient, type SoakPlan } from './soak/soak-plan.js';
import { judge, type Verdict } from './soak/soak-verdict.js';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '2000' },
    clients: { type: 'string', default: '500' },
    'channels-per-client': { type: 'string', default: '2' },
    sources: { type: 'string', default: '2000' },
    batch: { type: 'string', default: '50' },
    'max-in-flight': { type: 'string', default: '64' },
    'chaos-min': { type: 'string', default: '30' },
    'chaos-max': { type: 'string', default: '90' },
    'max-down': { type: 'string', default: '5' },
    'redis-port': { type: 'string', default: '6390' },
    'port-base': { type: 'string', default: '35000' },
    'growth-limit': { type: 'string', default: '1.5' },
    'keep-topics': { type: 'boolean', default: false },
  },
});

const log = (line: string) => console.error(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}`);
const num = (name: keyof typeof args) => Number(args[name]);

async function main(): Promise<number> {
  const repoRoot = process.cwd();
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const plan: SoakPlan = {
    runId,
    prefix: `soak-${runId}-`,
    sourceTypes: SOAK_SOURCE_TYPES,
    sources: num('sources'),
    clients: num('clients'),
    channelsPerClient: num('channels-per-client'),
  };
  const minutes = num('minutes');
  const rate = num('rate');
  const workDir = path.join(repoRoot, '.infra', 'soak', runId);
  const logDir = path.join(workDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  log(
    `run ${runId}: ${minutes} min at ${rate} events/s, ${plan.clients} clients, logs in ${path.relative(repoRoot, logDir)}`,
  );

  const kafka = new Kafka({
    clientId: `soak-${runId}`,
    brokers: infraFromEnv().kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const topics = sourceTopics({ topicPrefix: plan.prefix, sourceTypes: plan.sourceTypes });
  const groupId = `${plan.prefix}projection`;
  // Created here, explicitly: the soak does not rely on the broker's topic auto-creation.
  await createTopicsAndWait(
    infraFromEnv().kafkaBrokers,
    topics.map((topic) => ({ topic, numPartitions: 3 })),
  );

  const redis = await startRedis({ port: num('redis-port'), stateDir: path.join(workDir, 'redis') });
  const secret = randomBytes(32).toString('hex');
  const apiKey = randomBytes(24).toString('hex');
  const env = {
    KAFKA_BROKERS: infraFromEnv().kafkaBrokers.join(','),
    REDIS_URL: redis.url,
    TOPIC_PREFIX: plan.prefix,
    CHANNEL_PREFIX: plan.prefix,
    SOURCE_TYPES: plan.sourceTypes.join(','),
    AUTH_JWT_SECRET: secret,
    INGESTER_API_KEYS: apiKey,
    CONSUMER_GROUP_ID: groupId,
    CONSUMER_DB_PATH: path.join(workDir, 'projection.sqlite'),
    // Every event of a source stays in the read model, so the audit can read them all back.
    CONSUMER_RETENTION: '1000000',
    LOG_FORMAT: 'json',
  };
  const app = (role: SoakProcess['role'], name: string, port: number, ready: string) =>
    new SoakProcess(role, path.join(repoRoot, 'dist', 'apps', name, 'src', 'main.js'), port, env, logDir, ready);
  const base = num('port-base');
  const consumer = app('consumer', 'consumer', base + 4, '/health/ready');
  const gatewayA = app('gateway-a', 'gateway', base + 2, '/health/live');
  const gatewayB = app('gateway-b', 'gateway', base + 3, '/health/live');
  const ingester = app('ingester', 'ingester', base + 1, '/health/ready');
  const apps = [consumer, gatewayA, gatewayB, ingester];
  let clientsChild: ReturnType<typeof fork> | undefined;
  try {
    await Promise.all(apps.map((a) => a.start()));
    log('apps ready');
    const token = await signGatewayToken(secret, { sub: 'soak', channels: ['events:*:*'], patterns: [] }, 24 * 3600);

    const capacity = plan.sources + Math.ceil(rate * minutes * 60 * 1.05) + 10_000;
    const driver = new LoadDriver(
      plan,
      {
        ingesterUrl: ingester.url,
        apiKey,
        batchSize: num('batch'),
        maxInFlight: num('max-in-flight'),
        retryDelayMs: 1000,
      },
      capacity,
    );
    await driver.sendAll(plan.sources, true);
    const seeds: Record<number, Position> = {};
    for (let c = 0; c < plan.clients; c++) {
      for (const s of sourcesOfClient(plan, c)) seeds[s] = driver.positions.get(s)!;
    }
    log(`${plan.sources} seed events acknowledged`);

    const child = fork(path.join(path.dirname(fileURLToPath(import.meta.url)), 'soak', 'clients.child.js'), [], {
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    clientsChild = child;
    const ask = <K extends ClientsMessage['kind']>(command: ClientsCommand, kind: K, timeoutMs = 120_000) =>
      new Promise<Extract<ClientsMessage, { kind: K }>>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`clients did not answer ${command.cmd} in time`)), timeoutMs);
        const onMessage = (message: ClientsMessage) => {
          if (message.kind !== kind) return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(message as Extract<ClientsMessage, { kind: K }>);
        };
        child.on('message', onMessage);
        child.send(command);
      });
    const live = await ask(
      { cmd: 'start', plan, seeds, token, gatewayUrls: [gatewayA.url, gatewayB.url], consumerUrl: consumer.url },
      'live',
      300_000,
    );
    log(`${plan.clients} clients live after ${live.ms} ms`);

    const sampler = new RssSampler([
      ...apps.map((a) => ({ name: a.role, pid: () => a.pid })),
      { name: 'redis', pid: () => redis.pid },
      { name: 'soak-driver', pid: () => process.pid },
      { name: 'socket-clients', pid: () => child.pid },
    ]);
    sampler.start();

    const stopLoad = new AbortController();
    const stopChaos = new AbortController();
    const targets: ChaosTarget[] = [
      { name: 'redis', kill: () => redis.kill(), restart: () => redis.restart() },
      { name: 'gateway-a', kill: () => gatewayA.kill(), restart: () => gatewayA.start() },
      { name: 'consumer', kill: () => consumer.kill(), restart: () => consumer.start() },
    ];
    const loadStartedAt = Date.now();
    const chaos = runChaos(
      targets,
      { minGapS: num('chaos-min'), maxGapS: num('chaos-max'), maxDownS: num('max-down') },
      stopChaos.signal,
      loadStartedAt,
      log,
    );
    const load = driver.run(rate, stopLoad.signal);
    const progress = setInterval(() => {
      void ask({ cmd: 'progress' }, 'progress', 10_000)
        .then((p) => {
          const s = (Date.now() - loadStartedAt) / 1000;
          log(
            `t=${Math.round(s)}s acked ${driver.stats.acknowledged} (${Math.round((driver.stats.acknowledged - plan.sources) / s)}/s), ` +
              `sent ${driver.stats.sent}, failures ${JSON.stringify(driver.stats.failures)}, clients received ${p.received}, ` +
              `statuses ${JSON.stringify(p.statuses)}`,
          );
        })
        .catch((err: Error) => log(`progress: ${err.message}`));
    }, 30_000);
    await sleep(minutes * 60_000);
    stopLoad.abort();
    const window = await load;
    clearInterval(progress);
    stopChaos.abort();
    const chaosEvents: ChaosEvent[] = await chaos;
    log(`load ended; ${chaosEvents.length} fault(s) injected; retrying what failed`);
    await driver.finish(90_000);
    const loadSeconds = (window.endedAt - window.startedAt) / 1000;
    const reached = (driver.stats.acknowledged - plan.sources) / loadSeconds;

    const watch = new ProjectionWatch(admin, topics, (topic) => `${groupId}.${topic}`);
    const drainStarted = Date.now();
    await watch.settle(300_000);
    const drain = await watch.progress();
    log(`projection committed ${drain.committed} of ${drain.high} records after ${Date.now() - drainStarted} ms`);

    // Clients are done once nothing new arrived for 15 s and every one is live again.
    const quietStarted = Date.now();
    let last = -1;
    let quietSince = Date.now();
    for (;;) {
      const p = await ask({ cmd: 'progress' }, 'progress', 30_000);
      if (p.received !== last) {
        last = p.received;
        quietSince = Date.now();
      }
      if ((Date.now() - quietSince > 15_000 && p.live === plan.clients) || Date.now() - quietStarted > 300_000) break;
      await sleep(1_000);
    }
    sampler.stop();
    const reloaded = await ask({ cmd: 'reload' }, 'reloaded', 300_000);
    log(
      `${reloaded.subscriptions} subscription(s) told of a hole reloaded from the read model (${reloaded.failed} failed)`,
    );
    const clientsReport = await ask({ cmd: 'report' }, 'report', 120_000);
    log(`clients quiet after ${Date.now() - quietStarted} ms; auditing Kafka and the projection`);
    const kafkaAudit = await auditKafka(kafka, admin, plan, topics, driver.issued);
    const projectionAudit = await auditProjection(consumer.url, token, plan, driver.issued);
    const rss = sampler.summary(window.startedAt, window.endedAt);
    const metrics = Object.fromEntries(
      await Promise.all(apps.map(async (a) => [a.role, await scrapeMetrics(a.url)] as const)),
    );
    const findings = [...driver.stats.badReceipts, ...apps.flatMap((a) => a.crashes)];
    if (driver.stats.abandoned > 0) {
      findings.push(`${driver.stats.abandoned} event(s) never acknowledged (gave up retrying)`);
    }
    const verdict = judge(
      plan,
      driver.issued,
      driver.acked,
      driver.retried,
      kafkaAudit,
      projectionAudit,
      clientsReport,
      rss,
      ['ingester', 'gateway-b'],
      num('growth-limit'),
      findings,
    );
    const startRetries = Object.fromEntries(apps.map((a) => [a.role, a.startRetries]));
    report(plan, {
      minutes,
      rate,
      reached,
      loadSeconds,
      driver,
      chaosEvents,
      verdict,
      rss,
      clientsReport,
      drain,
      metrics,
      startRetries,
    });
    return verdict.failures.length === 0 ? 0 : 1;
  } finally {
    clientsChild?.send({ cmd: 'close' } satisfies ClientsCommand);
    await Promise.all(apps.map((a) => a.stop()));
    await redis.stop();
    if (!args['keep-topics']) {
      await admin.deleteTopics({ topics }).catch((err: Error) => log(`could not delete the topics: ${err.message}`));
      const groups = [...topics.map((t) => `${groupId}.${t}`), `${plan.prefix}audit`];
      await admin.deleteGroups(groups).catch((err: Error) => log(`could not delete the groups: ${err.message}`));
    }
    await admin.disconnect();
  }
}

interface Outcome {
  minutes: number;
  rate: number;
  reached: number;
  loadSeconds: number;
  driver: LoadDriver;
  chaosEvents: ChaosEvent[];
  verdict: Verdict;
  rss: ReturnType<RssSampler['summary']>;
  clientsReport: Extract<ClientsMessage, { kind: 'report' }>;
  drain: { high: number; committed: number };
  metrics: Record<string, Record<string, number>>;
  /** Starts tried again per app (the port briefly held by another process), not faults of the app. */
  startRetries: Record<string, number>;
}

function report(plan: SoakPlan, o: Outcome): void {
  const { verdict: v, driver } = o;
  const faults = (name: string) => o.chaosEvents.filter((e) => e.target === name).length;
  const rows: [string, string | number][] = [
    ['load', `${o.loadSeconds.toFixed(0)} s, target ${o.rate} events/s, reached ${Math.round(o.reached)} events/s`],
    ['requests (batches of events)', `${driver.stats.requests}, failed ${JSON.stringify(driver.stats.failures)}`],
    [
      'request p50 / p99 ms',
      `${round(percentile(driver.stats.latenciesMs, 50), 1)} / ${round(percentile(driver.stats.latenciesMs, 99), 1)}`,
    ],
    [
      'faults (SIGKILL + restart)',
      `${o.chaosEvents.length}: redis ${faults('redis')}, gateway-a ${faults('gateway-a')}, consumer ${faults('consumer')}`,
    ],
    ['events acknowledged', v.acknowledged],
    ['events in Kafka (records)', v.kafka.records],
    ['  acknowledged missing in Kafka', v.kafka.acknowledgedMissing],
    [
      '  in Kafka twice: sent once / after a retry',
      `${v.kafka.duplicatedUnexplained} / ${v.kafka.duplicatedAfterRetry}`,
    ],
    ['  in Kafka, not acknowledged (outcome unknown to the driver)', v.kafka.unacknowledgedPresent],
    ['events in the projection (rows)', v.projection.rows],
    [
      '  acknowledged missing / Kafka records missing',
      `${v.projection.acknowledgedMissing} / ${v.projection.kafkaMissing}`,
    ],
    ['  duplicated', v.projection.duplicated],
    ['clients: subscriptions, expected deliveries', `${v.clients.subscriptions}, ${v.clients.expectedDeliveries}`],
    [
      'clients: holes reported (onGap/onReset), subscriptions',
      `${v.clients.holes}, ${v.clients.subscriptionsWithHoles}`,
    ],
    ['clients: not delivered, filled by the reload after a hole', v.clients.filledByReload],
    [
      'clients: missing (total, clients, max per client)',
      `${v.clients.missing}, ${v.clients.clientsWithMissing}, ${v.clients.maxMissingPerClient}`,
    ],
    [
      'clients: duplicated (total, clients, max per client)',
      `${v.clients.duplicated}, ${v.clients.clientsWithDuplicates}, ${v.clients.maxDuplicatedPerClient}`,
    ],
    ['clients: reconnects, resets, gaps', `${v.clients.reconnects}, ${v.clients.resets}, ${v.clients.gaps}`],
    ...(['gateway-a', 'gateway-b'] as const).map((name): [string, string] => {
      const m = o.metrics[name] ?? {};
      return [
        `${name} (last incarnation): recoveries, replays not recovered, notices, slow cuts`,
        `${m.dual_stream_hub_recoveries_total ?? '?'}, ${m.dual_stream_hub_replays_not_recovered_total ?? '?'}, ` +
          `${m.dual_stream_hub_recovery_notices_total ?? '?'}, ${m.dual_stream_hub_slow_disconnects_total ?? '?'}`,
      ];
    }),
    ...Object.entries(o.rss).map(([name, r]): [string, string] => [
      `max RSS ${name}`,
      `${r.maxMb} MB (first / last third ${r.firstThirdMaxMb} / ${r.lastThirdMaxMb})`,
    ]),
    ['verdict', v.failures.length === 0 ? 'PASS' : `FAIL: ${v.failures.join('; ')}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\nsoak ${plan.runId}`);
  for (const [k, value] of rows) console.log(`${k.padEnd(width)}  ${value}`);
  const file = path.resolve('bench/results/soak-latest.json');
  const { perClient, ...clientTotals } = v.clients;
  const json = {
    env: benchEnv(),
    settings: { ...args, plan },
    load: {
      seconds: round(o.loadSeconds, 1),
      targetEventsPerSec: o.rate,
      reachedEventsPerSec: Math.round(o.reached),
      ...driver.stats,
      latenciesMs: undefined,
      p50Ms: round(percentile(driver.stats.latenciesMs, 50), 1),
      p99Ms: round(percentile(driver.stats.latenciesMs, 99), 1),
    },
    chaos: o.chaosEvents,
    startRetries: o.startRetries,
    acknowledged: v.acknowledged,
    kafka: v.kafka,
    projection: v.projection,
    clients: clientTotals,
    rssMb: o.rss,
    metrics: o.metrics,
    growth: v.growth,
    failures: v.failures,
    pass: v.failures.length === 0,
    clientErrorSamples: o.clientsReport.errorSamples,
    perClient: perClient.map((c) => [
      c.client,
      c.gateway,
      c.expected,
      c.missing,
      c.filledByReload,
      c.duplicated,
      c.holes,
      c.reconnects,
    ]),
    perClientColumns: [
      'client',
      'gateway',
      'expected',
      'missing',
      'filledByReload',
      'duplicated',
      'holes',
      'reconnects',
    ],
  };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`\nwritten ${path.relative(process.cwd(), file)}`);
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err);
    process.exit(2);
  },
);
