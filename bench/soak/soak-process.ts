import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import path from 'node:path';

/** The repository's Node 24 (the apps need `node:sqlite`), whatever node started the soak. */
const NODE = existsSync(path.resolve('node_modules/.bin/node'))
  ? path.resolve('node_modules/.bin/node')
  : process.execPath;

export type SoakRole = 'ingester' | 'gateway-a' | 'gateway-b' | 'consumer';

/** One demo app of the soak on a fixed port, so a restarted instance is found where the old one was. */
export class SoakProcess {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  /** Starts so far (1 = never restarted). */
  incarnation = 0;
  /** Unexpected exits (not killed by the soak): each one is a finding. */
  readonly crashes: string[] = [];
  private killing = false;
  private ready = false;
  /** Starts that failed and were tried again (e.g. the port held for a moment by another process). */
  startRetries = 0;

  constructor(
    readonly role: SoakRole,
    private readonly main: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly logDir: string,
    private readonly readyRoute: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  /**
   * Spawns the app and resolves once it answers its readiness route. A start that fails (the port is in the
   * ephemeral range, so an outgoing connection of any process may hold it for a moment) is tried again.
   */
  async start(timeoutMs = 120_000, attempts = 5): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.spawnOnce(timeoutMs);
        return;
      } catch (err) {
        if (attempt >= attempts) throw err;
        this.startRetries++;
        await new Promise((r) => setTimeout(r, 2_000));
      }
    }
  }

  private async spawnOnce(timeoutMs: number): Promise<void> {
    this.incarnation++;
    this.ready = false;
    const log = createWriteStream(path.join(this.logDir, `${this.role}-${this.incarnation}.log`));
    const child = spawn(NODE, [this.main], {
      env: { ...process.env, NODE_OPTIONS: '', HOST: '127.0.0.1', PORT: String(this.port), ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    this.child = child;
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        if (this.ready && !this.killing) {
          this.crashes.push(`${this.role}#${this.incarnation} exited (${signal ?? `code ${code}`})`);
        }
        resolve();
      }),
    );
    try {
      await this.waitReady(timeoutMs);
      this.ready = true;
    } catch (err) {
      await this.kill();
      throw err;
    }
  }

  /** SIGKILL: a crash, not a shutdown. */
  async kill(): Promise<void> {
    if (!this.child || this.pid === undefined) return;
    this.killing = true;
    this.child.kill('SIGKILL');
    await this.exited;
    this.killing = false;
  }

  /** SIGTERM (graceful) at the end of the run, SIGKILL after `graceMs`. */
  async stop(graceMs = 25_000): Promise<void> {
    if (!this.child || this.pid === undefined) return;
    this.killing = true;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.pid === undefined) throw new Error(`${this.role} exited during startup (see its log)`);
      try {
        const res = await fetch(`${this.url}${this.readyRoute}`, { signal: AbortSignal.timeout(2_000) });
        await res.arrayBuffer();
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${this.role} did not answer ${this.readyRoute} in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
