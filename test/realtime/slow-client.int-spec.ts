import { Redis } from 'ioredis';
import type { Socket as ClientSocket } from 'socket.io-client';
import { redisUrl } from '../support/infra.js';
import {
  collect,
  connectClient,
  eventually,
  floodChannel,
  startGateway,
  subscribe,
  token,
  uniqueName,
  type GatewayInstance,
} from './support/realtime-harness.js';

const MAX_QUEUED_BYTES = 512 * 1024;
const PAYLOAD = 'x'.repeat(8000);

describe('slow client policy', () => {
  const prefix = `${uniqueName('rt-slow')}:`;
  let gateway: GatewayInstance;
  let redis: Redis;
  const clients: ClientSocket[] = [];

  beforeAll(async () => {
    gateway = await startGateway({
      prefix,
      hub: { maxQueuedMessages: 200, maxQueuedBytes: MAX_QUEUED_BYTES, socketWindow: 16 },
    });
    redis = new Redis(redisUrl());
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    redis?.disconnect();
    await gateway?.app.close();
  });

  it('disconnects a client that stops reading with reason slow, bounded, while others get everything', async () => {
    const channel = 'events:feed:s-1';
    const auth = await token([channel]);
    const [fast1, fast2, slow] = await Promise.all([
      connectClient(gateway.url, auth),
      connectClient(gateway.url, auth),
      connectClient(gateway.url, auth),
    ]);
    clients.push(fast1, fast2, slow);
    const got1 = collect(fast1);
    const got2 = collect(fast2);
    const notices: unknown[] = [];
    slow.on('server_disconnect', (m) => notices.push(m));
    let slowDisconnected = false;
    slow.on('disconnect', () => (slowDisconnected = true));
    for (const c of [fast1, fast2, slow]) expect(await subscribe(c, { channel })).toMatchObject({ ok: true });

    // Stop reading: the TCP socket under the client's websocket is paused, so the kernel buffers fill up.
    const tcp = (slow.io.engine.transport as unknown as { ws: { _socket: { pause(): void; resume(): void } } }).ws
      ._socket;
    tcp.pause();

    let maxQueuedBytes = 0;
    const sampler = setInterval(
      () => (maxQueuedBytes = Math.max(maxQueuedBytes, gateway.hub.metrics().queuedBytes)),
      5,
    );
    const total = 4000; // 32 MB: well over what loopback TCP buffers hold
    await floodChannel(redis, `${prefix}${channel}`, { type: 'feed', id: 's-1' }, { total, payload: PAYLOAD });
    await eventually(() => got1.get(channel)?.length === total && got2.get(channel)?.length === total, 60_000);
    clearInterval(sampler);

    for (const got of [got1, got2]) {
      expect(got.get(channel)!.map((e) => e.id)).toEqual(Array.from({ length: total }, (_, j) => `e${j}`));
    }
    const metrics = gateway.hub.metrics();
    expect(metrics.slowDisconnects).toBe(1);
    expect(metrics.connections).toBe(2);
    // Bounded: never more than the byte limit (plus the message that crossed it) queued in the hub.
    expect(maxQueuedBytes).toBeLessThanOrEqual(MAX_QUEUED_BYTES + PAYLOAD.length + 1024);

    tcp.resume();
    await eventually(() => slowDisconnected, 30_000);
    expect(notices.every((n) => (n as { reason: string }).reason === 'slow')).toBe(true);
  });
});
