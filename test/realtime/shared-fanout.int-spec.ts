import type { EventMessage } from '@dual-stream/nestjs';
import { eventually } from '../support/infra.js';
import { channelOf, freshSourceType, idsOf, publishContinuously } from '../support/realtime-publishing.js';
import { realtimeStack, token } from '../support/realtime-stack.js';
import { subscribe, type ClientSocket } from '../support/socket-client.js';

/** Every `event` message a client received, whole (channel, pattern and notification). */
function record(socket: ClientSocket): EventMessage[] {
  const messages: EventMessage[] = [];
  socket.on('event', (message: EventMessage) => messages.push(message));
  return messages;
}

describe('fan-out of one encoded message to many sockets (hub write path)', () => {
  const stack = realtimeStack('rt-fan', { publisher: true });

  it('websocket and polling subscribers of a channel, and a pattern subscriber, each get every event once, in order', async () => {
    const type = await freshSourceType();
    const [a, b] = [
      { type, id: 'a' },
      { type, id: 'b' },
    ];
    const pattern = `events:${type}:*`;
    const auth = await token([channelOf(a), channelOf(b)], [pattern]);
    const connect = (transports: ('websocket' | 'polling')[]) => stack.connect(auth, stack.gateway, transports);
    const [ws1, ws2, polling, watcher] = await Promise.all([
      connect(['websocket']),
      connect(['websocket']),
      connect(['polling']),
      connect(['websocket']),
    ]);
    const got = { ws1: record(ws1), ws2: record(ws2), polling: record(polling), watcher: record(watcher) };
    for (const socket of [ws1, ws2, polling]) {
      expect(await subscribe(socket, { channel: channelOf(a) })).toMatchObject({ ok: true });
    }
    expect(await subscribe(watcher, { pattern })).toMatchObject({ ok: true, pattern });

    const run = publishContinuously(stack.publisher, [a, b], { perTick: 20, tickMs: 10, total: 400 });
    await run.done;
    expect(run.errors).toEqual([]);
    const idsA = idsOf(run.receipts, a);
    const idsB = idsOf(run.receipts, b);
    expect(idsA).toHaveLength(200);

    await eventually(
      () => got.ws1.length >= 200 && got.ws2.length >= 200 && got.polling.length >= 200 && got.watcher.length >= 400,
      30_000,
    );
    for (const messages of [got.ws1, got.ws2, got.polling]) {
      expect(messages.map((m) => m.event.id)).toEqual(idsA);
      expect(messages.every((m) => m.channel === channelOf(a) && !('pattern' in m))).toBe(true);
    }
    // The polling client decodes the same bytes a websocket client gets from the shared frame.
    expect(got.polling).toEqual(got.ws1);
    const watched = (id: string) => got.watcher.filter((m) => m.event.source.id === id);
    expect(watched('a').map((m) => m.event.id)).toEqual(idsA);
    expect(watched('b').map((m) => m.event.id)).toEqual(idsB);
    expect(got.watcher.every((m) => m.pattern === pattern && m.channel === channelOf(m.event.source))).toBe(true);
    expect(watched('a').map((m) => m.event)).toEqual(got.ws1.map((m) => m.event));
  });
});
