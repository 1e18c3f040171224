/** What the refresh loop needs of an ioredis `Cluster`. */
export interface RefreshableCluster {
  readonly status: string;
  refreshSlotsCache(callback?: (err?: Error | null) => void): void;
  once(event: 'end', listener: () => void): unknown;
}

/**
 * Re-reads the slot map every `intervalMs` while the cluster is `ready`, and stops for good once it ends.
 *
 * It replaces ioredis' own `slotsRefreshInterval` loop, which schedules its next round from the callback of the
 * refresh in flight: when the cluster is disconnected during that refresh (a shutdown while a dead master makes
 * refreshes slow), the callback schedules a new 1 s timer after the disconnect had cleared the old one, and it
 * keeps rescheduling itself forever, so the process never exits. This loop checks the status before each
 * round, stops on `end`, and its timer is unref'd: refreshing a slot map is no reason to keep a process alive.
 * Returns the function that stops it.
 */
export function refreshSlotsPeriodically(cluster: RefreshableCluster, intervalMs: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    timer = undefined;
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(round, intervalMs);
    timer.unref();
  };
  const round = () => {
    timer = undefined;
    if (stopped) return;
    if (cluster.status === 'end') return stop();
    if (cluster.status !== 'ready') return schedule();
    cluster.refreshSlotsCache(() => schedule());
  };
  cluster.once('end', stop);
  if (intervalMs > 0) schedule();
  return stop;
}
