// npm run bench:realtime [-- --driver kafkajs|platformatic|both] — realtime fan-out: ours (DualStreamPublisher →
// Redis → RealtimeHub gateway; `ours-*` on the kafkajs driver, `ours-*-platformatic` on the platformatic one,
// both by default) against
// the anchor (@socket.io/redis-adapter: `server.to(room).emit` on one instance, clients on another), at 1,000
// and 5,000 events/s, 200 socket.io clients over 50 channels; and our gateway's Server-Sent Events streams
// (`sse` rows: the same publisher, gateway and rates, 200 SSE clients over 50 channels). Gateways, publisher/emitter and a Redis probe
// run in child processes so the clients (here) do not share an event loop with what is measured.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultTopic } from '@dual-stream/nestjs';
import { signGatewayToken } from '@app/service-kit';
import { infraFromEnv } from '../libs/infra-env/src/infra-env.mjs';
import { medianOfRounds, percentile, reportResults, round, type BenchRow } from './support/bench-report.js';
import { createTopicsAndWait } from '../test/support/kafka-topics.js';
import { startStealMeter } from './support/steal-meter.js';
import { now } from './realtime/bench-clock.js';
import { BENCH_SECRET, benchSource } from './realtime/bench-fixtures.js';
import type { ChildMessage, ParentMessage } from './realtime/child-protocol.js';
import { childExecArgv, printBursts, printWorstSlices, watchLoopDelay } from './realtime/diagnostics.js';
import { connectClients } from './realtime/socket-clients.js';
import { connectSseClients } from './realtime/sse-clients.js';
import { checkClusterUp, clusterTarget, withClusterRows } from './support/cluster-target.js';
import { ensureTopics } from '@dual-stream/nestjs';
import { benchDrivers } from './support/bench-driver.js';
import os from 'node:os';
void watchLoopDelay('clients');

const CLIENTS = 200;
const CHANNELS = 50;
const IDLE_CONNECTIONS = 1000;
// Measured clients run in this many child processes (like separate browsers), not in the benchmark process.
const CLIENT_PROCESSES = Number(process.env.BENCH_CLIENT_PROCESSES ?? 2);
// BENCH_RATES / BENCH_KINDS narrow a run for profiling; the published table always uses the defaults.
const RATES = (process.env.BENCH_RATES ?? '1000,5000').split(',').map(Number);
// `direct`: our gateway fed straight from Redis (no Kafka), the adapter's input pattern: the hubs alone.
// `--cluster`: the `ours` rows beside `ours-cluster` (Kafka cluster RF 3, Redis Cluster, 2 gateways) in one run.
const DRIVERS = benchDrivers();
const DEFAULT_KINDS = withClusterRows
  ? ['ours', 'cluster']
  : [
      ...(DRIVERS.includes('kafkajs') ? ['ours', 'sse'] : []),
      ...(DRIVERS.includes('platformatic') ? ['ours-platformatic'] : []),
      'adapter',
      ...(DRIVERS.includes('kafkajs') ? ['direct'] : []),
    ];
const KINDS = (process.env.BENCH_KINDS?.split(',') ?? DEFAULT_KINDS) as Kind[];
// Each round starts fresh processes and steps the rate from idle; with 1 s of warm-up the first ~0.5 s of
// the window still held the step's transient (JIT, heap growth in every process) and
// dominated the p99 (its worst 50 ms slices were the window's first ones). 3 s measures the steady state.
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 3000);
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 6000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? (withClusterRows ? 3 : 5));
if (withClusterRows) await checkClusterUp(clusterTarget());
const here = path.dirname(fileURLToPath(import.meta.url));
const brokers = infraFromEnv().kafkaBrokers;

class Child {
  private readonly waiters: ((m: ChildMessage) => void)[] = [];
  readonly process: ChildProcess;

  constructor(script: string, args: string[], env?: Record<string, string>) {
    this.process = fork(path.join(here, 'realtime', script), args, {
      execArgv: childExecArgv(script),
      ...(env && { env: { ...process.env, ...env } }),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.process.on('message', (m: ChildMessage) => this.waiters.shift()?.(m));
  }

  next(): Promise<ChildMessage> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`child exited with ${code}`));
      this.process.once('exit', onExit);
      this.waiters.push((m) => {
        this.process.off('exit', onExit);
        resolve(m);
      });
    });
  }

  async ask(message: ParentMessage): Promise<ChildMessage> {
    const answer = this.next();
    this.process.send(message);
    return answer;
  }

  async stop(): Promise<void> {
    if (this.process.exitCode !== null) return;
    const exited = new Promise((r) => this.process.once('exit', r));
    this.process.send({ type: 'stop' } satisfies ParentMessage);
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

async function start(script: string, args: string[], env?: Record<string, string>): Promise<Child> {
  const child = new Child(script, args, env);
  const ready = await child.next();
  if (ready.type !== 'ready') throw new Error(`${script} did not start`);
  return child;
}

// BENCH_PORT_BASE=4100 keeps the gateways on 4100-4199 (a shared machine's agreed range); else any free port.
const PORT_BASE = process.env.BENCH_PORT_BASE ? Number(process.env.BENCH_PORT_BASE) : undefined;
let portsUsed = 0;

function freePort(): Promise<number> {
  if (PORT_BASE !== undefined) return Promise.resolve(PORT_BASE + (portsUsed++ % 100));
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function memoryOf(child: Child): Promise<{ rss: number; heapUsed: number }> {
  const answer = await child.ask({ type: 'rss' });
  if (answer.type !== 'rss') throw new Error('expected rss');
  return answer;
}

async function cpuOf(child: Child): Promise<number> {
  const answer = await child.ask({ type: 'cpu' });
  if (answer.type !== 'cpu') throw new Error('expected cpu');
  return answer.micros;
}

type Kind = 'ours' | 'ours-platformatic' | 'adapter' | 'direct' | 'sse' | 'sse-direct' | 'cluster';
const LABELS: Record<Kind, string> = {
  ours: 'dual-stream publisher → Redis → RealtimeHub',
  'ours-platformatic': 'dual-stream publisher → Redis → RealtimeHub, platformatic driver',
  sse: 'dual-stream publisher → Redis → RealtimeHub → SSE streams (GET /sse)',
  'sse-direct': 'PUBLISH per event (no Kafka) → Redis → RealtimeHub → SSE streams',
  adapter: '@socket.io/redis-adapter to(room).emit',
  direct: 'PUBLISH per event (no Kafka) → Redis → RealtimeHub',
  cluster: 'dual-stream publisher → Kafka cluster (RF 3) → Redis Cluster (SPUBLISH) → 2 RealtimeHub gateways',
};
const ROW_PREFIX: Record<Kind, string> = {
  ours: 'ours',
  'ours-platformatic': 'ours',
  adapter: 'adapter',
  direct: 'ours-direct',
  sse: 'sse',
  'sse-direct': 'sse-direct',
  cluster: 'ours-cluster',
};
/** Kinds fed one Redis PUBLISH per event (no Kafka), and kinds whose clients are SSE streams. */
const DIRECT = new Set<Kind>(['direct', 'sse-direct']);
const SSE = new Set<Kind>(['sse', 'sse-direct']);
/** The Kafka driver of a kind's publisher and gateway; its rows get the driver as suffix (`ours-5k-platformatic`). */
const DRIVER_OF: Partial<Record<Kind, 'platformatic'>> = { 'ours-platformatic': 'platformatic' };

async function measureImplementation(kind: Kind): Promise<BenchRow[]> {
  const tag = randomBytes(3).toString('hex');
  const type = `bench_${tag}`;
  const prefix = `bench-${tag}:`;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let gateway: Child;
  let driver: Child;
  let probe: Child | undefined;
  let authToken: string | undefined;
  /** The second gateway of the cluster rows; the client processes alternate between the two. */
  let gateway2: Child | undefined;
  const urls = [url];
  if (kind === 'cluster') {
    // Sharded Pub/Sub has no pattern subscribe: no probe, so no redisP* figures on these rows.
    const target = clusterTarget();
    const env = {
      KAFKA_BROKERS: target.kafkaBrokers.join(','),
      REDIS_CLUSTER_NODES: target.redisNodes.map((n) => `${n.host}:${n.port}`).join(','),
    };
    await ensureTopics({ kafka: { brokers: target.kafkaBrokers, clientId: 'bench-setup' } }, [
      {
        topic: defaultTopic({ source: benchSource(type, 0) }),
        partitions: 3,
        replicationFactor: 3,
        minInsyncReplicas: 2,
      },
    ]);
    const port2 = await freePort();
    urls.push(`http://127.0.0.1:${port2}`);
    [gateway, gateway2] = await Promise.all([
      start('ours-gateway.child.js', [String(port), prefix], env),
      start('ours-gateway.child.js', [String(port2), prefix], env),
    ]);
    driver = await start('publisher.child.js', [prefix, type, String(CHANNELS)], env);
    authToken = await signGatewayToken(BENCH_SECRET, { sub: 'bench', channels: ['events:*'], patterns: [] }, 3600);
  } else if (kind !== 'adapter') {
    if (!DIRECT.has(kind)) {
      await createTopicsAndWait(brokers, [{ topic: defaultTopic({ source: benchSource(type, 0) }), numPartitions: 3 }]);
    }
    const kafkaDriver = DRIVER_OF[kind] ?? 'kafkajs';
    gateway = await start('ours-gateway.child.js', [String(port), prefix, kafkaDriver]);
    driver = await start(DIRECT.has(kind) ? 'direct-publisher.child.js' : 'publisher.child.js', [
      prefix,
      type,
      String(CHANNELS),
      kafkaDriver,
    ]);
    probe = await start('probe.child.js', ['ours', `${prefix}events:*`]);
    authToken = await signGatewayToken(BENCH_SECRET, { sub: 'bench', channels: ['events:*'], patterns: [] }, 3600);
  } else {
    gateway = await start('adapter-server.child.js', ['gateway', String(port), type, String(CHANNELS)]);
    driver = await start('adapter-server.child.js', ['emitter', '0', type, String(CHANNELS)]);
    probe = await start('probe.child.js', ['adapter', 'socket.io#/events#*']);
  }
  try {
    // Idle footprint: RSS growth for 1,000 connected, subscribed, silent clients.
    const before = await memoryOf(gateway);
    const connect = SSE.has(kind) ? connectSseClients : connectClients;
    const idle = await connect(url, { first: 0, count: IDLE_CONNECTIONS, channels: CHANNELS, type, authToken });
    await new Promise((r) => setTimeout(r, 1000));
    const after = await memoryOf(gateway);
    for (const s of idle) s.close();
    const per1k = (bytes: number) => round((bytes / 2 ** 20) * (1000 / IDLE_CONNECTIONS), 1);
    const rssPer1kIdleMB = per1k(after.rss - before.rss);
    const heapPer1kIdleMB = per1k(after.heapUsed - before.heapUsed);
    await new Promise((r) => setTimeout(r, 1000));
    // The 1,000 closed idle sockets are garbage: collect it now (memoryOf runs a full GC) rather than as a
    // mark-compact inside the latency window, on both sides alike.
    await memoryOf(gateway);

    const perProcess = Math.ceil(CLIENTS / CLIENT_PROCESSES);
    const clientProcesses = await Promise.all(
      Array.from({ length: CLIENT_PROCESSES }, (_, i) =>
        start('clients.child.js', [
          urls[i % urls.length],
          type,
          String(CHANNELS),
          authToken ?? '-',
          String(i * perProcess),
          String(Math.min(perProcess, CLIENTS - i * perProcess)),
          SSE.has(kind) ? 'sse' : 'socket.io',
        ]),
      ),
    );
    const received = async () => {
      let total = 0;
      for (const c of clientProcesses) {
        const answer = await c.ask({ type: 'count' });
        if (answer.type === 'count') total += answer.received;
      }
      return total;
    };
    const rows: BenchRow[] = [];
    const gatewayCpu = async () => (await cpuOf(gateway)) + (gateway2 ? await cpuOf(gateway2) : 0);
    for (const rate of RATES) {
      await probe?.ask({ type: 'dump' });
      const t = now();
      const measureFrom = t + WARMUP_MS;
      const measureTo = t + WARMUP_MS + MEASURE_MS;
      for (const c of clientProcesses) await c.ask({ type: 'window', from: measureFrom, to: measureTo });
      const cpuBefore = await gatewayCpu();
      const publisherCpuBefore = await cpuOf(driver);
      const steal = startStealMeter();
      const done = await driver.ask({
        type: 'run',
        rate,
        durationMs: WARMUP_MS + MEASURE_MS,
        windowFrom: measureFrom,
        windowTo: measureTo,
      });
      // Stragglers: wait until deliveries stop arriving (a saturated run can lag by seconds), at most 20 s.
      for (let seen = -1, waited = 0, count = await received(); seen !== count && waited < 20_000; waited += 1000) {
        seen = count;
        await new Promise((r) => setTimeout(r, 1000));
        count = await received();
      }
      const collector = { latencies: [] as number[], ids: [] as string[], times: [] as number[], measureFrom };
      for (const c of clientProcesses) {
        const part = await c.ask({ type: 'dump' });
        if (part.type !== 'deliveries') throw new Error('expected deliveries');
        for (let i = 0; i < part.ids.length; i++) {
          collector.latencies.push(part.latencies[i]);
          collector.ids.push(part.ids[i]);
          collector.times.push(part.times[i]);
        }
      }
      const stolen = steal.stop();
      const gatewayCpuMicros = (await gatewayCpu()) - cpuBefore;
      const publisherCpuMicros = (await cpuOf(driver)) - publisherCpuBefore;
      const runSeconds = (WARMUP_MS + MEASURE_MS) / 1000;
      const dumped = probe
        ? await probe.ask({ type: 'dump' })
        : { type: 'times' as const, ids: [] as string[], times: [] as number[] };
      if (done.type !== 'done' || dumped.type !== 'times') throw new Error('unexpected child answer');
      const leftRedis = new Map<string, number>();
      dumped.ids.forEach((id, i) => leftRedis.set(id, dumped.times[i]));
      const redisLatencies: number[] = [];
      // Publish (emit) → the notification leaving Redis, once per event: Kafka and the publisher's batching
      // for ours, the emitter and Redis for the adapter.
      const upstreamLatencies: number[] = [];
      const seenUpstream = new Set<string>();
      collector.ids.forEach((id, i) => {
        const at = leftRedis.get(id);
        if (at === undefined) return;
        redisLatencies.push(collector.times[i] - at);
        if (seenUpstream.has(id)) return;
        seenUpstream.add(id);
        upstreamLatencies.push(at - (collector.times[i] - collector.latencies[i]));
      });
      if (process.env.BENCH_TIMELINE) printWorstSlices(`${kind}-${rate}`, collector, leftRedis);
      if (process.env.BENCH_BURSTS) printBursts(`${kind}-${rate}`, collector, dumped);
      const expected = done.inWindow * (CLIENTS / CHANNELS);
      rows.push({
        id: `${ROW_PREFIX[kind]}-${rate / 1000}k${DRIVER_OF[kind] ? `-${DRIVER_OF[kind]}` : ''}`,
        label: LABELS[kind],
        eventsPerSec: rate,
        // The publishing process's CPU (our publisher with its Kafka driver, or the adapter's emitter) per event.
        cpuUsPerEvent: round(publisherCpuMicros / Math.max(1, done.sent), 1),
        clients: CLIENTS,
        channels: CHANNELS,
        p50Ms: round(percentile(collector.latencies, 50)),
        p95Ms: round(percentile(collector.latencies, 95)),
        p99Ms: round(percentile(collector.latencies, 99)),
        upstreamP50Ms: round(percentile(upstreamLatencies, 50)),
        upstreamP99Ms: round(percentile(upstreamLatencies, 99)),
        redisP50Ms: round(percentile(redisLatencies, 50)),
        redisP95Ms: round(percentile(redisLatencies, 95)),
        redisP99Ms: round(percentile(redisLatencies, 99)),
        deliveriesPerSec: Math.round(collector.latencies.length / (MEASURE_MS / 1000)),
        deliveredPct: round((100 * collector.latencies.length) / expected, 1),
        // Gateway CPU over the whole run (warm-up included, stragglers' wait is idle): the fan-out's cost.
        gatewayCpuPct: round((100 * gatewayCpuMicros) / 1e6 / runSeconds, 1),
        gatewayCpuUsPerDelivery: round(gatewayCpuMicros / ((rate * runSeconds * CLIENTS) / CHANNELS), 1),
        rssPer1kIdleMB,
        heapPer1kIdleMB,
        ...stolen,
      });
    }
    await Promise.all(clientProcesses.map((c) => c.stop()));
    return rows;
  } finally {
    await Promise.all([gateway.stop(), gateway2?.stop(), driver.stop(), probe?.stop()]);
  }
}

// Rounds alternate which side goes first, and each row is the median over the rounds: on a shared 2-core
// machine a stall (JIT, GC, a neighbour) lands on whichever side happens to be running, so one round alone
// can flip a comparison either way.
const rounds: BenchRow[][] = [];
for (let r = 0; r < REPEATS; r++) {
  const order = r % 2 === 0 ? KINDS : [...KINDS].reverse();
  const measured: BenchRow[] = [];
  for (const kind of order) measured.push(...(await measureImplementation(kind)));
  rounds.push(measured);
  console.error(
    `round ${r + 1}/${REPEATS}: ${measured.map((row) => `${row.id} p99 ${row.p99Ms} redis p99 ${row.redisP99Ms} steal max ${row.stealMaxMsPer100ms ?? '?'} ms/100ms`).join(' · ')}`,
  );
}
const rows = medianOfRounds(
  rounds,
  ['p99Ms', 'redisP99Ms', 'stealMaxMsPer100ms', 'gatewayCpuUsPerDelivery', 'cpuUsPerEvent'],
  ['deliveredPct'],
);
// `rounds`: every row's per-round values (as the interleaved rows of the other benches), p99 min–max.
for (const row of rows) {
  const runs = rounds.flatMap((r) => r.filter((x) => x.id === row.id));
  row.rounds = runs.map((x) => ({ eventsPerSec: x.eventsPerSec, cpuUsPerEvent: x.cpuUsPerEvent, p99Ms: x.p99Ms }));
  row.p99MsMin = Math.min(...runs.map((x) => x.p99Ms ?? Infinity));
  row.p99MsMax = Math.max(...runs.map((x) => x.p99Ms ?? 0));
}
const ours5k = rows.find((r) => r.id === 'ours-5k');
const platformatic5k = rows.find((r) => r.id === 'ours-5k-platformatic');
const adapter5k = rows.find((r) => r.id === 'adapter-5k');
const direct5k = rows.find((r) => r.id === 'ours-direct-5k');
/** "k/n": in how many rounds `holds` was true of the rows `a` and `b` of that round. */
function roundsOf(a: string, b: string, holds: (x: BenchRow, y: BenchRow) => boolean): string {
  const held = rounds.filter((r) => {
    const [x, y] = [r.find((row) => row.id === a), r.find((row) => row.id === b)];
    return x !== undefined && y !== undefined && holds(x, y);
  });
  return `${held.length}/${rounds.length}`;
}
/** SSE against socket.io on the same gateway, publisher and rate: p99 within 1.2x, CPU per delivery no higher. */
function sseTargets(rate: string, sseId = 'sse', socketId = 'ours'): Record<string, unknown> {
  const [sseRow, socketRow] = [`${sseId}-${rate}`, `${socketId}-${rate}`];
  const [sse, socket] = [rows.find((r) => r.id === sseRow), rows.find((r) => r.id === socketRow)];
  const name = sseId === 'sse' ? '' : 'Direct';
  if (!sse || !socket) return {};
  const p99Within = (x: BenchRow, y: BenchRow) => (x.p99Ms ?? Infinity) <= 1.2 * (y.p99Ms ?? 0);
  const cpuNoHigher = (x: BenchRow, y: BenchRow) =>
    (x.gatewayCpuUsPerDelivery as number) <= (y.gatewayCpuUsPerDelivery as number);
  return {
    [`sse${name}P99Within1_2xSocketIo${rate}`]: {
      actual: sse.p99Ms,
      anchor: socket.p99Ms,
      target: round(1.2 * (socket.p99Ms ?? 0)),
      met: p99Within(sse, socket),
      roundsMet: roundsOf(sseRow, socketRow, p99Within),
    },
    [`sse${name}CpuPerDeliveryVsSocketIo${rate}`]: {
      actual: sse.gatewayCpuUsPerDelivery,
      anchor: socket.gatewayCpuUsPerDelivery,
      met: cpuNoHigher(sse, socket),
      roundsMet: roundsOf(sseRow, socketRow, cpuNoHigher),
    },
  };
}
/** "k/n": in how many rounds the 5k/s comparison held on its own. */
function roundsWhere(holds: (ours: BenchRow, adapter: BenchRow, direct?: BenchRow) => boolean): string {
  const at5k = (r: BenchRow[], id: string) => r.find((row) => row.id === id);
  const held = rounds.filter((r) => {
    const [o, a] = [at5k(r, 'ours-5k'), at5k(r, 'adapter-5k')];
    return o !== undefined && a !== undefined && holds(o, a, at5k(r, 'ours-direct-5k'));
  });
  return `${held.length}/${rounds.length}`;
}
// A narrowed run (BENCH_RATES/BENCH_KINDS) is a diagnostic: it must not replace the published results.
const narrowed = process.env.BENCH_RATES !== undefined || process.env.BENCH_KINDS !== undefined;
if (withClusterRows) reportCluster();
// BENCH_RESULTS_NAME names a deliberate subset's file (e.g. realtime-drivers: the driver comparison rows only).
reportResults(process.env.BENCH_RESULTS_NAME ?? (narrowed ? 'realtime-narrowed' : 'realtime'), rows, {
  notes:
    'p50/p95/p99: publish() call → client (ours; includes Kafka acks=all and micro-batching) or emit() → client (adapter). ' +
    'redisP*: the notification leaving Redis (stamped by a separate subscriber process) → client. ' +
    "ours-direct: our gateway fed one PUBLISH per event in the publisher's format, no Kafka (the adapter rows' input pattern). " +
    'sse: the ours pipeline with the 200 clients on GET /sse instead of socket.io (rssPer1kIdleMB: 1,000 idle SSE streams); sse-direct: the same fed like ours-direct. ' +
    `The 200 measured clients run in ${CLIENT_PROCESSES} child processes; gateways, publisher/emitter and the probe in others. Measured ${MEASURE_MS} ms after ${WARMUP_MS} ms warm-up, ` +
    `${REPEATS} rounds alternating which side goes first; each figure is the median over the rounds (p99MsRuns/redisP99MsRuns: every round).`,
  drivers: DRIVERS,
  loadavg: os.loadavg().map((l) => round(l, 2)),
  targets: {
    // The platformatic driver's publish → client p99 at 5k/s against the adapter's emit → client p99, per round.
    ...(platformatic5k && adapter5k
      ? {
          platformaticPublishP99VsAdapterEmitP99At5k: {
            actual: platformatic5k.p99Ms,
            anchor: adapter5k.p99Ms,
            met: (platformatic5k.p99Ms ?? Infinity) <= (adapter5k.p99Ms ?? 0),
            roundsMet: roundsOf(
              'ours-5k-platformatic',
              'adapter-5k',
              (x, y) => (x.p99Ms ?? Infinity) <= (y.p99Ms ?? 0),
            ),
          },
        }
      : {}),
    // SSE against socket.io needs only the `ours` and `sse` rows (BENCH_KINDS=ours,sse is enough).
    ...sseTargets('1k'),
    ...sseTargets('5k'),
    ...sseTargets('1k', 'sse-direct', 'ours-direct'),
    ...sseTargets('5k', 'sse-direct', 'ours-direct'),
    ...(ours5k && adapter5k
      ? {
          publishToClientP99At5kMs: {
            target: 25,
            actual: ours5k.p99Ms,
            met: (ours5k.p99Ms ?? Infinity) <= 25,
            roundsMet: roundsWhere((o) => (o.p99Ms ?? Infinity) <= 25),
          },
          // Informational: the same comparison with our gateway fed the adapter's input pattern (no Kafka).
          ...(direct5k && {
            directRedisP99VsAdapterEmitP99: {
              actual: direct5k.redisP99Ms,
              anchor: adapter5k.p99Ms,
              met: (direct5k.redisP99Ms as number) <= (adapter5k.p99Ms ?? 0),
              roundsMet: roundsWhere((_o, a, d) => d !== undefined && (d.redisP99Ms as number) <= (a.p99Ms ?? 0)),
            },
          }),
          oursRedisP99VsAdapterEmitP99: {
            actual: ours5k.redisP99Ms,
            anchor: adapter5k.p99Ms,
            met: (ours5k.redisP99Ms as number) <= (adapter5k.p99Ms ?? 0),
            roundsMet: roundsWhere((o, a) => (o.redisP99Ms as number) <= (a.p99Ms ?? 0)),
          },
        }
      : {}),
  },
});
process.exit(0);

/**
 * `--cluster`: `ours-cluster` (Kafka cluster RF 3, Redis Cluster with sharded Pub/Sub, 2 gateways) beside `ours`
 * (one broker, one Redis, one gateway) of the same run, written to realtime-cluster-latest.json with the
 * cluster/single ratios; realtime-latest.json is left as it is.
 */
function reportCluster(): never {
  const ratio = (rate: string, field: string) => {
    const single = rows.find((r) => r.id === `ours-${rate}`)?.[field] as number | undefined;
    const cluster = rows.find((r) => r.id === `ours-cluster-${rate}`)?.[field] as number | undefined;
    return single && cluster !== undefined ? round(cluster / single, 2) : null;
  };
  const ratios = Object.fromEntries(
    RATES.map((r) => `${r / 1000}k`).map((rate) => [
      `ours-cluster-${rate}/ours-${rate}`,
      {
        p50Ms: ratio(rate, 'p50Ms'),
        p99Ms: ratio(rate, 'p99Ms'),
        deliveredPct: ratio(rate, 'deliveredPct'),
        gatewayCpuUsPerDelivery: ratio(rate, 'gatewayCpuUsPerDelivery'),
      },
    ]),
  );
  reportResults('realtime-cluster', rows, {
    ratios,
    notes:
      'ours: publisher → 1 Kafka broker → Redis → 1 gateway; ours-cluster: publisher → 3-broker Kafka cluster (RF 3, min ISR 2, acks=all) → ' +
      'Redis Cluster (3 masters + 3 replicas, SPUBLISH per master) → 2 gateways (SSUBSCRIBE per master), the 200 clients split over them. ' +
      'p50/p95/p99: publish() call → client. gatewayCpu*: both gateways together. No redisP* on the cluster rows (sharded Pub/Sub has no pattern probe). ' +
      `Measured ${MEASURE_MS} ms after ${WARMUP_MS} ms warm-up, ${REPEATS} rounds alternating which side goes first; medians over the rounds.`,
  });
  console.log('\nours-cluster / ours (same run):');
  for (const [name, r] of Object.entries(ratios)) console.log(`  ${name}: ${JSON.stringify(r)}`);
  process.exit(0);
}
