import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Socket } from 'socket.io';
import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import type {
  ChannelMessage,
  GapMarker,
  KafkaPosition,
  RealtimeNotification,
} from '../interfaces/dual-stream-event.interface.js';
import { KafkaReplayService } from '../replay/kafka-replay.service.js';
import { DUAL_STREAM_RESOLVED_OPTIONS as RESOLVED_OPTIONS_TOKEN } from '../constants.js';
import { rangeGapChannel } from '../events/event-naming.js';
import { clientChannelSource, escapeRedisGlob, validatePattern } from './channel-names.js';
import { ChannelSubscription } from './channel-subscription.js';
import { HubConnection } from './hub-connection.js';
import { HubCounters } from './hub-counters.js';
import { HubRedisSubscriber } from './hub-redis-subscriber.js';
import { PatternSubscription } from './pattern-subscription.js';
import type { RealtimeHubMetrics, StatusMessage, SubscribeAck, SubscribeRequest } from './realtime-hub.interfaces.js';
import { RecoveryRunner } from './recovery-runner.js';
import { readFrom } from './subscribe-request.js';
import { LiveMessage } from './socket-packet.js';

type Subscription = ChannelSubscription | PatternSubscription;

/**
 * The realtime side of a socket.io gateway (docs/protocol.md "Socket protocol"): call `attach(socket, principal)` from
 * `handleConnection` and pass `subscribe`/`unsubscribe` messages through; the hub detaches on `disconnect`.
 * One Redis subscriber connection per instance, one SUBSCRIBE per channel, in-process fan-out, resume from
 * Kafka. Nothing connects until the first subscription, so apps that never use it pay nothing.
 */
@Injectable()
export class RealtimeHub implements OnApplicationShutdown {
  private readonly connections = new Map<string, HubConnection>();
  private readonly subs = new Map<HubConnection, Map<string, Subscription>>();
  private readonly counters = new HubCounters();
  private readonly prefix: string;
  /** Where a publisher reports gaps per topic-partition when too many channels were skipped to name each. */
  private readonly rangeGapChannel: string;
  private readonly redis: HubRedisSubscriber<ChannelSubscription, PatternSubscription>;
  private readonly recovery: RecoveryRunner;
  private readonly statusOf = new WeakMap<HubConnection, StatusMessage['state']>();

  constructor(
    @Inject(RESOLVED_OPTIONS_TOKEN) private readonly options: ResolvedDualStreamOptions,
    private readonly replay: KafkaReplayService,
  ) {
    this.prefix = options.redis === false ? '' : options.redis.channelPrefix;
    this.rangeGapChannel = rangeGapChannel(this.prefix);
    this.recovery = new RecoveryRunner(replay, this.counters, (connection) => this.updateStatus(connection));
    this.redis = new HubRedisSubscriber(options, {
      message: (channel, raw, subscribers) =>
        channel === this.rangeGapChannel ? this.onRangeGap(raw, subscribers) : this.onChannelMessage(raw, subscribers),
      patternMessage: (_pattern, channel, raw, subscribers) => this.onPatternMessage(channel, raw, subscribers),
      down: () => this.forEachConnection((connection) => this.updateStatus(connection)),
      recovered: () => this.recoverAll(),
    });
  }

  /** Registers a connected socket and who it is (what the gateway's handshake verified). */
  attach(socket: Socket, principal: unknown): void {
    const { maxQueuedMessages, maxQueuedBytes, socketWindow } = this.options.hub;
    const connection = new HubConnection(
      socket,
      principal,
      {
        maxMessages: maxQueuedMessages,
        maxBytes: maxQueuedBytes,
        window: socketWindow,
        maxRoomWaitMs: this.options.replay.clientWaitMs,
      },
      this.counters,
    );
    this.connections.set(socket.id, connection);
    this.subs.set(connection, new Map());
    socket.once('disconnect', () => this.detach(socket));
  }

  detach(socket: Socket): void {
    const connection = this.connections.get(socket.id);
    if (!connection) return;
    this.connections.delete(socket.id);
    connection.close();
    for (const sub of this.subs.get(connection)?.values() ?? []) this.drop(sub);
    this.subs.delete(connection);
  }

  async subscribe(socket: Socket, raw: unknown): Promise<SubscribeAck> {
    const connection = this.connections.get(socket.id);
    if (!connection || connection.closed) return this.refuse({ error: 'not attached to the realtime hub' });
    if (this.options.redis === false) {
      return this.refuse({ error: 'realtime is disabled on this gateway (redis: false)' });
    }
    const request = (typeof raw === 'object' && raw !== null ? raw : {}) as SubscribeRequest;
    if (request.pattern !== undefined) return this.subscribePattern(connection, request);
    let source;
    try {
      source = clientChannelSource(request.channel);
    } catch (err) {
      return this.refuse({ channel: String(request.channel).slice(0, 300), error: (err as Error).message });
    }
    const channel = request.channel as string;
    let from: KafkaPosition | undefined;
    try {
      from = readFrom(request.from, this.replay.topicOf(source));
    } catch (err) {
      return this.refuse({ channel, error: (err as Error).message });
    }
    const owned = this.subs.get(connection)!;
    const existing = owned.get(`c:${channel}`);
    if (existing instanceof ChannelSubscription) {
      if (from) existing.holds(from);
      const result = from ? await this.recovery.run(existing, undefined) : { recovered: true, replayed: 0 };
      return { ok: true, channel, ...result };
    }
    const denied = await this.admit(connection, () => this.options.hub.canSubscribe(connection.principal, channel));
    if (denied) return this.refuse({ channel, error: denied });
    const { hub } = this.options;
    const sub = new ChannelSubscription(
      connection,
      channel,
      `${this.prefix}${channel}`,
      source,
      request.conflate === true,
      hub.maxRecoveryBuffer,
      this.counters,
    );
    if (from) sub.holds(from);
    owned.set(sub.key, sub);
    await this.redis.addChannel(sub.redisChannel, sub);
    // Every channel subscription also holds the range-gap channel (reference-counted like any channel).
    void this.redis.addChannel(this.rangeGapChannel, sub);
    const result = await this.recovery.run(sub, undefined);
    return { ok: true, channel, ...result };
  }

  async unsubscribe(socket: Socket, raw: unknown): Promise<{ ok: boolean; channel?: string; pattern?: string }> {
    const connection = this.connections.get(socket.id);
    const request = (typeof raw === 'object' && raw !== null ? raw : {}) as SubscribeRequest;
    const key = request.pattern !== undefined ? `p:${request.pattern}` : `c:${request.channel}`;
    const owned = connection && this.subs.get(connection);
    const sub = owned?.get(key);
    if (!owned || !sub) return { ok: false, channel: request.channel, pattern: request.pattern };
    owned.delete(key);
    this.drop(sub);
    return request.pattern !== undefined
      ? { ok: true, pattern: request.pattern }
      : { ok: true, channel: request.channel };
  }

  metrics(): RealtimeHubMetrics {
    let subscriptions = 0;
    let patternSubscriptions = 0;
    let queuedMessages = 0;
    let queuedBytes = 0;
    for (const [connection, owned] of this.subs) {
      queuedMessages += connection.queuedMessages;
      queuedBytes += connection.queuedBytes;
      for (const sub of owned.values()) {
        if (sub instanceof ChannelSubscription) subscriptions++;
        else patternSubscriptions++;
      }
    }
    return {
      connections: this.connections.size,
      subscriptions,
      patternSubscriptions,
      redisChannels: this.redis.channelCount,
      redisPatterns: this.redis.patternCount,
      redisUp: this.redis.up,
      queuedMessages,
      queuedBytes,
      ...this.counters,
    };
  }

  async onApplicationShutdown(): Promise<void> {
    for (const connection of this.connections.values()) connection.close();
    this.connections.clear();
    this.subs.clear();
    await this.redis.close();
  }

  private async subscribePattern(connection: HubConnection, request: SubscribeRequest): Promise<SubscribeAck> {
    let pattern: string;
    try {
      pattern = validatePattern(request.pattern);
    } catch (err) {
      return this.refuse({ pattern: String(request.pattern).slice(0, 300), error: (err as Error).message });
    }
    if (request.from !== undefined) {
      return this.refuse({ pattern, error: 'patterns are live only: `from` is not supported' });
    }
    const owned = this.subs.get(connection)!;
    if (owned.has(`p:${pattern}`)) return { ok: true, pattern, recovered: true, replayed: 0 };
    const denied = await this.admit(connection, () =>
      this.options.hub.canSubscribePattern(connection.principal, pattern),
    );
    if (denied) return this.refuse({ pattern, error: denied });
    const sub = new PatternSubscription(
      connection,
      pattern,
      `${escapeRedisGlob(this.prefix)}${pattern}`,
      request.conflate === true,
    );
    owned.set(sub.key, sub);
    await this.redis.addPattern(sub.redisPattern, sub);
    this.updateStatus(connection);
    return { ok: true, pattern, recovered: true, replayed: 0 };
  }

  /** The reason a new subscription is refused (cap, authorization), or undefined. */
  private async admit(
    connection: HubConnection,
    allowed: () => boolean | Promise<boolean>,
  ): Promise<string | undefined> {
    const cap = this.options.hub.maxSubscriptionsPerConnection;
    const full = () => (this.subs.get(connection)?.size ?? 0) >= cap;
    if (full()) return `subscription limit reached (${cap} per connection): unsubscribe first`;
    let ok: boolean;
    try {
      ok = await allowed();
    } catch {
      ok = false;
    }
    if (!ok) return 'forbidden';
    if (connection.closed) return 'disconnected';
    // Checked again: other subscribes of this connection may have been admitted while we awaited.
    if (full()) return `subscription limit reached (${cap} per connection): unsubscribe first`;
    return undefined;
  }

  private refuse(ack: { channel?: string; pattern?: string; error: string }): SubscribeAck {
    this.counters.subscribeRefused++;
    return { ok: false, ...ack };
  }

  private drop(sub: Subscription): void {
    sub.closed = true;
    if (sub instanceof ChannelSubscription) {
      this.recovery.cancel(sub);
      this.redis.removeChannel(sub.redisChannel, sub);
      this.redis.removeChannel(this.rangeGapChannel, sub);
    } else this.redis.removePattern(sub.redisPattern, sub);
  }

  private onChannelMessage(raw: string, subscribers: ReadonlySet<ChannelSubscription>): void {
    const message = parseMessage(raw);
    if (!message) return;
    if (message.kind === 'gap') {
      this.counters.gapMarkers++;
      const from = gapStart(message);
      for (const sub of subscribers) {
        this.counters.recoveries++;
        void this.recovery.run(sub, from);
      }
      return;
    }
    const live = new LiveMessage(message, raw);
    for (const sub of subscribers) sub.onLive(live);
  }

  /** A gap per topic-partition: recover the subscriptions that read (or would read) that partition. */
  private onRangeGap(raw: string, subscribers: ReadonlySet<ChannelSubscription>): void {
    const message = parseMessage(raw);
    if (message?.kind !== 'gap') return;
    this.counters.gapMarkers++;
    const from = gapStart(message);
    for (const sub of subscribers) {
      const at = sub.position;
      const samePartition = at
        ? at.topic === message.topic && at.partition === message.partition
        : this.replay.topicOf(sub.source) === message.topic;
      if (!samePartition) continue;
      this.counters.recoveries++;
      void this.recovery.run(sub, from);
    }
  }

  private onPatternMessage(redisChannel: string, raw: string, subscribers: ReadonlySet<PatternSubscription>): void {
    const message = parseMessage(raw);
    if (!message) return;
    const channel = redisChannel.slice(this.prefix.length);
    if (message.kind === 'gap') {
      for (const sub of subscribers) sub.onGap(channel, message);
      return;
    }
    const live = new LiveMessage(message, raw);
    for (const sub of subscribers) sub.onEvent(channel, live);
  }

  /** After the subscriber reconnected: every channel subscription replays what it missed from Kafka. */
  private recoverAll(): void {
    for (const owned of this.subs.values()) {
      for (const sub of owned.values()) {
        if (sub instanceof ChannelSubscription) {
          this.counters.recoveries++;
          void this.recovery.run(sub, 'since-subscribe');
        }
      }
    }
    this.forEachConnection((connection) => this.updateStatus(connection));
  }

  private updateStatus(connection: HubConnection): void {
    if (connection.closed) return;
    let state: StatusMessage['state'] = this.redis.up ? 'live' : 'degraded';
    if (state === 'live') {
      for (const sub of this.subs.get(connection)?.values() ?? []) {
        if (sub instanceof ChannelSubscription && sub.state === 'recovering') state = 'recovering';
      }
    }
    // Before the first subscription there is no Redis connection yet: nothing to report.
    if (this.redis.channelCount + this.redis.patternCount === 0 && !this.statusOf.has(connection)) return;
    if (this.statusOf.get(connection) === state) return;
    this.statusOf.set(connection, state);
    const status: StatusMessage = { state };
    connection.send('status', JSON.stringify(status), 'status');
  }

  private forEachConnection(fn: (connection: HubConnection) => void): void {
    for (const connection of this.connections.values()) fn(connection);
  }
}

function parseMessage(raw: string): ChannelMessage | undefined {
  try {
    const message = JSON.parse(raw) as ChannelMessage;
    if (message?.kind === 'gap') return typeof message.fromOffset === 'string' ? message : undefined;
    const event = message as RealtimeNotification;
    return typeof event?.offset === 'string' && typeof event.partition === 'number' && typeof event.topic === 'string'
      ? event
      : undefined;
  } catch {
    return undefined;
  }
}

/** Replay from just before the first skipped offset when the subscription has no position of its own. */
function gapStart(gap: GapMarker): KafkaPosition {
  return { topic: gap.topic, partition: gap.partition, offset: (BigInt(gap.fromOffset) - 1n).toString() };
}
