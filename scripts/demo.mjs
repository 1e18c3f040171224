#!/usr/bin/env node
// One command to watch events flow: `npm run demo`.
//   1. builds dist/ and the SDK's browser build the dashboard runs on (skip with --no-build),
//   2. uses KAFKA_BROKERS / REDIS_URL, or what answers locally, or starts Kafka and Redis (test/support/local-infra),
//   3. starts the ingester (3000), gateway (3001) and consumer (3002) as child processes,
//   4. posts a few events per second from a handful of sources (DEMO_RATE, default 5),
//   5. prints the dashboard URL. Ctrl-C stops everything it started (DUAL_STREAM_KEEP_INFRA=1 keeps Kafka/Redis).
// --no-build / --dist <dir> run an existing build; --duration <s> stops by itself after that many seconds (smoke tests); exit code 1 if no event was accepted.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { canConnect, muteKafkajsTimeoutWarning, REPO_ROOT, sleep } from '../test/support/local-infra/proc.mjs';
import { resolveInfra } from '../test/support/local-infra/resolve-infra.mjs';
import { demoSources, startLoad } from './demo/load-generator.mjs';

const { values: args } = parseArgs({
  options: {
    'no-build': { type: 'boolean', default: false },
    // Where the compiled apps are (default dist/); tests use a private build so concurrent builds cannot race.
    dist: { type: 'string', default: 'dist' },
    duration: { type: 'string' },
    rate: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});
muteKafkajsTimeoutWarning();
const say = (line) => console.log(`\x1b[1m[demo]\x1b[0m ${line}`);
const NODE = process.execPath;
const ports = {
  ingester: Number(process.env.INGESTER_PORT ?? 3000),
  gateway: Number(process.env.GATEWAY_PORT ?? 3001),
  consumer: Number(process.env.CONSUMER_PORT ?? 3002),
};
const children = [];
let infra;
let load;
let stopping;

async function main() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 24) {
    throw new Error(
      `Node ${process.versions.node}: the demo needs Node 24 (run it as \`npm run demo\`, which uses node_modules/.bin/node).`,
    );
  }
  for (const [name, port] of Object.entries(ports)) {
    if (await canConnect('127.0.0.1', port, 300)) {
      throw new Error(`port ${port} (${name}) is in use: stop what runs there or set ${name.toUpperCase()}_PORT.`);
    }
  }

  if (!args['no-build']) build();

  say(
    'finding Kafka and Redis (KAFKA_BROKERS / REDIS_URL, else local, else starting them; the first start downloads Kafka jars)',
  );
  infra = await resolveInfra({ log: (l) => say(l) });
  say(
    `kafka ${infra.kafkaBrokers.join(',')} (${infra.source.kafka}), redis ${infra.redisUrl.replace(/\/\/[^@/]*@/, '//***@')} (${infra.source.redis})`,
  );

  const env = {
    ...process.env,
    NODE_OPTIONS: '',
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    REDIS_URL: infra.redisUrl,
    LOG_FORMAT: process.env.LOG_FORMAT ?? 'pretty',
    HOST: '127.0.0.1',
    CONSUMER_DB_PATH:
      process.env.CONSUMER_DB_PATH ?? path.join(REPO_ROOT, '.infra', 'demo', 'consumer-projection.sqlite'),
    // One secret for the gateway and the consumer: the catch-up API accepts the gateway's tokens.
    AUTH_JWT_SECRET: process.env.AUTH_JWT_SECRET ?? process.env.GATEWAY_JWT_SECRET ?? randomBytes(32).toString('hex'),
    GATEWAY_DEV_TOKENS: process.env.GATEWAY_DEV_TOKENS ?? '1',
    // The dashboard opens on the load generator's sources, so events flow on it at once.
    GATEWAY_DASHBOARD_CHANNELS:
      process.env.GATEWAY_DASHBOARD_CHANNELS ??
      demoSources()
        .map((s) => `events:${s.type}:${s.id}`)
        .join(','),
  };
  for (const name of ['consumer', 'gateway', 'ingester']) start(name, { ...env, PORT: String(ports[name]) });
  await Promise.all(Object.entries(ports).map(([name, port]) => waitReady(name, port)));

  const rate = Number(args.rate ?? process.env.DEMO_RATE ?? 5);
  const apiKey = process.env.DEMO_API_KEY ?? (process.env.INGESTER_API_KEYS ?? '').split(',')[0]?.trim();
  load = startLoad({
    url: `http://127.0.0.1:${ports.ingester}`,
    rate,
    apiKey: apiKey || undefined,
    log: (l) => say(`load: ${l}`),
  });

  console.log(`
  \x1b[1mDashboard\x1b[0m      http://127.0.0.1:${ports.gateway}/   (opens on the load's sources: events/s, latency, connection status)
  Ingest         curl -XPOST http://127.0.0.1:${ports.ingester}/events -H 'content-type: application/json' \\
                   -d '{"type":"order.created","source":{"type":"order","id":"o-1001"},"data":{"total":42}}'
  Token          curl -s http://127.0.0.1:${ports.gateway}/dev/token    (dev tokens; the dashboard fetches its own)
  Catch-up       curl -H "Authorization: Bearer <token>" http://127.0.0.1:${ports.consumer}/sources/order/o-1001/events?limit=20
  Metrics        http://127.0.0.1:${ports.ingester}/metrics  :${ports.gateway}/metrics  :${ports.consumer}/metrics
  Load           ~${rate} events/s from 5 sources (DEMO_RATE to change)      Ctrl-C stops everything
`);

  const report = setInterval(() => say(`load: ${JSON.stringify(load.stats)}`), 15_000);
  if (args.duration) {
    await sleep(Number(args.duration) * 1000);
    clearInterval(report);
    const page = await readCatchUp('order', 'o-1001');
    say(`consumer projection holds ${page.events?.length ?? 0} event(s) of order:o-1001`);
    await shutdown('duration elapsed');
  }
}

/** The consumer's catch-up API with a dev token from the gateway (what a client of the demo does). */
async function readCatchUp(type, id) {
  const tokenRes = await fetch(`http://127.0.0.1:${ports.gateway}/dev/token`);
  const headers = tokenRes.ok ? { authorization: `Bearer ${(await tokenRes.json()).token}` } : {};
  const res = await fetch(`http://127.0.0.1:${ports.consumer}/sources/${type}/${id}/events?limit=1000`, { headers });
  return res.json();
}

function build() {
  say('building (tsc -> dist/)');
  const tsc = spawnSync(NODE, [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  // tsc still emits when it reports type errors; the demo runs whatever was emitted and says so.
  if (tsc.status !== 0) {
    say(
      `tsc reported errors (running the emitted output anyway):\n${(tsc.stdout + tsc.stderr).split('\n').slice(0, 10).join('\n')}`,
    );
  }
  const alias = spawnSync(
    NODE,
    [path.join(REPO_ROOT, 'node_modules/tsc-alias/dist/bin/index.js'), '-p', 'tsconfig.build.json'],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
  if (alias.status !== 0) throw new Error(`tsc-alias failed:\n${alias.stdout}${alias.stderr}`);
  // The dashboard runs on the SDK's browser build, which the gateway serves at /client.js.
  const client = spawnSync(NODE, [path.join(REPO_ROOT, 'libs/client/scripts/build.mjs')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (client.status !== 0) throw new Error(`the client build failed:\n${client.stdout}${client.stderr}`);
}

function start(name, env) {
  const child = spawn(NODE, [path.resolve(REPO_ROOT, args.dist, 'apps', name, 'src', 'main.js')], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const colour = { ingester: 36, gateway: 35, consumer: 33 }[name];
  const prefix = `\x1b[${colour}m[${name}]\x1b[0m `;
  const quiet = args.quiet;
  const relay = (stream, out) => {
    let rest = '';
    stream.on('data', (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop();
      for (const line of lines) {
        if (line && (!quiet || /WARN|ERROR|"level":"(warn|error|fatal)"/.test(line))) out.write(prefix + line + '\n');
      }
    });
  };
  relay(child.stdout, process.stdout);
  relay(child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      say(`${name} exited unexpectedly (${signal ?? `code ${code}`}); stopping the demo`);
      void shutdown('a service died', 1);
    }
  });
  children.push({ name, child });
}

async function waitReady(name, port) {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(3000) });
      if (res.ok) return say(`${name} ready on http://127.0.0.1:${port}`);
    } catch {
      // still starting
    }
    await sleep(500);
  }
  throw new Error(`${name} was not ready on port ${port} within 90 s (see its log above)`);
}

async function shutdown(reason, code = 0) {
  if (stopping) return stopping;
  stopping = (async () => {
    say(`stopping (${reason})`);
    const accepted = load?.stats.accepted ?? 0;
    await load?.stop();
    await Promise.all(
      children.map(
        ({ child }) =>
          new Promise((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
            child.once('exit', () => (clearTimeout(kill), resolve()));
            child.kill('SIGTERM');
          }),
      ),
    );
    if (infra && process.env.DUAL_STREAM_KEEP_INFRA !== '1') {
      for (const [what, handle] of Object.entries(infra.started)) {
        say(`stopping the ${what} it started`);
        await handle.stop();
      }
    }
    if (load) say(`done: ${JSON.stringify(load.stats)}`);
    process.exit(code || (args.duration && accepted === 0 ? 1 : 0));
  })();
  return stopping;
}

process.on('SIGINT', () => void shutdown('Ctrl-C'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
main().catch(async (err) => {
  console.error(`[demo] ${err.message}`);
  await shutdown('error', 1);
});
