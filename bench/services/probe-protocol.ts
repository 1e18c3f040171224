/** Messages between the benchmark and the probe preloaded into each app process (over the IPC channel). */
export type ProbeRequest = { probe: 'reset' | 'read'; id: number };

/** What the app process measured since the last `reset`. */
export interface ProbeReading {
  probe: 'reading';
  id: number;
  /** User + system CPU time of the process since the reset, in microseconds. */
  cpuUs: number;
  /** Event-loop delay percentiles since the reset, in ms, with the sampling resolution already subtracted. */
  loopLagP50Ms: number;
  loopLagP99Ms: number;
  loopLagMaxMs: number;
  loopSamples: number;
}
