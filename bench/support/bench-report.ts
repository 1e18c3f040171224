import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { infraFromEnv } from '../../libs/infra-env/src/infra-env.mjs';

/** One benchmark row; `id` is stable so results can be compared across runs. */
export interface BenchRow {
  id: string;
  label: string;
  eventsPerSec: number;
  p50Ms?: number;
  p99Ms?: number;
  [extra: string]: unknown;
}

/** Nearest-rank percentile of unsorted samples (copied and sorted here). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

export function benchEnv(): Record<string, string | number> {
  const cpus = os.cpus();
  return {
    node: process.version,
    kafka: process.env.KAFKA_VERSION ?? 'unknown',
    kafkaBrokers: infraFromEnv().kafkaBrokers.join(','),
    cpu: `${cpus[0]?.model ?? 'unknown'} x${cpus.length}`,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    date: new Date().toISOString(),
  };
}

/** Prints rows as a table and writes `bench/results/{name}-latest.json` as `{ rows, env, ...extra }`. */
export function reportResults(name: string, rows: BenchRow[], extra: Record<string, unknown> = {}): string {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cells = rows.map((row) => columns.map((c) => formatCell(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i])).join('  ');
  console.log(`\n${name}`);
  console.log(line(columns));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of cells) console.log(line(r));
  const dir = path.resolve('bench/results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}-latest.json`);
  writeFileSync(file, `${JSON.stringify({ rows, env: benchEnv(), ...extra }, null, 2)}\n`);
  console.log(`\nwritten ${path.relative(process.cwd(), file)}`);
  return file;
}

function formatCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  // Per-round values (`rounds` of interleaved rows): their events/s, round by round.
  if (Array.isArray(value)) {
    return value
      .map((v) => formatCell(typeof v === 'object' && v !== null && 'eventsPerSec' in v ? v.eventsPerSec : v))
      .join('/');
  }
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(2);
  return String(value);
}

/**
 * Rows measured in several rounds, folded into one row per id: every numeric field is the median over the
 * rounds (a transient stall on a shared machine moves one round, not the result), `minFields` take the
 * minimum instead (e.g. a delivery percentage, where the worst round is what counts), and each of
 * `keepRuns` is also kept per round as `{field}Runs` so the spread stays visible.
 */
export function medianOfRounds(rounds: BenchRow[][], keepRuns: string[] = [], minFields: string[] = []): BenchRow[] {
  const ids = [...new Set(rounds.flat().map((row) => row.id))];
  return ids.map((id) => {
    const measured = rounds.flatMap((round) => round.filter((row) => row.id === id));
    const folded: BenchRow = { ...measured[0] };
    for (const [field, value] of Object.entries(measured[0])) {
      if (typeof value !== 'number') continue;
      const values = measured.map((row) => row[field] as number);
      folded[field] = minFields.includes(field) ? Math.min(...values) : median(values);
    }
    folded.rounds = measured.length;
    for (const field of keepRuns) folded[`${field}Runs`] = measured.map((row) => row[field]);
    return folded;
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : round((sorted[mid - 1] + sorted[mid]) / 2);
}
