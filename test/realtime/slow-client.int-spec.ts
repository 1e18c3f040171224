import { eventually } from '../support/infra.js';
import { floodWhileSamplingQueue, realtimeStack } from '../support/realtime-stack.js';
import { collect, stopReading, subscribe } from '../support/socket-client.js';

const MAX_QUEUED_BYTES = 512 * 1024;
const PAYLOAD = 'x'.repeat(8000);

describe('slow client policy', () => {
  const stack = realtimeStack('rt-slow', {
    gateways: [{ hub: { maxQueuedMessages: 200, maxQueuedBytes: MAX_QUEUED_BYTES, socketWindow: 16 } }],
  });

  it('disconnects a client that stops reading with reason slow, bounded, while others get everything', async () => {
    const channel = 'events:feed:s-1';
    const [fast1, fast2, slow] = await Promise.all([
      stack.connectWith([channel]),
      stack.connectWith([channel]),
      stack.connectWith([channel]),
    ]);
    const got1 = collect(fast1);
    const got2 = collect(fast2);
    const notices: unknown[] = [];
    slow.on('server_disconnect', (m) => notices.push(m));
    let slowDisconnected = false;
    slow.on('disconnect', () => (slowDisconnected = true));
    for (const c of [fast1, fast2, slow]) expect(await subscribe(c, { channel })).toMatchObject({ ok: true });

    // Stop reading: the TCP socket under the client's websocket is paused, so the kernel buffers fill up.
    const readAgain = stopReading(slow);

    const total = 4000; // 32 MB: well over what loopback TCP buffers hold
    const maxQueuedBytes = await floodWhileSamplingQueue(
      stack,
      channel,
      { type: 'feed', id: 's-1' },
      {
        total,
        payload: PAYLOAD,
        delivered: () => got1.get(channel)?.length === total && got2.get(channel)?.length === total,
      },
    );

    for (const got of [got1, got2]) {
      expect(got.get(channel)!.map((e) => e.id)).toEqual(Array.from({ length: total }, (_, j) => `e${j}`));
    }
    const metrics = stack.gateway.hub.metrics();
    expect(metrics.slowDisconnects).toBe(1);
    expect(metrics.connections).toBe(2);
    // Bounded: never more than the byte limit (plus the message that crossed it) queued in the hub.
    expect(maxQueuedBytes).toBeLessThanOrEqual(MAX_QUEUED_BYTES + PAYLOAD.length + 1024);

    readAgain();
    await eventually(() => slowDisconnected, 30_000);
    expect(notices.every((n) => (n as { reason: string }).reason === 'slow')).toBe(true);
  });
});
