import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT, sleep } from '../../support/local-infra/proc.mjs';

/** The project's Node 24 (the `node` devDependency), whatever `node` the shell has. */
export const NODE = path.join(REPO_ROOT, 'node_modules', '.bin', 'node');

export interface NodeProcess {
  child: ChildProcess;
  /** Everything written so far, stdout and stderr. */
  output(): string;
  /** Complete stdout lines so far. */
  lines(): string[];
  /** Resolves with the first stdout line matching `pattern`; fails with the output when the process exits first. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM (SIGKILL after 30 s); resolves with the exit code or signal. */
  stop(): Promise<number | string | null>;
}

/** Runs `script` with the project's Node in `cwd`, with `env` over the test's environment. */
export function startNodeProcess(script: string, cwd: string, env: Record<string, string>): NodeProcess {
  let stdout = '';
  let all = '';
  const child = spawn(NODE, [script], {
    cwd,
    // The test runner's NODE_OPTIONS (vm modules for jest) are not the app's.
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => ((stdout += d), (all += d)));
  child.stderr!.on('data', (d: Buffer) => (all += d));
  let exited = false;
  const exit = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => ((exited = true), resolve(code ?? signal))),
  );
  const lines = () => stdout.split('\n').slice(0, -1);
  return {
    child,
    output: () => all,
    lines,
    async waitForLine(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = lines()
          .map((line) => line.match(pattern))
          .find((m) => m !== null);
        if (match) return match;
        if (exited || Date.now() > deadline) {
          const why = exited ? `exited (${child.exitCode ?? child.signalCode})` : `nothing within ${timeoutMs} ms`;
          throw new Error(`${path.basename(script)}: no line matching ${pattern}, ${why}:\n${all.slice(-4000)}`);
        }
        await sleep(50);
      }
    },
    async stop() {
      if (!exited) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      try {
        return await exit;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
