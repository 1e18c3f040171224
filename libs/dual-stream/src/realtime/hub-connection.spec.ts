import type { RealtimeNotification } from '../interfaces/dual-stream-event.interface.js';
import { SocketConnection } from './socket-connection.js';
import { HubCounters } from './hub-counters.js';
import { LiveMessage } from './socket-packet.js';
import type { Socket } from 'socket.io';
import {
  fakeHubSocket as fakeSocket,
  testChannelSubscription,
  testNotification,
} from '../../../../test/support/fake-realtime.js';

const note = (offset: number, partition = 0) => testNotification(offset, { partition });

const live = (event: RealtimeNotification) => new LiveMessage(event, JSON.stringify(event));

describe('HubConnection', () => {
  it('hands socket.io at most `window` packets and queues the rest in order until drain', () => {
    const { socket, emitted, drain } = fakeSocket();
    const c = new SocketConnection(
      socket,
      {},
      { maxMessages: 100, maxBytes: 1e6, window: 2, maxRoomWaitMs: 60_000 },
      new HubCounters(),
    );
    for (let i = 0; i < 5; i++) c.send('event', JSON.stringify(i));
    expect(emitted.map(([, p]) => p)).toEqual([0, 1]);
    expect(c.queuedMessages).toBe(3);
    drain();
    expect(emitted.map(([, p]) => p)).toEqual([0, 1, 2, 3]);
    drain();
    expect(emitted.map(([, p]) => p)).toEqual([0, 1, 2, 3, 4]);
    expect(c.queuedBytes).toBe(0);
  });

  it('conflates queued messages of one key to the latest', () => {
    const { socket, emitted, drain } = fakeSocket();
    const counters = new HubCounters();
    const c = new SocketConnection(
      socket,
      {},
      { maxMessages: 100, maxBytes: 1e6, window: 1, maxRoomWaitMs: 60_000 },
      counters,
    );
    c.send('event', '"first"', 'k');
    for (const v of ['a', 'b', 'c']) c.send('event', JSON.stringify(v), 'k');
    drain();
    expect(emitted.map(([, p]) => p)).toEqual(['first', 'c']);
    expect(counters.conflated).toBe(2);
  });

  it('disconnects with reason slow over the message or byte limit and drops the queue', () => {
    const { socket, raw } = fakeSocket();
    const counters = new HubCounters();
    const c = new SocketConnection(
      socket,
      {},
      { maxMessages: 3, maxBytes: 1e6, window: 1, maxRoomWaitMs: 60_000 },
      counters,
    );
    for (let i = 0; i < 5; i++) c.send('event', JSON.stringify(i));
    expect(raw.emit).toHaveBeenCalledWith('server_disconnect', { reason: 'slow' });
    expect(raw.disconnect).toHaveBeenCalledWith(true);
    expect(counters.slowDisconnects).toBe(1);
    expect(c.closed).toBe(true);
    expect(c.queuedMessages).toBe(0);

    const bytes = fakeSocket();
    const b = new SocketConnection(
      bytes.socket,
      {},
      { maxMessages: 1000, maxBytes: 100, window: 1, maxRoomWaitMs: 60_000 },
      counters,
    );
    for (let i = 0; i < 4; i++) b.send('event', JSON.stringify('x'.repeat(40)));
    expect(b.closed).toBe(true);
  });
});

describe('HubConnection byte accounting and room waits', () => {
  const limits = { maxMessages: 1000, maxBytes: 1e6, window: 1, maxRoomWaitMs: 60_000 };

  it('counts queued bytes as encoded bytes, not UTF-16 code units', () => {
    const payload = JSON.stringify('é€😀'.repeat(50));
    for (const transport of ['polling', 'websocket'] as const) {
      const { socket, drain } = fakeSocket(transport);
      const c = new SocketConnection(socket, {}, limits, new HubCounters());
      c.send('event', '"first"');
      c.send('event', payload);
      const packet = `2/events,["event",${payload}]`;
      const utf8 = Buffer.byteLength(packet);
      expect(utf8).toBeGreaterThan(packet.length);
      // websocket: the frame as written (header + engine.io `4` + packet); polling: the packet's UTF-8 bytes.
      expect(c.queuedBytes).toBe(transport === 'websocket' ? 4 + 1 + utf8 : utf8);
      drain();
      expect(c.queuedBytes).toBe(0);
    }
  });

  it('cuts a client that leaves no room for maxRoomWaitMs with reason slow, waking the waiters with false', async () => {
    const { socket, raw } = fakeSocket();
    const counters = new HubCounters();
    const c = new SocketConnection(socket, {}, { ...limits, maxMessages: 4, maxRoomWaitMs: 30 }, counters);
    for (let i = 0; i < 3; i++) c.send('event', JSON.stringify(i));
    expect(c.hasRoom()).toBe(false);
    expect(await c.waitForRoom()).toBe(false);
    expect(raw.emit).toHaveBeenCalledWith('server_disconnect', { reason: 'slow' });
    expect(counters.slowDisconnects).toBe(1);
    expect(c.closed).toBe(true);
  });

  it('answers true once the client drained, and false without a cut when the waiter aborts', async () => {
    const { socket, raw, drain } = fakeSocket();
    const counters = new HubCounters();
    const c = new SocketConnection(socket, {}, { ...limits, maxMessages: 4, maxRoomWaitMs: 50 }, counters);
    for (let i = 0; i < 3; i++) c.send('event', JSON.stringify(i));
    const room = c.waitForRoom();
    drain();
    expect(await room).toBe(true);
    for (let i = 0; i < 3; i++) c.send('event', JSON.stringify(i));
    const controller = new AbortController();
    const aborted = c.waitForRoom(controller.signal);
    controller.abort();
    expect(await aborted).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(raw.disconnect).not.toHaveBeenCalled();
    expect(counters.slowDisconnects).toBe(0);
  });
});

/** A connection that never runs out of room: these specs are about the subscription's ordering. */
const roomyConnection = (socket: Socket, counters: HubCounters) =>
  new SocketConnection(socket, {}, { maxMessages: 1000, maxBytes: 1e6, window: 1000, maxRoomWaitMs: 60_000 }, counters);

describe('ChannelSubscription', () => {
  it('buffers while recovering, then delivers replayed and buffered events once, in order', async () => {
    const { socket, emitted } = fakeSocket();
    const counters = new HubCounters();
    const sub = testChannelSubscription(roomyConnection(socket, counters), counters);
    sub.holds({ topic: 'events.o', partition: 0, offset: '2' });
    sub.onLive(live(note(5)));
    sub.onLive(live(note(6)));
    for (const offset of [1, 2, 3, 4, 5]) sub.deliver(note(offset)); // the replay overlaps the buffer
    expect(await sub.finishRecovery()).toBe(true);
    sub.onLive(live(note(6))); // a late duplicate
    sub.onLive(live(note(7)));
    await new Promise(setImmediate); // the late duplicate met an unverified position: checked before 7 goes out
    const offsets = emitted.map(([, m]) => (m as { event: RealtimeNotification }).event.offset);
    expect(offsets).toEqual(['3', '4', '5', '6', '7']);
    expect(counters.duplicatesDropped).toBe(4);
  });

  it('reports an overflowing recovery buffer so the runner replays again', async () => {
    const { socket } = fakeSocket();
    const counters = new HubCounters();
    const sub = testChannelSubscription(roomyConnection(socket, counters), counters, { maxBuffer: 2 });
    for (const offset of [1, 2, 3]) sub.onLive(live(note(offset)));
    expect(sub.overflowed).toBe(true);
    expect(await sub.finishRecovery()).toBe(false);
  });
});
