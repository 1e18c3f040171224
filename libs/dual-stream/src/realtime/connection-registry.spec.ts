import { jest } from '@jest/globals';
import { FakeHubSocket, hubTestOptions } from '../../../../test/support/fake-realtime.js';
import type { Subscription } from './connection-entry.js';
import { ConnectionRegistry, connectionLimits } from './connection-registry.js';
import { HubCounters } from './hub-counters.js';
import { SocketConnection } from './socket-connection.js';

function setup() {
  const counters = new HubCounters();
  const drop = jest.fn<(sub: Subscription) => void>();
  const registry = new ConnectionRegistry(counters, drop);
  const limits = connectionLimits(hubTestOptions());
  const attach = (socket = new FakeHubSocket(), expiresAt?: number) => {
    const connection = new SocketConnection(socket.asSocket(), {}, limits, counters);
    return { socket, connection, entry: registry.register(connection, { expiresAt }) };
  };
  return { counters, drop, registry, attach };
}

const fakeSub = (key: string) => ({ key, closed: false }) as unknown as Subscription;

describe('ConnectionRegistry', () => {
  it('takes the queue limits from the resolved options', () => {
    const options = hubTestOptions({ maxQueuedMessages: 7, maxQueuedBytes: 99, socketWindow: 3 });
    expect(connectionLimits(options)).toEqual({
      maxMessages: 7,
      maxBytes: 99,
      window: 3,
      maxRoomWaitMs: options.replay.clientWaitMs,
    });
  });

  it('detaches a connection once: closed, every subscription dropped, forgotten', () => {
    const { drop, registry, attach } = setup();
    const { connection, entry } = attach();
    const subs = [fakeSub('c:a'), fakeSub('p:b')];
    for (const sub of subs) entry.subs.set((sub as unknown as { key: string }).key, sub);
    expect(registry.get(connection.id)).toBe(entry);
    registry.detach(connection.id);
    registry.detach(connection.id);
    expect(drop.mock.calls.map(([sub]) => sub)).toEqual(subs);
    expect(connection.closed).toBe(true);
    expect(entry.subs.size).toBe(0);
    expect(registry.get(connection.id)).toBeUndefined();
    expect(registry.size).toBe(0);
  });

  it('answers entryOf only for the connection attached under that id now', () => {
    const { registry, attach } = setup();
    const socket = new FakeHubSocket();
    const first = attach(socket);
    const second = attach(socket);
    expect(registry.entryOf(first.connection)).toBeUndefined();
    expect(registry.entryOf(second.connection)).toBe(second.entry);
  });

  it('expires a connection at its expiresAt: server_disconnect token-expired, counted, detached', async () => {
    const { counters, registry, attach } = setup();
    const { socket, connection } = attach(new FakeHubSocket(), Date.now() + 5);
    for (let i = 0; i < 100 && !socket.disconnected; i++) await new Promise((r) => setTimeout(r, 5));
    expect(socket.emitted).toEqual([['server_disconnect', { reason: 'token-expired' }]]);
    expect(counters.tokenExpiries).toBe(1);
    expect(registry.get(connection.id)).toBeUndefined();
  });

  it('expires a connection only while it is open', () => {
    const { counters, registry, attach } = setup();
    const { socket, entry } = attach();
    registry.detach(entry.connection.id);
    registry.expire(entry);
    expect(counters.tokenExpiries).toBe(0);
    expect(socket.emitted).toEqual([]);
  });

  it('closes everything at shutdown without dropping subscriptions one by one or sending anything', async () => {
    const { drop, registry, attach } = setup();
    const { socket, connection, entry } = attach(new FakeHubSocket(), Date.now() + 5);
    entry.subs.set('c:a', fakeSub('c:a'));
    registry.closeAll();
    await new Promise((r) => setTimeout(r, 20));
    expect(connection.closed).toBe(true);
    expect(registry.size).toBe(0);
    expect(drop).not.toHaveBeenCalled();
    expect(socket.emitted).toEqual([]);
  });
});
