import { EventEmitter } from 'node:events';
import { jest } from '@jest/globals';
import type { Redis } from 'ioredis';
import type { Socket } from 'socket.io';
import type { RealtimeNotification } from '@dual-stream/nestjs';
import {
  ChannelSubscription,
  type SubscriptionHooks,
} from '../../libs/dual-stream/src/realtime/channel-subscription.js';
import type { HubConnection } from '../../libs/dual-stream/src/realtime/hub-connection.js';
import type { HubCounters } from '../../libs/dual-stream/src/realtime/hub-counters.js';

/**
 * The ioredis surface the hub's Pub/Sub subscriber uses, in memory: `ready()` connects it, `deliver()` is a
 * message from Redis, `subscribed` what Redis would hold now.
 */
export class FakeRedis extends EventEmitter {
  status = 'connecting';
  readonly subscribed = new Set<string>();
  readonly patterns = new Set<string>();
  readonly commands: string[] = [];

  ready(): void {
    this.status = 'ready';
    this.emit('ready');
  }

  async subscribe(...names: string[]): Promise<number> {
    return this.command('subscribe', names, (n) => this.subscribed.add(n));
  }

  async unsubscribe(...names: string[]): Promise<number> {
    return this.command('unsubscribe', names, (n) => this.subscribed.delete(n));
  }

  async psubscribe(...names: string[]): Promise<number> {
    return this.command('psubscribe', names, (n) => this.patterns.add(n));
  }

  async punsubscribe(...names: string[]): Promise<number> {
    return this.command('punsubscribe', names, (n) => this.patterns.delete(n));
  }

  disconnect(): void {
    this.status = 'end';
  }

  /** A PUBLISH on `channel` as this connection receives it. */
  deliver(channel: string, raw: string): void {
    if (this.subscribed.has(channel)) this.emit('message', channel, raw);
  }

  asRedis(): Redis {
    return this as unknown as Redis;
  }

  private command(kind: string, names: string[], apply: (name: string) => unknown): number {
    for (const name of names) {
      this.commands.push(`${kind} ${name}`);
      apply(name);
    }
    return names.length;
  }
}

/** A socket.io server socket as the hub sees it, recording what is written to it and what it emits. */
export class FakeHubSocket extends EventEmitter {
  private static next = 0;
  readonly id = `s${++FakeHubSocket.next}`;
  readonly nsp = { name: '/events' };
  /** Events written through the hub's queue (pre-encoded packets), decoded. */
  readonly written: [string, unknown][] = [];
  /** Events emitted directly with `socket.emit` (server_disconnect). */
  readonly emitted: [string, unknown][] = [];
  disconnected = false;
  readonly conn = Object.assign(new EventEmitter(), {
    readyState: 'open',
    writeBuffer: [] as unknown[],
    transport: { name: 'websocket' },
    write: (packet: string) => {
      const [event, payload] = JSON.parse(packet.slice(packet.indexOf('['))) as [string, unknown];
      this.written.push([event, payload]);
    },
  });

  override emit(event: string, ...args: unknown[]): boolean {
    if (event === 'disconnect') return super.emit(event, ...args);
    this.emitted.push([event, args[0]]);
    return true;
  }

  disconnect(): this {
    this.disconnected = true;
    this.conn.readyState = 'closed';
    super.emit('disconnect', 'server namespace disconnect');
    return this;
  }

  asSocket(): Socket {
    return this as unknown as Socket;
  }

  eventsNamed<T>(name: string): T[] {
    return this.written.filter(([event]) => event === name).map(([, payload]) => payload as T);
  }
}

/** A promise with its resolve function, to hold a step (an authorization, a Kafka lookup) open. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A realtime notification of source `o/1` on `events.o` partition 0 (fields overridable). */
export function testNotification(
  offset: string | number,
  overrides: Partial<RealtimeNotification> = {},
): RealtimeNotification {
  return {
    kind: 'event',
    id: `e${offset}`,
    type: 't',
    source: { type: 'o', id: '1' },
    time: '2026-01-01T00:00:00Z',
    topic: 'events.o',
    partition: 0,
    offset: String(offset),
    ...overrides,
  };
}

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

/** Subscription hooks that never find a high-water mark and never recover (specs of delivery alone). */
export const noSubscriptionHooks: SubscriptionHooks = {
  highWatermark: () => Promise.resolve(undefined),
  recover: () => undefined,
};

/** The subscription of `testNotification`'s channel `events:o:1` (no prefix, not conflated) on `connection`. */
export function testChannelSubscription(
  connection: HubConnection,
  counters: HubCounters,
  { maxBuffer = 100, hooks = noSubscriptionHooks }: { maxBuffer?: number; hooks?: SubscriptionHooks } = {},
): ChannelSubscription {
  return new ChannelSubscription(
    connection,
    'events:o:1',
    'events:o:1',
    { type: 'o', id: '1' },
    false,
    maxBuffer,
    counters,
    hooks,
  );
}
