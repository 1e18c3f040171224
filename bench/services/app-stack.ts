import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort } from '../../test/support/local-infra/proc.mjs';
import type { ProbeReading } from './probe-protocol.js';

export type AppName = 'ingester' | 'gateway' | 'consumer';
/** A process the benchmark measures: one of the apps, or the bare HTTP server of the `http-floor` anchor row. */
export type ProcessName = AppName | 'http-floor';

/** One app process of a stack, with the preloaded probe on its IPC channel. */
export class AppProcess {
  private nextId = 1;
  private readonly waiting = new Map<number, (reading: ProbeReading) => void>();
  private readonly exit: Promise<void>;
  exited = false;

  constructor(
    readonly name: ProcessName,
    readonly url: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (reading: ProbeReading) => {
      this.waiting.get(reading.id)?.(reading);
      this.waiting.delete(reading.id);
    });
    this.exit = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.exit.then(() => (this.exited = true));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Starts a measurement window: CPU time and event-loop delay count from now. */
  async reset(): Promise<void> {
    await this.ask('reset');
  }

  /** What the process measured since the last `reset`. */
  read(): Promise<ProbeReading> {
    return this.ask('read');
  }

  private ask(probe: 'reset' | 'read'): Promise<ProbeReading> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} probe did not answer ${probe}`)), 30_000);
      this.waiting.set(id, (reading) => {
        clearTimeout(timer);
        resolve(reading);
      });
      this.child.send({ probe, id });
    });
  }

  /** SIGTERM (graceful), SIGKILL after `graceMs`. */
  async stop(graceMs = 25_000): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exit;
    clearTimeout(timer);
  }
}

export interface StackOptions {
  /** Directory holding the compiled apps (`apps/{name}/src/main.js`). */
  distDir: string;
  /** Working directory of the processes (the tree the build came from). */
  cwd: string;
  /** The compiled probe preload (always the current build's, so both variants are measured the same way). */
  preload: string;
  env: Record<string, string>;
  logDir: string;
  logTag: string;
}

/** Spawns `script` with the probe preloaded, on a free port, its output in `logDir`. */
async function spawnProbed(
  name: ProcessName,
  script: string,
  options: Omit<StackOptions, 'distDir'>,
): Promise<AppProcess> {
  mkdirSync(options.logDir, { recursive: true });
  const port = await freePort();
  const log = createWriteStream(path.join(options.logDir, `${options.logTag}-${name}.log`));
  const child = spawn(
    process.execPath,
    [
      // BENCH_CPU_PROF=consumer (or ingester, gateway, http-floor, all): a V8 CPU profile of that process per run,
      // for finding where its CPU per event goes (open the .cpuprofile in Chrome DevTools or speedscope).
      ...(cpuProfiled(name) ? ['--cpu-prof', `--cpu-prof-dir=${path.join(options.logDir, 'profiles')}`] : []),
      '--import',
      pathToFileURL(options.preload).href,
      script,
    ],
    {
      cwd: options.cwd,
      env: { ...process.env, NODE_OPTIONS: '', HOST: '127.0.0.1', PORT: String(port), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  return new AppProcess(name, `http://127.0.0.1:${port}`, child);
}

/** The three demo apps as their own processes on free ports; resolves once each answers its readiness probe. */
export async function startStack(options: StackOptions): Promise<Record<AppName, AppProcess>> {
  const start = (name: AppName) =>
    spawnProbed(name, path.join(options.distDir, 'apps', name, 'src', 'main.js'), options);
  // The consumer first: its groups join while the others start.
  const consumer = await start('consumer');
  const gateway = await start('gateway');
  const ingester = await start('ingester');
  const apps = { ingester, gateway, consumer };
  try {
    await Promise.all([
      waitFor(ingester, '/health/ready'),
      waitFor(consumer, '/health/ready'),
      waitFor(gateway, '/health/live'),
    ]);
  } catch (err) {
    await Promise.all(Object.values(apps).map((app) => app.stop(2_000)));
    throw err;
  }
  return apps;
}

/** The `http-floor` anchor: Node's HTTP server answering the ingester's request with nothing behind it. */
export async function startHttpFloor(options: Omit<StackOptions, 'distDir'>): Promise<AppProcess> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'http-floor.server.js');
  const floor = await spawnProbed('http-floor', script, options);
  try {
    await waitFor(floor, '/health/ready');
  } catch (err) {
    await floor.stop(2_000);
    throw err;
  }
  return floor;
}

function cpuProfiled(name: ProcessName): boolean {
  const wanted = (process.env.BENCH_CPU_PROF ?? '').split(',');
  return wanted.includes(name) || wanted.includes('all');
}

async function waitFor(app: AppProcess, route: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (app.exited) throw new Error(`${app.name} exited during startup (see its log)`);
    try {
      if ((await fetch(`${app.url}${route}`, { signal: AbortSignal.timeout(2_000) })).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${app.name} did not answer ${route} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
