import { EventEmitter } from 'node:events';
import { jest } from '@jest/globals';
import type { Socket } from 'socket.io';
import type { RealtimeNotification } from '../../libs/dual-stream/src/interfaces/dual-stream-event.interface.js';

/**
 * A socket.io server socket as `HubConnection` sees it, for unit specs: its engine.io write buffer only empties
 * when the test says the transport drained, so a client that "stops reading" is one the test never drains.
 * `transport` is what engine.io reports (`websocket` makes the hub count encoded frames).
 */
export function fakeHubSocket(transport: 'polling' | 'websocket' = 'polling') {
  const emitted: [string, unknown][] = [];
  const conn = Object.assign(new EventEmitter(), {
    writeBuffer: [] as unknown[],
    readyState: 'open',
    transport: { name: transport },
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

/** A notification of source `o:1` on `events.o` at `offset`, for specs of the hub's delivery logic. */
export const hubNotification = (offset: number, partition = 0): RealtimeNotification => ({
  kind: 'event',
  id: `e${offset}`,
  type: 't',
  source: { type: 'o', id: '1' },
  time: '2026-01-01T00:00:00Z',
  topic: 'events.o',
  partition,
  offset: String(offset),
});
