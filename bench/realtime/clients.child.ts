// Child process: a share of the benchmark's measured clients (socket.io, or SSE streams with `sse` as the last
// argument). Clients spread over processes, like real browsers, so one client process' serial decoding does
// not add to what the gateway is measured for.
import { reply, type ParentMessage } from './child-protocol.js';
import { watchLoopDelay } from './diagnostics.js';
import { connectClients, type Collector } from './socket-clients.js';
import { connectSseClients } from './sse-clients.js';

const [url, type, channels, token, first, count, transport] = process.argv.slice(2);
void watchLoopDelay(`clients-${first}`);
const collector: Collector = { latencies: [], ids: [], times: [], measureFrom: Infinity, measureTo: Infinity };
const sockets: { close(): void }[] = await (transport === 'sse' ? connectSseClients : connectClients)(url, {
  first: Number(first),
  count: Number(count),
  channels: Number(channels),
  type,
  authToken: token === '-' ? undefined : token,
  collector,
});

process.on('message', (message: ParentMessage) => {
  if (message.type === 'window') {
    Object.assign(collector, { latencies: [], ids: [], times: [], measureFrom: message.from, measureTo: message.to });
    reply({ type: 'ready' }); // the benchmark waits for this before it starts publishing
  }
  if (message.type === 'count') reply({ type: 'count', received: collector.latencies.length });
  if (message.type === 'dump') {
    reply({ type: 'deliveries', ids: collector.ids, times: collector.times, latencies: collector.latencies });
  }
  if (message.type === 'stop') {
    for (const socket of sockets) socket.close();
    process.exit(0);
  }
});
// Never outlive the benchmark (it may exit on an error without stopping us).
process.on('disconnect', () => process.exit(0));
reply({ type: 'ready' });
