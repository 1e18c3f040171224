// npm run bench:realtime — realtime fan-out: ours (DualStreamPublisher → Redis → RealtimeHub gateway) against
// the anchor (@socket.io/redis-adapter: `server.to(room).emit` on one instance, clients on another), at 1,000
// and 5,000 events/s, 200 socket.io clients over 50 channels. Gateways, publisher/emitter and a Redis probe
// run in child processes so the clients (here) do not share an event loop with what is measured.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { io, type Socket } from 'socket.io-client';
import { signGatewayToken } from '../apps/gateway/src/auth/jwt-token.verifier.js';
import { percentile, reportResults, round, type BenchRow } from './support/bench-report.js';
import { BENCH_SECRET, benchSource, now, type ChildMessage, type ParentMessage } from './realtime/bench-clock.js';
import { createTopicsAndWait } from './support/kafka-topics.js';

const CLIENTS = 200;
const CHANNELS = 50;
const IDLE_CONNECTIONS = 1000;
const RATES = [1000, 5000];
const WARMUP_MS = 1000;
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 6000);
const here = path.dirname(fileURLToPath(import.meta.url));
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

class Child {
  private readonly waiters: ((m: ChildMessage) => void)[] = [];
  readonly process: ChildProcess;

  constructor(script: string, args: string[]) {
    this.process = fork(path.join(here, 'realtime', script), args, { execArgv: ['--expose-gc', ...(process.env.BENCH_CPU_PROF === script ? ['--cpu-prof', '--cpu-prof-dir=bench/results/profiles'] : [])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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

async function start(script: string, args: string[]): Promise<Child> {
  const child = new Child(script, args);
  const ready = await child.next();
  if (ready.type !== 'ready') throw new Error(`${script} did not start`);
  return child;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

interface Collector {
  latencies: number[];
  ids: string[];
  times: number[];
  measureFrom: number;
  measureTo: number;
}

async function connectClients(url: string, count: number, type: string, authToken: string | undefined, collector?: Collector): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i += 50) {
    const batch = Array.from({ length: Math.min(50, count - i) }, (_, j) => i + j);
    sockets.push(
      ...(await Promise.all(
        batch.map(async (n) => {
          const socket = io(`${url}/events`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: authToken ? { token: authToken } : {} });
          await new Promise<void>((resolve, reject) => {
            socket.once('connect', resolve);
            socket.once('connect_error', reject);
          });
          if (collector)
            socket.on('event', (message: { event: { id: string; data: { t0: number } } }) => {
              const t = now();
              const { t0 } = message.event.data;
              if (t0 < collector.measureFrom || t0 >= collector.measureTo) return;
              collector.latencies.push(t - t0);
              collector.ids.push(message.event.id);
              collector.times.push(t);
            });
          const source = benchSource(type, n % CHANNELS);
          const ack = (await socket.timeout(30_000).emitWithAck('subscribe', { channel: `events:${source.type}:${source.id}` })) as { ok: boolean };
          if (!ack.ok) throw new Error(`subscribe refused: ${JSON.stringify(ack)}`);
          return socket;
        }),
      )),
    );
  }
  return sockets;
}

async function memoryOf(child: Child): Promise<{ rss: number; heapUsed: number }> {
  const answer = await child.ask({ type: 'rss' });
  if (answer.type !== 'rss') throw new Error('expected rss');
  return answer;
}

async function measureImplementation(kind: 'ours' | 'adapter'): Promise<BenchRow[]> {
  const tag = randomBytes(3).toString('hex');
  const type = `bench_${tag}`;
  const prefix = `bench-${tag}:`;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let gateway: Child;
  let driver: Child;
  let probe: Child;
  let authToken: string | undefined;
  if (kind === 'ours') {
    const admin = new Kafka({ clientId: 'bench-admin', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await createTopicsAndWait(admin, [{ topic: `events.${type}`, numPartitions: 3 }]);
    await admin.disconnect();
    gateway = await start('ours-gateway.child.js', [String(port), prefix]);
    driver = await start('publisher.child.js', [prefix, type, String(CHANNELS)]);
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
    const idle = await connectClients(url, IDLE_CONNECTIONS, type, authToken);
    await new Promise((r) => setTimeout(r, 1000));
    const after = await memoryOf(gateway);
    for (const s of idle) s.close();
    const per1k = (bytes: number) => round((bytes / 2 ** 20) * (1000 / IDLE_CONNECTIONS), 1);
    const rssPer1kIdleMB = per1k(after.rss - before.rss);
    const heapPer1kIdleMB = per1k(after.heapUsed - before.heapUsed);
    await new Promise((r) => setTimeout(r, 1000));

    const collector: Collector = { latencies: [], ids: [], times: [], measureFrom: Infinity, measureTo: Infinity };
    const clients = await connectClients(url, CLIENTS, type, authToken, collector);
    const rows: BenchRow[] = [];
    for (const rate of RATES) {
      collector.latencies = [];
      collector.ids = [];
      collector.times = [];
      await probe.ask({ type: 'dump' });
      const t = now();
      collector.measureFrom = t + WARMUP_MS;
      collector.measureTo = t + WARMUP_MS + MEASURE_MS;
      const done = await driver.ask({ type: 'run', rate, durationMs: WARMUP_MS + MEASURE_MS, windowFrom: collector.measureFrom, windowTo: collector.measureTo });
      // Stragglers: wait until deliveries stop arriving (a saturated run can lag by seconds), at most 20 s.
      for (let seen = -1, waited = 0; seen !== collector.latencies.length && waited < 20_000; waited += 1000) {
        seen = collector.latencies.length;
        await new Promise((r) => setTimeout(r, 1000));
      }
      const dumped = await probe.ask({ type: 'dump' });
      if (done.type !== 'done' || dumped.type !== 'times') throw new Error('unexpected child answer');
      const leftRedis = new Map<string, number>();
      dumped.ids.forEach((id, i) => leftRedis.set(id, dumped.times[i]));
      const redisLatencies: number[] = [];
      collector.ids.forEach((id, i) => {
        const at = leftRedis.get(id);
        if (at !== undefined) redisLatencies.push(collector.times[i] - at);
      });
      if (process.env.BENCH_BURSTS) {
        // Diagnostic: notifications leaving Redis together (< 0.3 ms apart) and the Redis → client latency by burst size.
        const sizeOf = new Map<string, number>();
        for (let i = 0; i < dumped.times.length; ) {
          let j = i + 1;
          while (j < dumped.times.length && dumped.times[j] - dumped.times[j - 1] < 0.3) j++;
          for (let k = i; k < j; k++) sizeOf.set(dumped.ids[k], j - i);
          i = j;
        }
        const sizes = [...sizeOf.values()];
        const byBucket = new Map<string, number[]>();
        collector.ids.forEach((id, i) => {
          const at = leftRedis.get(id);
          const size = sizeOf.get(id);
          if (at === undefined || size === undefined) return;
          const bucket = size <= 10 ? '<=10' : size <= 30 ? '11-30' : size <= 60 ? '31-60' : '>60';
          (byBucket.get(bucket) ?? byBucket.set(bucket, []).get(bucket)!).push(collector.times[i] - at);
        });
        console.error(`${kind}-${rate}: burst size p50 ${percentile(sizes, 50)} p99 ${percentile(sizes, 99)} max ${Math.max(...sizes)}`);
        for (const [b, l] of byBucket) console.error(`  burst ${b}: n=${l.length} p50 ${round(percentile(l, 50))} p99 ${round(percentile(l, 99))}`);
      }
      const expected = done.inWindow * (CLIENTS / CHANNELS);
      const label = kind === 'ours' ? 'dual-stream publisher → Redis → RealtimeHub' : '@socket.io/redis-adapter to(room).emit';
      rows.push({
        id: `${kind}-${rate / 1000}k`,
        label,
        eventsPerSec: rate,
        clients: CLIENTS,
        channels: CHANNELS,
        p50Ms: round(percentile(collector.latencies, 50)),
        p95Ms: round(percentile(collector.latencies, 95)),
        p99Ms: round(percentile(collector.latencies, 99)),
        redisP50Ms: round(percentile(redisLatencies, 50)),
        redisP95Ms: round(percentile(redisLatencies, 95)),
        redisP99Ms: round(percentile(redisLatencies, 99)),
        deliveriesPerSec: Math.round(collector.latencies.length / (MEASURE_MS / 1000)),
        deliveredPct: round((100 * collector.latencies.length) / expected, 1),
        rssPer1kIdleMB,
        heapPer1kIdleMB,
      });
    }
    for (const s of clients) s.close();
    return rows;
  } finally {
    await Promise.all([gateway.stop(), driver.stop(), probe.stop()]);
  }
}

const rows = [...(await measureImplementation('ours')), ...(await measureImplementation('adapter'))];
const ours5k = rows.find((r) => r.id === 'ours-5k')!;
const adapter5k = rows.find((r) => r.id === 'adapter-5k')!;
reportResults('realtime', rows, {
  notes:
    'p50/p95/p99: publish() call → client (ours; includes Kafka acks=all and micro-batching) or emit() → client (adapter). ' +
    'redisP*: the notification leaving Redis (stamped by a separate subscriber process) → client. ' +
    `Clients run in the benchmark process; gateways, publisher/emitter and the probe in child processes. Measured ${MEASURE_MS} ms after ${WARMUP_MS} ms warm-up.`,
  targets: {
    publishToClientP99At5kMs: { target: 25, actual: ours5k.p99Ms, met: (ours5k.p99Ms ?? Infinity) <= 25 },
    oursRedisP99VsAdapterEmitP99: { actual: ours5k.redisP99Ms, anchor: adapter5k.p99Ms, met: (ours5k.redisP99Ms as number) <= (adapter5k.p99Ms ?? 0) },
  },
});
process.exit(0);
