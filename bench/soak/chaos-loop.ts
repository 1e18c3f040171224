/** Something the chaos loop can crash and bring back. */
export interface ChaosTarget {
  name: string;
  kill(): Promise<void>;
  /** Starts it again and resolves once it is ready. */
  restart(): Promise<void>;
}

export interface ChaosEvent {
  /** Seconds since the load started. */
  atS: number;
  target: string;
  /** How long it stayed down before the restart began, ms. */
  downMs: number;
  /** From the restart until it answered ready again, ms. */
  recoveryMs: number;
  error?: string;
}

export interface ChaosSettings {
  minGapS: number;
  maxGapS: number;
  /** Down time before the restart, drawn from [0, maxDownS] seconds. */
  maxDownS: number;
}

const uniform = (min: number, max: number) => min + Math.random() * (max - min);

/**
 * Every [minGapS, maxGapS] seconds, SIGKILLs one target drawn at random and restarts it after a random down
 * time, until `signal` aborts. One fault at a time: the next wait starts once the target is back.
 */
export async function runChaos(
  targets: ChaosTarget[],
  settings: ChaosSettings,
  signal: AbortSignal,
  startedAt: number,
  log: (line: string) => void,
): Promise<ChaosEvent[]> {
  const events: ChaosEvent[] = [];
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  for (;;) {
    await sleep(uniform(settings.minGapS, settings.maxGapS) * 1000);
    if (signal.aborted) return events;
    const target = targets[Math.floor(Math.random() * targets.length)];
    const atS = Math.round((Date.now() - startedAt) / 100) / 10;
    const downMs = Math.round(uniform(0, settings.maxDownS) * 1000);
    log(`chaos t=${atS}s: SIGKILL ${target.name}, restart in ${downMs} ms`);
    const event: ChaosEvent = { atS, target: target.name, downMs, recoveryMs: 0 };
    try {
      await target.kill();
      // The down time is served even when the load ends meanwhile: the target must come back for the audit.
      await new Promise((r) => setTimeout(r, downMs));
      const restarting = Date.now();
      await target.restart();
      event.recoveryMs = Date.now() - restarting;
      log(`chaos: ${target.name} ready again after ${event.recoveryMs} ms`);
    } catch (err) {
      event.error = (err as Error).message;
      log(`chaos: ${target.name} failed to come back: ${event.error}`);
    }
    events.push(event);
  }
}
