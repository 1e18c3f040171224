// Child process: notifications straight onto Redis, one PUBLISH per event as the adapter's emitter does, in
// the publisher's exact format and channels, no Kafka. Driving our gateway with it isolates the fan-out: the
// same input pattern as the adapter rows, so `ours-direct` vs `adapter` compares the hubs alone.
import { Redis } from 'ioredis';
import { channelFor, defaultTopic } from '@dual-stream/nestjs';
import { infraFromEnv } from '../../libs/infra-env/src/infra-env.mjs';
import { runAtRate, windowCounter } from './bench-clock.js';
import { benchSource } from './bench-fixtures.js';
import { reply, type ParentMessage } from './child-protocol.js';
import { watchLoopDelay } from './diagnostics.js';
import { cpuMicros } from './process-usage.js';
void watchLoopDelay('direct-publisher');

const [prefix, type, channels] = process.argv.slice(2);
const redis = new Redis(infraFromEnv().redisUrl);
const topic = defaultTopic({ source: benchSource(type, 0) });

process.on('message', (message: ParentMessage) => void onMessage(message));

async function onMessage(message: ParentMessage): Promise<void> {
  if (message.type === 'cpu') reply({ type: 'cpu', micros: cpuMicros() });
  if (message.type === 'run') {
    const count = Number(channels);
    const window = windowCounter(message.windowFrom, message.windowTo);
    const sent = await runAtRate(message.rate, message.durationMs, (seq) => {
      const source = benchSource(type, seq % count);
      // What the publisher announces after Kafka acknowledged (docs/protocol.md "Realtime notification"); offsets grow per channel.
      const notification =
        `{"kind":"event","id":"d${seq}","type":"bench.tick","source":{"type":"${source.type}","id":"${source.id}"},` +
        `"time":"${new Date().toISOString()}","topic":"${topic}","partition":${(seq % count) % 3},"offset":"${seq}",` +
        `"data":{"t0":${window.stamp()},"seq":${seq}}}`;
      void redis.publish(channelFor(prefix, source), notification);
    });
    reply({ type: 'done', sent, inWindow: window.count() });
  }
  if (message.type === 'stop') {
    redis.disconnect();
    process.exit(0);
  }
}
await redis.ping();
reply({ type: 'ready' });
