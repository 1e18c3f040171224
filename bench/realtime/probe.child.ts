// Child process: a plain Redis subscriber that stamps when each notification left Redis (ours: JSON on
// `{prefix}events:*`; the adapter: msgpack on `socket.io#/events#*`), the reference for Redis → client.
import { Redis } from 'ioredis';
import { decode } from 'notepack.io';
import { infraFromEnv } from '../../libs/infra-env/src/infra-env.mjs';
import { now } from './bench-clock.js';
import { reply, type ParentMessage } from './child-protocol.js';
import { watchLoopDelay } from './diagnostics.js';
void watchLoopDelay('probe');

const [mode, pattern] = process.argv.slice(2);
const redis = new Redis(infraFromEnv().redisUrl);
let ids: string[] = [];
let times: number[] = [];

redis.on('pmessageBuffer', (_pattern: Buffer, _channel: Buffer, payload: Buffer) => {
  const t = now();
  try {
    const id =
      mode === 'ours'
        ? (JSON.parse(payload.toString()) as { id: string }).id
        : (decode(payload) as [string, { data: [string, { event: { id: string } }] }])[1].data[1].event.id;
    ids.push(id);
    times.push(t);
  } catch {
    // not a message of ours (another tenant on the same Redis)
  }
});
await redis.psubscribe(pattern);

process.on('message', (message: ParentMessage) => {
  if (message.type === 'dump') {
    reply({ type: 'times', ids, times });
    ids = [];
    times = [];
  }
  if (message.type === 'stop') {
    redis.disconnect();
    process.exit(0);
  }
});
reply({ type: 'ready' });
