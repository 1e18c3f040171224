// Preloaded into every app the services benchmark starts (`node --import .../app-probe.preload.js main.js`), the
// baseline build's apps and the current ones alike, so both are measured by the same code: CPU time of the
// process and its event-loop delay, between a `reset` and a `read` sent over the IPC channel.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ProbeReading, ProbeRequest } from './probe-protocol.js';

/** A timer fires every RESOLUTION_MS; what a sample holds beyond that is how late the loop was. */
const RESOLUTION_MS = 5;

if (typeof process.send === 'function') {
  const loop = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  loop.enable();
  let cpuFrom = process.cpuUsage();
  const lagMs = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
  process.on('message', (message: ProbeRequest) => {
    if (message?.probe === 'reset') {
      loop.reset();
      cpuFrom = process.cpuUsage();
      process.send!({ probe: 'reading', id: message.id });
    } else if (message?.probe === 'read') {
      const cpu = process.cpuUsage(cpuFrom);
      const reading: ProbeReading = {
        probe: 'reading',
        id: message.id,
        cpuUs: cpu.user + cpu.system,
        loopLagP50Ms: lagMs(loop.percentile(50)),
        loopLagP99Ms: lagMs(loop.percentile(99)),
        loopLagMaxMs: lagMs(loop.max),
        loopSamples: loop.count,
      };
      process.send!(reading);
    }
  });
  // The channel must not keep an app alive that is shutting down by itself.
  (process.channel as { unref?: () => void } | undefined)?.unref?.();
}
