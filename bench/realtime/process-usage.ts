/** User + system CPU time of this process so far, in microseconds. */
export function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** Resident set and heap after two full collections (children run with --expose-gc), for footprint deltas. */
export function memoryAfterGc(): { rss: number; heapUsed: number } {
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}
