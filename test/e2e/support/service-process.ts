import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { kafkaBrokers, redisUrl } from '../../support/infra.js';
import { freePort, REPO_ROOT, sleep, withLock } from '../../support/local-infra/proc.mjs';

export type ServiceName = 'ingester' | 'consumer' | 'gateway';

export interface ServiceProcess {
  name: ServiceName;
  port: number;
  url: string;
  child: ChildProcess;
  /** Everything the process wrote so far (stdout + stderr). */
  output(): string;
  /** SIGTERM (graceful), resolves with the exit code or signal once it is gone. */
  stop(signal?: NodeJS.Signals): Promise<number | string | null>;
  exited: boolean;
}

const NODE = path.join(REPO_ROOT, 'node_modules', '.bin', 'node');
/**
 * The e2e tests run their own build, not `dist/`: other runs (`npm run build`, benchmarks) rewrite `dist/`
 * in two steps (tsc, then tsc-alias) and an app started between them cannot resolve `@dual-stream/nestjs`
 * or `@app/service-kit`.
 */
export const E2E_DIST = path.join(REPO_ROOT, '.infra', 'e2e-dist');
const mainOf = (name: ServiceName) => path.join(E2E_DIST, 'apps', name, 'src', 'main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
      newest = Math.max(newest, statSync(full).mtimeMs);
    }
  }
  return newest;
}

/**
 * Builds E2E_DIST when any app or library source is newer than the apps' compiled entry points. tsc still
 * emits when some unrelated file has a type error, so the apps under test run on their current sources.
 */
export async function ensureBuilt(): Promise<void> {
  await withLock(path.join(REPO_ROOT, '.infra', 'build.lock'), async () => {
    const sources = Math.max(newestMtime(path.join(REPO_ROOT, 'apps')), newestMtime(path.join(REPO_ROOT, 'libs')));
    const mains = (['ingester', 'consumer', 'gateway'] as const).map(mainOf);
    if (mains.every((m) => existsSync(m) && statSync(m).mtimeMs >= sources)) return;
    const run = (args: string[]) => spawnSync(NODE, args, { cwd: REPO_ROOT, encoding: 'utf8' });
    run([
      path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      'tsconfig.build.json',
      '--outDir',
      E2E_DIST,
    ]);
    const alias = run([
      path.join(REPO_ROOT, 'node_modules', 'tsc-alias', 'dist', 'bin', 'index.js'),
      '-p',
      'tsconfig.build.json',
      '--outDir',
      E2E_DIST,
    ]);
    if (alias.status !== 0) throw new Error(`tsc-alias failed:\n${alias.stdout}\n${alias.stderr}`);
    for (const m of mains) if (!existsSync(m)) throw new Error(`build produced no ${m}`);
  });
}

/**
 * One service process on `port` with the test environment (the shared Kafka and Redis unless `env` names others),
 * its stdout and stderr going to `onOutput`.
 */
function spawnService(
  name: ServiceName,
  env: Record<string, string>,
  port: number,
  onOutput: (chunk: string) => void,
): ChildProcess {
  const child = spawn(NODE, [mainOf(name)], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      LOG_FORMAT: 'json',
      HOST: '127.0.0.1',
      PORT: String(port),
      KAFKA_BROKERS: kafkaBrokers().join(','),
      REDIS_URL: redisUrl(),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => onOutput(String(d)));
  child.stderr!.on('data', (d) => onOutput(String(d)));
  return child;
}

/** Starts one service as its own process on a free port and waits until `/health/live` answers. */
export async function startService(
  name: ServiceName,
  env: Record<string, string> = {},
  port?: number,
): Promise<ServiceProcess> {
  port ??= await freePort();
  let out = '';
  const child = spawnService(name, env, port, (d) => (out += d));
  const exit = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  const service: ServiceProcess = {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    exited: false,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (!service.exited) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      try {
        return await exit;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  void exit.then(() => (service.exited = true));

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (service.exited) throw new Error(`${name} exited during startup:\n${out.slice(-4000)}`);
    try {
      const res = await fetch(`${service.url}/health/live`);
      if (res.ok) return service;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await service.stop('SIGKILL');
      throw new Error(`${name} did not answer /health/live within 60 s:\n${out.slice(-4000)}`);
    }
    await sleep(200);
  }
}

/** JSON helper for the services' HTTP APIs. */
export async function http(
  url: string,
  init: { method?: string; body?: unknown; raw?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const headers: Record<string, string> = {
    ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...init.headers,
  };
  const res = await fetch(url, {
    method: init.method ?? (init.body !== undefined || init.raw !== undefined ? 'POST' : 'GET'),
    headers,
    body: (init.raw ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined)) as BodyInit | undefined,
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body, text };
}

/**
 * Runs one service that is expected to refuse to start: resolves with its exit code and everything it wrote.
 * A service still running after `timeoutMs` is killed and reported with code `'still running'`.
 */
export async function runUntilExit(
  name: ServiceName,
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<{ code: number | string | null; output: string }> {
  let output = '';
  const child = spawnService(name, env, await freePort(), (d) => (output += d));
  const code = await new Promise<number | string | null>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('still running');
    }, timeoutMs);
    child.once('exit', (c, signal) => {
      clearTimeout(timer);
      resolve(c ?? signal);
    });
  });
  return { code, output };
}
