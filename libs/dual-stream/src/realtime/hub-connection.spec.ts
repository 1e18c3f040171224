import { EventEmitter } from 'node:events';
import { jest } from '@jest/globals';
import type { Socket } from 'socket.io';
import type { RealtimeNotification } from '../interfaces/dual-stream-event.interface.js';
import { ChannelSubscription } from './channel-subscription.js';
import { HubConnection } from './hub-connection.js';
import { HubCounters } from './hub-counters.js';
import { LiveMessage } from './socket-packet.js';
import { testNotification } from '../../../../test/support/fake-realtime.js';

/** A socket whose engine.io write buffer only empties when the test says the transport drained. */
function fakeSocket() {
  const emitted: [string, unknown][] = [];
  const conn = Object.assign(new EventEmitter(), {
    writeBuffer: [] as unknown[],
    readyState: 'open',
    // What the hub writes: encoded socket.io packets `2/events,["event",payload]`.
    write: (packet: string) => {
      const [event, payload] = JSON.parse(packet.slice(packet.indexOf('['))) as [string, unknown];
      expect(packet.startsWith('2/events,[')).toBe(true);
      emitted.push([event, payload]);
      conn.writeBuffer.push(packet);
    },
  });
  const socket = { id: 's1', nsp: { name: '/events' }, conn, emit: jest.fn(), disconnect: jest.fn() };
  const drain = () => {
    conn.writeBuffer = [];
    conn.emit('drain');
  };
  return { socket: socket as unknown as Socket, raw: socket, emitted, drain };
}

const note = (offset: number, partition = 0) => testNotification(offset, { partition });

const live = (event: RealtimeNotification) => new LiveMessage(event, JSON.stringify(event));
const noHooks = { highWatermark: () => Promise.resolve(undefined), recover: () => undefined };

describe('HubConnection', () => {
  it('hands socket.io at most `window` packets and queues the rest in order until drain', () => {
    const { socket, emitted, drain } = fakeSocket();
    const c = new HubConnection(socket, {}, { maxMessages: 100, maxBytes: 1e6, window: 2 }, new HubCounters());
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
    const c = new HubConnection(socket, {}, { maxMessages: 100, maxBytes: 1e6, window: 1 }, counters);
    c.send('event', '"first"', 'k');
    for (const v of ['a', 'b', 'c']) c.send('event', JSON.stringify(v), 'k');
    drain();
    expect(emitted.map(([, p]) => p)).toEqual(['first', 'c']);
    expect(counters.conflated).toBe(2);
  });

  it('disconnects with reason slow over the message or byte limit and drops the queue', () => {
    const { socket, raw } = fakeSocket();
    const counters = new HubCounters();
    const c = new HubConnection(socket, {}, { maxMessages: 3, maxBytes: 1e6, window: 1 }, counters);
    for (let i = 0; i < 5; i++) c.send('event', JSON.stringify(i));
    expect(raw.emit).toHaveBeenCalledWith('server_disconnect', { reason: 'slow' });
    expect(raw.disconnect).toHaveBeenCalledWith(true);
    expect(counters.slowDisconnects).toBe(1);
    expect(c.closed).toBe(true);
    expect(c.queuedMessages).toBe(0);

    const bytes = fakeSocket();
    const b = new HubConnection(bytes.socket, {}, { maxMessages: 1000, maxBytes: 100, window: 1 }, counters);
    for (let i = 0; i < 4; i++) b.send('event', JSON.stringify('x'.repeat(40)));
    expect(b.closed).toBe(true);
  });
});

describe('ChannelSubscription', () => {
  it('buffers while recovering, then delivers replayed and buffered events once, in order', async () => {
    const { socket, emitted } = fakeSocket();
    const counters = new HubCounters();
    const c = new HubConnection(socket, {}, { maxMessages: 1000, maxBytes: 1e6, window: 1000 }, counters);
    const sub = new ChannelSubscription(
      c,
      'events:o:1',
      'events:o:1',
      { type: 'o', id: '1' },
      false,
      100,
      counters,
      noHooks,
    );
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
    const c = new HubConnection(socket, {}, { maxMessages: 1000, maxBytes: 1e6, window: 1000 }, counters);
    const sub = new ChannelSubscription(
      c,
      'events:o:1',
      'events:o:1',
      { type: 'o', id: '1' },
      false,
      2,
      counters,
      noHooks,
    );
    for (const offset of [1, 2, 3]) sub.onLive(live(note(offset)));
    expect(sub.overflowed).toBe(true);
    expect(await sub.finishRecovery()).toBe(false);
  });
});
