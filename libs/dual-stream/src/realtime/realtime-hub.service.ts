import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationShutdown } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import type { Socket } from 'socket.io';
import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import type { EventSource, KafkaPosition } from '../interfaces/dual-stream-event.interface.js';
import { KafkaReplayService } from '../replay/kafka-replay.service.js';
import { DUAL_STREAM_RESOLVED_OPTIONS as RESOLVED_OPTIONS_TOKEN } from '../constants.js';
import { rangeGapChannel } from '../events/event-naming.js';
import { RateLimitedWarner } from '../publisher/rate-limited-warner.js';
import { createPubSubSubscriber, type PubSubSubscriber } from '../pubsub-subscriber.js';
import { PATTERNS_NOT_SHARDED } from '../errors/pattern-not-sharded.error.js';
import { BackgroundRecovery } from './background-recovery.js';
import { clientChannelSource, escapeRedisGlob, validatePattern } from './channel-names.js';
import { ChannelSubscription } from './channel-subscription.js';
import { ConnectionEntry, type Subscription } from './connection-entry.js';
import { ConnectionExpiry } from './connection-expiry.js';
import type { HubConnection } from './hub-connection.js';
import { HubCounters } from './hub-counters.js';
import { HubMessageRouter } from './hub-message-router.js';
import { SocketConnection } from './socket-connection.js';
import { SseConnection } from './sse/sse-connection.js';
import { SseCursorState } from './sse/sse-cursor-state.js';
import { sseRetry } from './sse/sse-frame.js';
import {
  planSseStream,
  type SseStreamChannel,
  type SseStreamPlan,
  type SseStreamRequest,
} from './sse/sse-stream-plan.js';
import { SseStreamRefusedError } from '../errors/sse-stream-refused.error.js';
import { LiveMessage } from './socket-packet.js';
import { HubStatus } from './hub-status.js';
import { PartitionLookups } from './partition-lookups.js';
import { PatternSubscription } from './pattern-subscription.js';
import type {
  AttachOptions,
  RealtimeHubMetrics,
  SseStreamOptions,
  SubscribeAck,
  SubscribeRequest,
  UnsubscribeAck,
} from './realtime-hub.interfaces.js';
import { RedisMessageParser } from './redis-message.parser.js';
import { RecoveryRunner, type RecoveryResult } from './recovery-runner.js';
import { readFrom } from './subscribe-request.js';
import { SubscriptionAdmission, TOKEN_EXPIRED } from './subscription-admission.js';

/** Longest channel or pattern echoed back in an ack. */
const MAX_ECHO = 300;
/** How long the first SUBSCRIBE waits for the hub's Redis connection before it counts as pending. */
const FIRST_CONNECT_WAIT_MS = 3000;

/** The response headers of an SSE stream (docs/sse.md "Proxies"): never cached, transformed or buffered. */
const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
  'X-Content-Type-Options': 'nosniff',
  // The body ends with the connection (no chunked encoding, see `openStream`): say so.
  Connection: 'close',
} as const;

type Opened = { recovery: Promise<RecoveryResult> } | string;

/**
 * The realtime side of a socket.io gateway (docs/protocol.md "Socket protocol"): call
 * `attach(socket, principal, { expiresAt })` from `handleConnection` and pass `subscribe`/`unsubscribe`
 * messages through; the hub detaches on `disconnect` and disconnects at `expiresAt`. Server-Sent Events
 * streams (docs/sse.md) are connections of the same hub: `planStream` checks a request, `openStream` serves
 * it. One Redis subscriber connection per instance, one SUBSCRIBE per channel, in-process fan-out, resume
 * from Kafka. Nothing connects until the first subscription, so apps that never use it pay nothing.
 */
@Injectable()
export class RealtimeHub implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly entries = new Map<string, ConnectionEntry>();
  private readonly counters = new HubCounters();
  private readonly prefix: string;
  /** Where a publisher reports gaps per topic-partition when too many channels were skipped to name each. */
  private readonly rangeGapChannel: string;
  private readonly redis: PubSubSubscriber<ChannelSubscription, PatternSubscription>;
  private readonly recovery: RecoveryRunner;
  private readonly background: BackgroundRecovery;
  private readonly partitions: PartitionLookups;
  private readonly admission: SubscriptionAdmission;
  private readonly status: HubStatus;
  private sseStreams = 0;

  constructor(
    @Inject(RESOLVED_OPTIONS_TOKEN) private readonly options: ResolvedDualStreamOptions,
    private readonly replay: KafkaReplayService,
  ) {
    this.prefix = options.redis === false ? '' : options.redis.channelPrefix;
    this.rangeGapChannel = rangeGapChannel(this.prefix);
    this.recovery = new RecoveryRunner(replay, this.counters, (connection) => this.updateStatus(connection));
    this.background = new BackgroundRecovery(this.recovery, this.counters);
    this.partitions = new PartitionLookups(replay);
    const topicOf = (source: EventSource) => replay.topicOf(source);
    const router = new HubMessageRouter(
      new RedisMessageParser(this.prefix, topicOf),
      this.counters,
      new RateLimitedWarner(options.logger, options.realtime.warnIntervalMs),
      this.background,
      this.partitions,
      topicOf,
      this.prefix,
    );
    const connect = this.redisConnector();
    this.redis = createPubSubSubscriber<ChannelSubscription, PatternSubscription>(
      options,
      { name: 'dual-stream-hub', firstConnectWaitMs: FIRST_CONNECT_WAIT_MS, ...(connect && { connect }) },
      {
        message: (channel, raw, subscribers) => router.channelMessage(channel, raw, subscribers),
        patternMessage: (_pattern, channel, raw, subscribers) => router.patternMessage(channel, raw, subscribers),
        down: () => this.forEachEntry((entry) => this.status.update(entry)),
        recovered: (channels) => this.recoverAll(channels),
        failed: (err) => router.failed(err),
      },
    );
    this.admission = new SubscriptionAdmission(options.hub, this.redis);
    this.status = new HubStatus(this.redis);
  }

  /**
   * Registers a connected socket, who it is (what the gateway's handshake verified) and until when its
   * credentials hold (`options.expiresAt`: then it gets `server_disconnect { reason: 'token-expired' }`).
   */
  attach(socket: Socket, principal: unknown, options: AttachOptions = {}): void {
    const connection = new SocketConnection(socket, principal, this.connectionLimits(), this.counters);
    this.register(connection, options);
    socket.once('disconnect', () => this.detach(socket));
  }

  detach(socket: Socket): void {
    this.detachId(socket.id);
  }

  /**
   * Checks an SSE stream request (docs/sse.md) before anything is written or subscribed: the channels, the
   * cursor (it may name only channels of this request, at positions their partitions have reached), and that
   * `principal` may read every channel (`hub.canSubscribe`, the hook socket subscriptions go through).
   * Throws `SseStreamRefusedError` with the reason; the caller answers it with a 4xx.
   */
  async planStream(principal: unknown, request: SseStreamRequest): Promise<SseStreamPlan> {
    if (this.options.redis === false) {
      throw new SseStreamRefusedError('disabled', 'realtime is disabled on this gateway (redis: false)');
    }
    const plan = planSseStream(request);
    const allowed = await Promise.all(
      plan.channels.map(async ({ channel }) => {
        try {
          return await this.options.hub.canSubscribe(principal, channel);
        } catch {
          return false;
        }
      }),
    );
    const refused = plan.channels.find((_, i) => !allowed[i]);
    if (refused) {
      this.counters.subscribeRefused++;
      throw new SseStreamRefusedError('forbidden', `this token may not read ${refused.channel}`, refused.channel);
    }
    await Promise.all(plan.channels.map((c) => this.checkResumePosition(c)));
    return plan;
  }

  /**
   * Serves a planned SSE stream on `response` (headers not sent yet): writes the headers and the `retry:`
   * hint, attaches the stream as a hub connection (so it is detached when the response closes, cut `slow`
   * and at `expiresAt` like a socket), then subscribes its channels, replaying from the cursor where it had
   * one. Each channel's outcome is sent as a `status` message with the socket.io subscribe ack's JSON.
   * Resolves once every channel is subscribed (and replayed).
   */
  async openStream(
    response: ServerResponse,
    principal: unknown,
    plan: SseStreamPlan,
    options: SseStreamOptions,
  ): Promise<void> {
    // No chunked transfer encoding: the body runs until the connection closes (RFC 9112 section 6.3), as an
    // SSE stream does anyway. Each message is then one socket write instead of four (chunk size, CRLF,
    // message, CRLF), which is most of a delivery's cost (docs/benchmarks.md "Realtime fan-out").
    response.removeHeader('Transfer-Encoding');
    response.writeHead(200, SSE_HEADERS);
    response.socket?.setNoDelay(true);
    response.write(sseRetry(options.retryMs));
    const id = `sse-${++this.sseStreams}`;
    const cursor = new SseCursorState(plan.channels.map((c) => c.at));
    const connection = new SseConnection(
      id,
      response,
      principal,
      this.connectionLimits(),
      this.counters,
      cursor,
      options.heartbeatMs,
    );
    const entry = this.register(connection, options);
    this.counters.sseStreamsOpened++;
    response.once('close', () => this.detachId(id));
    if (response.destroyed) this.detachId(id);
    await Promise.all(
      plan.channels.map(async (c) => {
        const ack = await this.subscribeStreamChannel(entry, c);
        if (!entry.gone) connection.send('status', JSON.stringify(ack));
      }),
    );
  }

  async subscribe(socket: Socket, raw: unknown): Promise<SubscribeAck> {
    const entry = this.entries.get(socket.id);
    if (!entry || entry.connection.closed) return this.refuse({ error: 'not attached to the realtime hub' });
    if (entry.gone) {
      this.expire(entry);
      return this.refuse({ error: TOKEN_EXPIRED });
    }
    if (this.options.redis === false) {
      return this.refuse({ error: 'realtime is disabled on this gateway (redis: false)' });
    }
    const request = asRequest(raw);
    if (request.pattern !== undefined) return this.subscribePattern(entry, request);
    if (request.channel === undefined) return this.refuse({ error: 'subscribe needs a `channel` or a `pattern`' });
    let source;
    try {
      source = clientChannelSource(request.channel);
    } catch (err) {
      return this.refuse({ ...echo({ channel: request.channel }), error: (err as Error).message });
    }
    const channel = request.channel as string;
    let from: KafkaPosition | undefined;
    try {
      from = readFrom(request.from, this.replay.topicOf(source));
    } catch (err) {
      return this.refuse({ channel, error: (err as Error).message });
    }
    return this.subscribeChannel(entry, channel, source, from, request.conflate === true);
  }

  async unsubscribe(socket: Socket, raw: unknown): Promise<UnsubscribeAck> {
    const request = asRequest(raw);
    const target = echo(request);
    const key =
      target.pattern !== undefined
        ? `p:${request.pattern}`
        : target.channel !== undefined
          ? `c:${request.channel}`
          : '';
    if (!key) return { ok: false, ...target, error: 'unsubscribe needs a `channel` or a `pattern`' };
    const entry = this.entries.get(socket.id);
    if (!entry) return { ok: false, ...target, error: 'not attached to the realtime hub' };
    return entry.serializer.run(key, async (): Promise<UnsubscribeAck> => {
      const sub = entry.subs.get(key);
      if (!sub) return { ok: false, ...target, error: 'not subscribed' };
      entry.subs.delete(key);
      this.drop(sub);
      return sub instanceof PatternSubscription
        ? { ok: true, pattern: sub.pattern }
        : { ok: true, channel: (sub as ChannelSubscription).channel };
    });
  }

  metrics(): RealtimeHubMetrics {
    let subscriptions = 0;
    let patternSubscriptions = 0;
    let sseStreams = 0;
    let queuedMessages = 0;
    let queuedBytes = 0;
    for (const { connection, subs } of this.entries.values()) {
      if (connection instanceof SseConnection) sseStreams++;
      queuedMessages += connection.queuedMessages;
      queuedBytes += connection.queuedBytes;
      for (const sub of subs.values()) {
        if (sub instanceof ChannelSubscription) subscriptions++;
        else patternSubscriptions++;
      }
    }
    return {
      connections: this.entries.size,
      subscriptions,
      patternSubscriptions,
      redisChannels: this.redis.channelCount,
      redisPatterns: this.redis.patternCount,
      redisUp: this.redis.up,
      queuedMessages,
      queuedBytes,
      activeReplays: this.replay.activeReplays,
      sseStreams,
      ...this.counters,
    };
  }

  /**
   * Ends every SSE stream before the HTTP server closes: the server waits for open responses, and a stream
   * never ends by itself. Clients reconnect (to another instance) with their last `id`.
   */
  beforeApplicationShutdown(): void {
    for (const entry of [...this.entries.values()]) {
      if (!(entry.connection instanceof SseConnection)) continue;
      const { response } = entry.connection;
      this.detachId(entry.connection.id);
      if (!response.writableEnded) response.end();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    for (const entry of this.entries.values()) {
      entry.expiry?.cancel();
      entry.connection.close();
    }
    this.entries.clear();
    await this.redis.close();
  }

  /** Where the hub's Redis subscriber connection comes from; undefined: the library's default. */
  protected redisConnector(): (() => Redis) | undefined {
    return undefined;
  }

  private connectionLimits() {
    const { maxQueuedMessages, maxQueuedBytes, socketWindow } = this.options.hub;
    return {
      maxMessages: maxQueuedMessages,
      maxBytes: maxQueuedBytes,
      window: socketWindow,
      maxRoomWaitMs: this.options.replay.clientWaitMs,
    };
  }

  private register(connection: HubConnection, options: AttachOptions): ConnectionEntry {
    const entry = new ConnectionEntry(connection);
    this.entries.set(connection.id, entry);
    if (options.expiresAt !== undefined) {
      entry.expiry = new ConnectionExpiry(options.expiresAt, () => this.expire(entry));
    }
    return entry;
  }

  private detachId(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    entry.expiry?.cancel();
    entry.connection.close();
    for (const sub of entry.subs.values()) this.drop(sub);
    entry.subs.clear();
  }

  /** A validated channel subscription, socket or stream: opened with the key held, answered when recovered. */
  private async subscribeChannel(
    entry: ConnectionEntry,
    channel: string,
    source: EventSource,
    from: KafkaPosition | undefined,
    conflate: boolean,
  ): Promise<SubscribeAck> {
    const opened = await entry.serializer.run(`c:${channel}`, () =>
      this.openChannel(entry, channel, source, from, conflate),
    );
    if (typeof opened === 'string') return this.refuse({ channel, error: opened });
    return { ok: true, channel, ...(await opened.recovery) };
  }

  /**
   * One channel of a stream: from its cursor position, or (a channel the stream had delivered nothing on)
   * from the Kafka position at its `since` time, as a Redis reconnect recovers; live only without a cursor.
   */
  private async subscribeStreamChannel(entry: ConnectionEntry, c: SseStreamChannel): Promise<SubscribeAck> {
    const topic = this.replay.topicOf(c.source);
    let from: KafkaPosition | undefined;
    if (c.resume && 'since' in c.at) {
      from = await this.replay.positionAt(c.source, c.at.since).catch(() => undefined);
      if (!from) {
        const ack = await this.subscribeChannel(entry, c.channel, c.source, undefined, false);
        return ack.ok ? { ...ack, recovered: false, reason: 'error' } : ack;
      }
    } else if (c.resume && 'offset' in c.at) {
      from = { topic, partition: c.at.partition, offset: c.at.offset };
    }
    return this.subscribeChannel(entry, c.channel, c.source, from, false);
  }

  /**
   * A cursor position must be one the stream could have sent: on the partition the channel's events go to,
   * below that partition's high-water mark. When Kafka cannot say, the replay will report what it finds.
   */
  private async checkResumePosition(c: SseStreamChannel): Promise<void> {
    if (!c.resume || !('offset' in c.at)) return;
    const topic = this.replay.topicOf(c.source);
    const [partition, high] = await Promise.all([
      this.partitions.partitionOf(c.source, topic).catch(() => undefined),
      this.partitions.highWatermark(topic, c.at.partition, LiveMessage.lastSeq).catch(() => undefined),
    ]);
    if (partition !== undefined && partition !== c.at.partition) {
      throw new SseStreamRefusedError(
        'invalid-cursor',
        `the cursor's position for ${c.channel} is on partition ${c.at.partition}, where this channel's events never go: send the id the stream sent, unchanged`,
        c.channel,
      );
    }
    if (high !== undefined && BigInt(c.at.offset) >= high) {
      throw new SseStreamRefusedError(
        'invalid-cursor',
        `the cursor's position for ${c.channel} is past the end of its partition: send the id the stream sent, unchanged`,
        c.channel,
      );
    }
  }

  /** Runs with the channel's key held: no other subscribe or unsubscribe of it interleaves. */
  private async openChannel(
    entry: ConnectionEntry,
    channel: string,
    source: EventSource,
    from: KafkaPosition | undefined,
    conflate: boolean,
  ): Promise<Opened> {
    if (entry.connection.closed) return 'disconnected';
    const existing = entry.subs.get(`c:${channel}`);
    if (existing instanceof ChannelSubscription) {
      existing.conflate = conflate;
      if (!from) return { recovery: Promise.resolve({ recovered: true, replayed: 0 }) };
      existing.holds(from);
      return { recovery: this.recovery.run(existing, undefined) };
    }
    const sub = await this.admission.admit(
      entry,
      { kind: 'channel' },
      () => this.options.hub.canSubscribe(entry.principal, channel),
      () => {
        const created = new ChannelSubscription(
          entry.connection,
          channel,
          `${this.prefix}${channel}`,
          source,
          conflate,
          this.options.hub.maxRecoveryBuffer,
          this.counters,
          {
            highWatermark: (topic, partition, seq) => this.partitions.highWatermark(topic, partition, seq),
            recover: (held) => this.background.start(held, undefined, 'held-overflow'),
          },
        );
        if (from) created.holds(from);
        entry.subs.set(created.key, created);
        return created;
      },
    );
    if (typeof sub === 'string') return sub;
    await this.redis.addChannel(sub.redisChannel, sub);
    // Closed by a disconnect meanwhile (`detach` removed its channels): add nothing more for it.
    if (sub.closed) return 'disconnected';
    // Every channel subscription also holds the range-gap channel (reference-counted like any channel).
    void this.redis.addChannel(this.rangeGapChannel, sub);
    return { recovery: this.recovery.run(sub, undefined) };
  }

  private async subscribePattern(entry: ConnectionEntry, request: SubscribeRequest): Promise<SubscribeAck> {
    let pattern: string;
    try {
      pattern = validatePattern(request.pattern);
    } catch (err) {
      return this.refuse({ ...echo({ pattern: request.pattern }), error: (err as Error).message });
    }
    if (request.from !== undefined) {
      return this.refuse({ pattern, error: 'patterns are live only: `from` is not supported' });
    }
    if (this.options.redis !== false && this.options.redis.sharded) {
      return this.refuse({ pattern, error: PATTERNS_NOT_SHARDED });
    }
    const conflate = request.conflate === true;
    const refused = await entry.serializer.run(`p:${pattern}`, () => this.openPattern(entry, pattern, conflate));
    if (refused) return this.refuse({ pattern, error: refused });
    return { ok: true, pattern, recovered: true, replayed: 0 };
  }

  /** Runs with the pattern's key held; the reason it was refused, or undefined. */
  private async openPattern(entry: ConnectionEntry, pattern: string, conflate: boolean): Promise<string | undefined> {
    if (entry.connection.closed) return 'disconnected';
    const existing = entry.subs.get(`p:${pattern}`);
    if (existing instanceof PatternSubscription) {
      existing.conflate = conflate;
      return undefined;
    }
    const redisPattern = `${escapeRedisGlob(this.prefix)}${pattern}`;
    let subscribed = Promise.resolve();
    const sub = await this.admission.admit(
      entry,
      { kind: 'pattern', redisPattern },
      () => this.options.hub.canSubscribePattern(entry.principal, pattern),
      () => {
        const created = new PatternSubscription(entry.connection, pattern, redisPattern, conflate);
        entry.subs.set(created.key, created);
        // PSUBSCRIBE bookkeeping starts synchronously, so the gateway-wide pattern cap sees it at once.
        subscribed = this.redis.addPattern(redisPattern, created);
        return created;
      },
    );
    if (typeof sub === 'string') return sub;
    await subscribed;
    if (sub.closed) return 'disconnected';
    this.status.update(entry);
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

  /** The token ran out: tell the client why, disconnect it and forget its subscriptions. */
  private expire(entry: ConnectionEntry): void {
    if (entry.connection.closed) return;
    this.counters.tokenExpiries++;
    entry.connection.disconnect('token-expired');
    this.detachId(entry.connection.id);
  }

  /**
   * After the subscriber reconnected: every channel subscription replays what it missed from Kafka; only those
   * on `channels` when one shard of a cluster failed over, unless that shard holds the range-gap channel (a
   * range marker missed there could concern any channel).
   */
  private recoverAll(channels?: ReadonlySet<string>): void {
    const only = channels?.has(this.rangeGapChannel) ? undefined : channels;
    this.forEachEntry((entry) => {
      for (const sub of entry.subs.values()) {
        if (!(sub instanceof ChannelSubscription) || (only && !only.has(sub.redisChannel))) continue;
        this.background.start(sub, 'since-subscribe', 'redis-reconnect');
      }
      this.status.update(entry);
    });
  }

  private updateStatus(connection: HubConnection): void {
    const entry = this.entries.get(connection.id);
    if (entry?.connection === connection) this.status.update(entry);
  }

  private forEachEntry(fn: (entry: ConnectionEntry) => void): void {
    for (const entry of this.entries.values()) fn(entry);
  }
}

function asRequest(raw: unknown): SubscribeRequest {
  return (typeof raw === 'object' && raw !== null ? raw : {}) as SubscribeRequest;
}

/** The request's channel or pattern as an ack may echo it: strings only, at most `MAX_ECHO` characters. */
function echo(request: { channel?: unknown; pattern?: unknown }): { channel?: string; pattern?: string } {
  if (request.pattern !== undefined) {
    return typeof request.pattern === 'string' ? { pattern: request.pattern.slice(0, MAX_ECHO) } : {};
  }
  return typeof request.channel === 'string' ? { channel: request.channel.slice(0, MAX_ECHO) } : {};
}
