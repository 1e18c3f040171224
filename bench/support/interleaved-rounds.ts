import { median, round, type BenchRow } from './bench-report.js';

/** The per-round values every interleaved row keeps (`rounds`), so anyone can recompute medians and spreads. */
export interface RoundValues {
  eventsPerSec: number;
  cpuUsPerEvent?: number;
  p99Ms?: number;
}

/** CPU of this process (user + system, µs) spent per event between two `process.cpuUsage()` readings. */
export function cpuUsPerEvent(before: NodeJS.CpuUsage, events: number): number {
  const used = process.cpuUsage(before);
  return round((used.user + used.system) / Math.max(1, events), 1);
}

/**
 * Runs every row once per round, rows interleaved (a b c … a b c …, `rounds` times), so a stall of the shared
 * machine moves one round of every row alike instead of one row, and folds each row's rounds: numeric fields
 * are medians, `eventsPerSecMin` / `eventsPerSecMax` give the spread and `rounds` the per-round values.
 */
export async function runInterleaved(
  rows: readonly [string, () => Promise<BenchRow>][],
  rounds: number,
  log: (line: string) => void = (line) => console.error(line),
): Promise<BenchRow[]> {
  const measured: BenchRow[][] = [];
  for (let r = 1; r <= rounds; r++) {
    const results: BenchRow[] = [];
    for (const [, run] of rows) {
      const row = await run();
      log(
        `round ${r}/${rounds} row ${row.id}: ${row.eventsPerSec} events/s, ${row.cpuUsPerEvent ?? '?'} µs CPU/event` +
          (row.p99Ms === undefined ? '' : `, p99 ${row.p99Ms} ms`),
      );
      results.push(row);
    }
    measured.push(results);
  }
  return foldRounds(measured);
}

/** One row per id from rows measured in several rounds (see `runInterleaved`). */
export function foldRounds(measured: BenchRow[][]): BenchRow[] {
  const ids = [...new Set(measured.flat().map((row) => row.id))];
  return ids.map((id) => {
    const runs = measured.flatMap((rows) => rows.filter((row) => row.id === id));
    const folded: BenchRow = { ...runs[0] };
    for (const [field, value] of Object.entries(runs[0])) {
      if (typeof value === 'number') folded[field] = median(runs.map((row) => row[field] as number));
    }
    const rates = runs.map((row) => row.eventsPerSec);
    folded.eventsPerSecMin = Math.min(...rates);
    folded.eventsPerSecMax = Math.max(...rates);
    folded.rounds = runs.map((row): RoundValues => ({
      eventsPerSec: row.eventsPerSec,
      ...(typeof row.cpuUsPerEvent === 'number' && { cpuUsPerEvent: row.cpuUsPerEvent }),
      ...(typeof row.p99Ms === 'number' && { p99Ms: row.p99Ms }),
    }));
    return folded;
  });
}
