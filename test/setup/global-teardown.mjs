// Stops only what global-setup started; a broker or Redis that was already running is left alone.
export default async function globalTeardown() {
  const infra = globalThis.__dualStreamInfra;
  if (!infra) return;
  if (process.env.DUAL_STREAM_KEEP_INFRA === '1') return;
  for (const handle of [infra.started?.kafka, infra.started?.redis]) {
    if (handle) await handle.stop();
  }
  for (const container of infra.containers ?? []) await container.stop();
}
