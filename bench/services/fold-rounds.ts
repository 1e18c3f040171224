import type { BenchRow } from '../support/bench-report.js';

/** Fields whose spread over the rounds is kept next to the median, as `[min, max]` in `{field}Range`. */
const RANGED = [
  'eventsPerSec',
  'cpuUsPerRequest',
  'cpuUsPerEvent',
  'p50Ms',
  'p99Ms',
  'ratio',
  'drainSeconds',
  'loopLagP99Ms',
  'loopLagMaxMs',
  'httpP99Ms',
  'metricsP99Ms',
  'lagSamplesPct',
  'loadAvg1',
];

/**
 * One row per (variant, id): every numeric field is the median over the rounds, the fields above also keep
 * their range, `lagSamplesPct` is the worst round (a scrape without a lag sample is what the target forbids),
 * and `drained` is true only if every round drained.
 */
export function foldRounds(rows: BenchRow[]): BenchRow[] {
  const keys = [...new Set(rows.map((row) => `${String(row.variant)}|${row.id}`))];
  return keys.map((key) => {
    const measured = rows.filter((row) => `${String(row.variant)}|${row.id}` === key);
    const folded: BenchRow = { ...measured[0], rounds: measured.length };
    for (const [field, value] of Object.entries(measured[0])) {
      if (typeof value === 'boolean') folded[field] = measured.every((row) => row[field] === true);
      if (typeof value !== 'number') continue;
      const values = measured.map((row) => row[field] as number).filter((v) => Number.isFinite(v));
      folded[field] = field === 'lagSamplesPct' ? Math.min(...values) : median(values);
      if (RANGED.includes(field)) folded[`${field}Range`] = [Math.min(...values), Math.max(...values)];
    }
    return folded;
  });
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : Number(((sorted[mid - 1] + sorted[mid]) / 2).toFixed(2));
}
