/**
 * The `dual_stream_*` samples of a service's `/metrics`, summed over their labels (histogram buckets left out):
 * what the processes counted themselves (recoveries, gap markers, failed notifications), for the soak's report.
 * Counters restart with the process, so a restarted instance reports only its last incarnation.
 */
export async function scrapeMetrics(baseUrl: string): Promise<Record<string, number>> {
  const totals: Record<string, number> = {};
  try {
    const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
    for (const line of (await res.text()).split('\n')) {
      const match = /^(dual_stream_[a-z0-9_]+?)(?:\{[^}]*\})?\s+([-+0-9.eE]+|NaN)$/.exec(line);
      if (!match || match[1].endsWith('_bucket')) continue;
      const value = Number(match[2]);
      if (Number.isFinite(value)) totals[match[1]] = (totals[match[1]] ?? 0) + value;
    }
  } catch {
    // a process that does not answer has nothing to add; the audit is what counts
  }
  return totals;
}
