import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationShutdown } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import type { EventSource } from '../interfaces/dual-stream-event.interface.js';
import { KafkaReplayService } from '../replay/kafka-replay.service.js';
import { DUAL_STREAM_RESOLVED_OPTIONS as RESOLVED_OPTIONS_TOKEN } from '../constants.js';
import { RateLimitedWarner } from '../publisher/rate-limited-warner.js';
import { createPubSubSubscriber, type PubSubSubscriber } from '../pubsub-subscriber.js';
import { BackgroundRecovery } from './background-recovery.js';
import type { ChannelSubscription } from './channel-subscription.js';
import { ConnectionRegistry, connectionLimits } from './connection-registry.js';
import type { ConnectionLimits } from './hub-connection.js';
import { HubCounters } from './hub-counters.js';
import { HubMessageRouter } from './hub-message-router.js';
import { hubMetrics } from './hub-metrics.js';
import { HubStatus } from './hub-status.js';
import { PartitionLookups } from './partition-lookups.js';
import type { PatternSubscription } from './pattern-subscription.js';
import type {
  AttachOptions,
  RealtimeHubMetrics,
  RealtimeHubSocket,
  SseStreamOptions,
  SubscribeAck,
  UnsubscribeAck,
} from './realtime-hub.interfaces.js';
import { RecoveryRunner } from './recovery-runner.js';
import { RedisMessageParser } from './redis-message.parser.js';
import { SocketConnection } from './socket-connection.js';
import type { SseStreamPlan, SseStreamRequest } from './sse/sse-stream-plan.js';
import { SseStreamOpener } from './sse/sse-stream-opener.js';
import { SseStreamPlanner } from './sse/sse-stream-planner.js';
import { checkSubscribe, checkUnsubscribe, type SubscribeRules } from './subscribe-request.js';
import { SubscriptionAdmission, TOKEN_EXPIRED } from './subscription-admission.js';
import { SubscriptionOpener } from './subscription-opener.js';

/** How long the first SUBSCRIBE waits for the hub's Redis connection before it counts as pending. */
const FIRST_CONNECT_WAIT_MS = 3000;

/**
 * The realtime side of a socket.io gateway (docs/protocol.md "Socket protocol"): call
 * `attach(socket, principal, { expiresAt })` from `handleConnection` and pass `subscribe`/`unsubscribe`
 * messages through; the hub detaches on `disconnect` and disconnects at `expiresAt`. Server-Sent Events
 * streams (docs/sse.md) are connections of the same hub: `planStream` checks a request, `openStream` serves
 * it. One Redis subscriber connection per instance, one SUBSCRIBE per channel, in-process fan-out, resume
 * from Kafka. Nothing connects until the first subscription, so apps that never use it pay nothing.
 *
 * A facade: the connections live in `ConnectionRegistry`, subscriptions are opened and dropped by
 * `SubscriptionOpener`, Redis payloads are routed by `HubMessageRouter`, SSE streams are checked by
 * `SseStreamPlanner` and served by `SseStreamOpener`.
 */
@Injectable()
export class RealtimeHub implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly counters = new HubCounters();
  private readonly limits: ConnectionLimits;
  private readonly rules: SubscribeRules;
  private readonly redis: PubSubSubscriber<ChannelSubscription, PatternSubscription>;
  private readonly status: HubStatus;
  private readonly connections: ConnectionRegistry;
  private readonly subscriptions: SubscriptionOpener;
  private readonly streamPlanner: SseStreamPlanner;
  private readonly streams: SseStreamOpener;

  constructor(
    @Inject(RESOLVED_OPTIONS_TOKEN) private readonly options: ResolvedDualStreamOptions,
    private readonly replay: KafkaReplayService,
  ) {
    const prefix = options.redis === false ? '' : options.redis.channelPrefix;
    const topicOf = (source: EventSource) => replay.topicOf(source);
    this.limits = connectionLimits(options);
    this.rules = { topicOf, sharded: options.redis !== false && options.redis.sharded };
    const recovery = new RecoveryRunner(replay, this.counters, (connection) => {
      const entry = this.connections.entryOf(connection);
      if (entry) this.status.update(entry);
    });
    const background = new BackgroundRecovery(recovery, this.counters);
    const partitions = new PartitionLookups(replay);
    const router = new HubMessageRouter(
      new RedisMessageParser(prefix, topicOf),
      this.counters,
      new RateLimitedWarner(options.logger, options.realtime.warnIntervalMs),
      background,
      partitions,
      topicOf,
      prefix,
    );
    const connect = this.redisConnector();
    this.redis = createPubSubSubscriber<ChannelSubscription, PatternSubscription>(
      options,
      { name: 'dual-stream-hub', firstConnectWaitMs: FIRST_CONNECT_WAIT_MS, ...(connect && { connect }) },
      {
        message: (channel, raw, subscribers) => router.channelMessage(channel, raw, subscribers),
        patternMessage: (_pattern, channel, raw, subscribers) => router.patternMessage(channel, raw, subscribers),
        down: () => {
          for (const entry of this.connections.values()) this.status.update(entry);
        },
        recovered: (channels) => this.subscriptions.resubscribed(this.connections.values(), channels),
        failed: (err) => router.failed(err),
      },
    );
    this.status = new HubStatus(this.redis);
    this.subscriptions = new SubscriptionOpener({
      hub: options.hub,
      prefix,
      redis: this.redis,
      admission: new SubscriptionAdmission(options.hub, this.redis),
      recovery,
      background,
      partitions,
      counters: this.counters,
      status: this.status,
    });
    this.connections = new ConnectionRegistry(this.counters, (sub) => this.subscriptions.drop(sub));
    this.streamPlanner = new SseStreamPlanner(options, this.counters, partitions, topicOf);
    this.streams = new SseStreamOpener(this.connections, this.subscriptions, replay, this.limits, this.counters);
  }

  /**
   * Registers a connected socket, who it is (what the gateway's handshake verified) and until when its
   * credentials hold (`options.expiresAt`: then it gets `server_disconnect { reason: 'token-expired' }`).
   */
  attach(socket: RealtimeHubSocket, principal: unknown, options: AttachOptions = {}): void {
    this.connections.register(new SocketConnection(socket, principal, this.limits, this.counters), options);
    socket.once('disconnect', () => this.detach(socket));
  }

  detach(socket: RealtimeHubSocket): void {
    this.connections.detach(socket.id);
  }

  /**
   * Checks an SSE stream request (docs/sse.md) before anything is written or subscribed: the channels, the
   * cursor (it may name only channels of this request, at positions their partitions have reached), and that
   * `principal` may read every channel (`hub.canSubscribe`, the hook socket subscriptions go through).
   * Throws `SseStreamRefusedError` with the reason; the caller answers it with a 4xx.
   */
  planStream(principal: unknown, request: SseStreamRequest): Promise<SseStreamPlan> {
    return this.streamPlanner.plan(principal, request);
  }

  /**
   * Serves a planned SSE stream on `response` (headers not sent yet): writes the headers and the `retry:`
   * hint, attaches the stream as a hub connection (so it is detached when the response closes, cut `slow`
   * and at `expiresAt` like a socket), then subscribes its channels, replaying from the cursor where it had
   * one. Each channel's outcome is sent as a `status` message with the socket.io subscribe ack's JSON.
   * Resolves once every channel is subscribed (and replayed).
   */
  openStream(
    response: ServerResponse,
    principal: unknown,
    plan: SseStreamPlan,
    options: SseStreamOptions,
  ): Promise<void> {
    return this.streams.open(response, principal, plan, options);
  }

  /** A client's `subscribe` message (untrusted), answered with its ack once subscribed (and replayed). */
  async subscribe(socket: RealtimeHubSocket, raw: unknown): Promise<SubscribeAck> {
    const refuse = (error: string) => this.subscriptions.refuse({ error });
    const entry = this.connections.get(socket.id);
    if (!entry || entry.connection.closed) return refuse('not attached to the realtime hub');
    if (entry.gone) {
      this.connections.expire(entry);
      return refuse(TOKEN_EXPIRED);
    }
    if (this.options.redis === false) return refuse('realtime is disabled on this gateway (redis: false)');
    const request = checkSubscribe(raw, this.rules);
    if ('error' in request) return this.subscriptions.refuse(request);
    if ('pattern' in request) return this.subscriptions.pattern(entry, request.pattern, request.conflate);
    return this.subscriptions.channel(entry, request.channel, request.source, request.from, request.conflate);
  }

  /** A client's `unsubscribe` message (untrusted). */
  async unsubscribe(socket: RealtimeHubSocket, raw: unknown): Promise<UnsubscribeAck> {
    const request = checkUnsubscribe(raw);
    if ('error' in request) return { ok: false, ...request };
    const entry = this.connections.get(socket.id);
    if (!entry) return { ok: false, ...request.target, error: 'not attached to the realtime hub' };
    return this.subscriptions.close(entry, request.key, request.target);
  }

  metrics(): RealtimeHubMetrics {
    const { redis, replay, counters } = this;
    return hubMetrics({ entries: this.connections.values(), redis, replay, counters });
  }

  /**
   * Ends every SSE stream before the HTTP server closes: the server waits for open responses, and a stream
   * never ends by itself. Clients reconnect (to another instance) with their last `id`.
   */
  beforeApplicationShutdown(): void {
    this.streams.endAll();
  }

  async onApplicationShutdown(): Promise<void> {
    this.connections.closeAll();
    await this.redis.close();
  }

  /** Where the hub's Redis subscriber connection comes from; undefined: the library's default. */
  protected redisConnector(): (() => Redis) | undefined {
    return undefined;
  }
}
