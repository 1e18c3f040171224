// Child process: the anchor. `gateway` role: a socket.io server with @socket.io/redis-adapter on PORT whose
// clients join rooms; `emitter` role: another instance (no clients) that emits `server.to(room).emit(...)`.
import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { channelFor, defaultTopic } from '@dual-stream/nestjs';
import { infraFromEnv } from '../../libs/infra-env/src/infra-env.mjs';
import { runAtRate, windowCounter } from './bench-clock.js';
import { benchSource } from './bench-fixtures.js';
import { reply, type ParentMessage } from './child-protocol.js';
import { watchLoopDelay } from './diagnostics.js';
import { cpuMicros, memoryAfterGc } from './process-usage.js';
void watchLoopDelay('adapter-server');

const [role, port, type, channels] = process.argv.slice(2);
const url = infraFromEnv().redisUrl;
const pub = new Redis(url);
const sub = new Redis(url);
const io = new Server({ adapter: createAdapter(pub, sub) });
const events = io.of('/events');

if (role === 'gateway') {
  events.on('connection', (socket) => {
    socket.on('subscribe', (request: { channel: string }, ack?: (a: unknown) => void) => {
      void socket.join(request.channel);
      ack?.({ ok: true, channel: request.channel, recovered: true, replayed: 0 });
    });
  });
  const http = createServer();
  io.attach(http);
  await new Promise<void>((resolve) => http.listen(Number(port), '127.0.0.1', resolve));
}

process.on('message', (message: ParentMessage) => void onMessage(message));

async function onMessage(message: ParentMessage): Promise<void> {
  if (message.type === 'rss') reply({ type: 'rss', ...memoryAfterGc() });
  if (message.type === 'cpu') reply({ type: 'cpu', micros: cpuMicros() });
  if (message.type === 'run') {
    const count = Number(channels);
    const window = windowCounter(message.windowFrom, message.windowTo);
    const sent = await runAtRate(message.rate, message.durationMs, (seq) => {
      const source = benchSource(type, seq % count);
      const channel = channelFor('', source);
      // Same shape and size as our notification, so both sides serialize the same bytes.
      const event = {
        kind: 'event',
        id: `a${seq}`,
        type: 'bench.tick',
        source,
        time: new Date().toISOString(),
        topic: defaultTopic({ source }),
        partition: 0,
        offset: String(seq),
        data: { t0: window.stamp(), seq },
      };
      events.to(channel).emit('event', { channel, event });
    });
    reply({ type: 'done', sent, inWindow: window.count() });
  }
  if (message.type === 'stop') {
    void io.close();
    pub.disconnect();
    sub.disconnect();
    process.exit(0);
  }
}
// Let the adapter's PSUBSCRIBE settle before the parent starts.
setTimeout(() => reply({ type: 'ready' }), 300);
