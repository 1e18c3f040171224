import { readFileSync } from 'node:fs';

/** CPU time the hypervisor gave to other guests while this machine had work ("steal"), over a window. */
interface StealReading {
  /** Stolen share of all CPU time in the window, in percent. */
  stealPct: number;
  /** The most CPU time stolen in any 100 ms of the window, in ms (summed over CPUs). */
  stealMaxMsPer100ms: number;
}

const TICK_MS = 10; // USER_HZ is 100 on every Linux the benchmarks run on

function readSteal(): { steal: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    return { steal: fields[7] ?? 0, total: fields.slice(0, 8).reduce((a, b) => a + b, 0) };
  } catch {
    return undefined; // not Linux: no reading
  }
}

/**
 * Samples /proc/stat every 100 ms until `stop()`. On a shared VM a stall of tens of milliseconds in every
 * process at once is usually the host taking the CPUs away; recording it next to the latencies tells a
 * regression from a noisy neighbour.
 */
export function startStealMeter(): { stop(): StealReading | undefined } {
  const first = readSteal();
  let previous = first;
  let maxTicks = 0;
  const timer = setInterval(() => {
    const current = readSteal();
    if (current && previous) maxTicks = Math.max(maxTicks, current.steal - previous.steal);
    previous = current;
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      const last = readSteal();
      if (!first || !last || last.total === first.total) return undefined;
      return {
        stealPct: Number(((100 * (last.steal - first.steal)) / (last.total - first.total)).toFixed(2)),
        stealMaxMsPer100ms: maxTicks * TICK_MS,
      };
    },
  };
}
