import { median, round, type BenchRow } from './bench-report.js';
import type { RoundValues } from './interleaved-rounds.js';

/** The module's Kafka drivers (`kafka.driver`) a bench can run. */
export const BENCH_DRIVERS = ['kafkajs', 'platformatic'] as const;
export type BenchDriver = (typeof BENCH_DRIVERS)[number];

/**
 * The drivers of this run, from `--driver kafkajs|platformatic|both` (or `--driver=…`); both by default, side by
 * side in one run so their rows share the machine's conditions.
 */
export function benchDrivers(argv: readonly string[] = process.argv): BenchDriver[] {
  const at = argv.findIndex((arg) => arg === '--driver' || arg.startsWith('--driver='));
  const value = at < 0 ? 'both' : argv[at].includes('=') ? argv[at].split('=')[1] : argv[at + 1];
  if (value === 'both') return [...BENCH_DRIVERS];
  if ((BENCH_DRIVERS as readonly string[]).includes(value)) return [value as BenchDriver];
  throw new Error(`--driver must be kafkajs, platformatic or both; got ${JSON.stringify(value)}`);
}

/** A row id on `driver`: the kafkajs rows keep their ids, the others get the driver's name as suffix. */
export const rowId = (id: string, driver: BenchDriver): string => (driver === 'kafkajs' ? id : `${id}-${driver}`);

/**
 * `field` of row `a` over row `b`, as the median of the per-round ratios (rows measured in the same interleaved
 * rounds; pairs each round with the same round): NaN when either row is missing.
 */
export function roundRatio(
  rows: readonly BenchRow[],
  a: string,
  b: string,
  field: keyof RoundValues = 'eventsPerSec',
): number {
  const ra = rows.find((r) => r.id === a)?.rounds as RoundValues[] | undefined;
  const rb = rows.find((r) => r.id === b)?.rounds as RoundValues[] | undefined;
  if (!ra || !rb) return Number.NaN;
  const ratios = ra
    .map((values, i) => (values[field] ?? Number.NaN) / (rb[i]?.[field] ?? Number.NaN))
    .filter((x) => Number.isFinite(x));
  return ratios.length === 0 ? Number.NaN : round(median(ratios), 2);
}

/** Ratio targets of a bench, each checked against its minimum (or maximum). */
export function checkTargets(
  targets: { ratio: string; value: number; min?: number; max?: number }[],
): { ratio: string; value: number; min?: number; max?: number; met: boolean }[] {
  return targets.map((t) => ({
    ...t,
    met:
      Number.isFinite(t.value) &&
      (t.min === undefined || t.value >= t.min) &&
      (t.max === undefined || t.value <= t.max),
  }));
}
