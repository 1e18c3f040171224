import { readFileSync } from 'node:fs';

/** One process the sampler follows; `pid()` is asked every sample, so a restarted process is followed too. */
export interface Sampled {
  name: string;
  pid(): number | undefined;
}

export interface RssSummary {
  /** Largest RSS seen, MB. */
  maxMb: number;
  /** Largest RSS in the first and in the last third of the load window (same incarnation or not), MB. */
  firstThirdMaxMb: number;
  lastThirdMaxMb: number;
  samples: number;
}

function rssMb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined; // gone between the pid lookup and the read (killed by the chaos loop)
  }
}

/** Resident set size of every soak process, sampled every `everyMs` (from /proc, Linux). */
export class RssSampler {
  private readonly series = new Map<string, { at: number; mb: number }[]>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly processes: Sampled[],
    private readonly everyMs = 2_000,
  ) {
    for (const p of processes) this.series.set(p.name, []);
  }

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  private sample(): void {
    const at = Date.now();
    for (const p of this.processes) {
      const pid = p.pid();
      const mb = pid === undefined ? undefined : rssMb(pid);
      if (mb !== undefined) this.series.get(p.name)!.push({ at, mb });
    }
  }

  /** Per process: the maximum, and the maxima of the first and last third of [from, to]. */
  summary(from: number, to: number): Record<string, RssSummary> {
    const third = (to - from) / 3;
    const max = (values: number[]) => (values.length ? Math.round(Math.max(...values)) : 0);
    const result: Record<string, RssSummary> = {};
    for (const [name, samples] of this.series) {
      result[name] = {
        maxMb: max(samples.map((s) => s.mb)),
        firstThirdMaxMb: max(samples.filter((s) => s.at >= from && s.at < from + third).map((s) => s.mb)),
        lastThirdMaxMb: max(samples.filter((s) => s.at >= to - third && s.at <= to).map((s) => s.mb)),
        samples: samples.length,
      };
    }
    return result;
  }
}
