import { EventEmitter } from 'node:events';
import { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket as NetSocket } from 'node:net';
import { PassThrough } from 'node:stream';
import { jest } from '@jest/globals';
import type { Redis } from 'ioredis';
import type { Socket } from 'socket.io';
import type { EventSource, KafkaPosition, RealtimeNotification } from '@dual-stream/nestjs';
import {
  resolveDualStreamOptions,
  type ResolvedDualStreamOptions,
} from '../../libs/dual-stream/src/dual-stream-options.resolver.js';
import type { DualStreamHubOptions } from '../../libs/dual-stream/src/interfaces/dual-stream-options.interface.js';
import type { KafkaReplayService, ReplayResult } from '../../libs/dual-stream/src/replay/kafka-replay.service.js';
import { createPubSubSubscriber } from '../../libs/dual-stream/src/pubsub-subscriber.js';
import { BackgroundRecovery } from '../../libs/dual-stream/src/realtime/background-recovery.js';
import { ConnectionEntry } from '../../libs/dual-stream/src/realtime/connection-entry.js';
import { connectionLimits } from '../../libs/dual-stream/src/realtime/connection-registry.js';
import { HubCounters } from '../../libs/dual-stream/src/realtime/hub-counters.js';
import { HubStatus } from '../../libs/dual-stream/src/realtime/hub-status.js';
import { PartitionLookups } from '../../libs/dual-stream/src/realtime/partition-lookups.js';
import type { PatternSubscription } from '../../libs/dual-stream/src/realtime/pattern-subscription.js';
import { RecoveryRunner } from '../../libs/dual-stream/src/realtime/recovery-runner.js';
import { SocketConnection } from '../../libs/dual-stream/src/realtime/socket-connection.js';
import { SubscriptionAdmission } from '../../libs/dual-stream/src/realtime/subscription-admission.js';
import { SubscriptionOpener } from '../../libs/dual-stream/src/realtime/subscription-opener.js';
import {
  ChannelSubscription,
  type SubscriptionHooks,
} from '../../libs/dual-stream/src/realtime/channel-subscription.js';
import type { HubConnection } from '../../libs/dual-stream/src/realtime/hub-connection.js';

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

/** Resolved options of a hub under test: channel prefix `prefix`, no logger, Kafka never reached. */
export function hubTestOptions(hub: DualStreamHubOptions = {}, prefix = 'p:'): ResolvedDualStreamOptions {
  return resolveDualStreamOptions({
    kafka: { brokers: ['127.0.0.1:1'] },
    redis: { channelPrefix: prefix },
    logger: false,
    hub,
  });
}

/**
 * `KafkaReplayService` at its boundary: topics `events.{type}`, three partitions at high-water mark `watermark`,
 * replays that recover nothing to replay, no position for a time. Each is a `jest.fn` a spec may re-mock.
 */
export function fakeReplayService(watermark = 100n) {
  const replay = {
    activeReplays: 0,
    topicOf: (source: EventSource) => `events.${source.type}`,
    replay: jest.fn(
      async (
        _source: EventSource,
        _from: KafkaPosition,
        _onPage: (events: RealtimeNotification[]) => unknown,
      ): Promise<ReplayResult> => ({ recovered: true, replayed: 0, scanned: 0 }),
    ),
    positionAt: jest.fn(async (_source: EventSource, _at: number): Promise<KafkaPosition | undefined> => undefined),
    highWatermarks: jest.fn(
      async (_topic: string): Promise<Map<number, bigint>> =>
        new Map([
          [0, watermark],
          [1, watermark],
          [2, watermark],
        ]),
    ),
  };
  return Object.assign(replay, { asService: () => replay as unknown as KafkaReplayService });
}

/**
 * The hub's subscription side wired as the hub wires it, over a `FakeRedis` (no message routing):
 * `connect()` attaches a fake socket as a connection entry. Call `close()` after the spec.
 */
export function testSubscriptions(hub: DualStreamHubOptions = {}, prefix = 'p:', replay = fakeReplayService()) {
  const options = hubTestOptions(hub, prefix);
  const fake = new FakeRedis();
  const counters = new HubCounters();
  // The connection opens with the first subscribe and is ready a moment later, as a real one is.
  const connectFake = () => {
    setImmediate(() => fake.ready());
    return fake.asRedis();
  };
  const redis = createPubSubSubscriber<ChannelSubscription, PatternSubscription>(
    options,
    { name: 'test', firstConnectWaitMs: 1000, connect: connectFake },
    {
      message: () => undefined,
      patternMessage: () => undefined,
      down: () => undefined,
      recovered: () => undefined,
      failed: (err) => {
        throw err;
      },
    },
  );
  const recovery = new RecoveryRunner(replay.asService(), counters, () => undefined);
  const background = new BackgroundRecovery(recovery, counters);
  const opener = new SubscriptionOpener({
    hub: options.hub,
    prefix,
    redis,
    admission: new SubscriptionAdmission(options.hub, redis),
    recovery,
    background,
    partitions: new PartitionLookups(replay.asService()),
    counters,
    status: new HubStatus(redis),
  });
  const limits = connectionLimits(options);
  const connect = (principal: unknown = {}) => {
    const socket = new FakeHubSocket();
    return { socket, entry: new ConnectionEntry(new SocketConnection(socket.asSocket(), principal, limits, counters)) };
  };
  return { options, fake, counters, redis, replay, opener, limits, connect, close: () => redis.close() };
}

/**
 * An HTTP response as a handler gets it, its socket an in-memory stream: `written()` is every byte sent
 * (status line and headers included), `hangUp()` is the client going away.
 */
export function fakeSseResponse() {
  const socket = Object.assign(new PassThrough(), { setNoDelay: () => socket });
  let out = '';
  socket.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const response = new ServerResponse(new IncomingMessage(socket as unknown as NetSocket));
  response.assignSocket(socket as unknown as NetSocket);
  return { response, written: () => out, hangUp: () => socket.destroy() };
}
