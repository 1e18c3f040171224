import type { GapMarker, KafkaPosition, RealtimeNotification } from '../interfaces/dual-stream-event.interface.js';
import type { ReplayReason } from '../replay/kafka-replay.service.js';

/** Why a recovery has a hole: its replay's reason, or `overflow` (live traffic kept overflowing the buffer). */
export type RecoveryReason = ReplayReason | 'overflow';

/** `subscribe` from a client (docs/protocol.md "Socket protocol"). Exactly one of `channel` and `pattern`. */
export interface SubscribeRequest {
  /** `events:{source.type}:{source.id}`, without the deployment's channel prefix. */
  channel?: string;
  /** `events:order:*` style (a `*` only at a segment's end); live only, no replay; needs `canSubscribePattern`. */
  pattern?: string;
  /** Position of the last event the client holds: the gateway replays later ones from Kafka. */
  from?: KafkaPosition;
  /** Keep only the latest queued event of this subscription when the client falls behind (dashboards). */
  conflate?: boolean;
}

export type SubscribeAck =
  | { ok: true; channel: string; recovered: boolean; replayed: number; reason?: RecoveryReason }
  | { ok: true; pattern: string; recovered: boolean; replayed: 0 }
  | { ok: false; channel?: string; pattern?: string; error: string };

/** `unsubscribe` ack: the echo of what was asked (at most 300 characters), and why it failed. */
export type UnsubscribeAck =
  | { ok: true; channel: string }
  | { ok: true; pattern: string }
  | { ok: false; channel?: string; pattern?: string; error: string };

/**
 * What `RealtimeHub` uses of a socket.io server socket; socket.io's `Socket` is one. Declared here, not imported,
 * so that the published types need socket.io (an optional peer dependency) only in apps with a gateway
 * (test/package/driver-types.int-spec.ts).
 */
export interface RealtimeHubSocket {
  readonly id: string;
  /** The namespace the hub encodes its packets for. */
  readonly nsp: { readonly name: string };
  /** The engine.io connection: the hub writes pre-encoded packets to it while it has room, and on `drain`. */
  readonly conn: {
    readonly readyState: string;
    readonly transport: { readonly name: string };
    /** `wsPreEncodedFrame` is read by engine.io's websocket transport (its typings declare only `compress`). */
    write(packet: string, options: { compress?: boolean; wsPreEncodedFrame?: Buffer[] }): unknown;
    on(event: 'drain', listener: () => void): unknown;
    off(event: 'drain', listener: () => void): unknown;
  };
  /** `server_disconnect` before a disconnect; any arguments, so a `Socket` with a typed events map is one too. */
  emit(event: string, ...args: unknown[]): unknown;
  disconnect(close: true): unknown;
  once(event: 'disconnect', listener: () => void): unknown;
}

/** How `RealtimeHub.attach()` treats a connection beyond its principal. */
export interface AttachOptions {
  /**
   * When the connection's credentials expire (ms since the epoch; a JWT's `exp` × 1000). At that moment the
   * hub sends `server_disconnect { reason: 'token-expired' }` and disconnects; subscribes arriving after it
   * are refused. @default undefined (never)
   */
  expiresAt?: number;
}

/**
 * `recovery` emitted when a recovery the client did not ask for (after a gap marker, a Redis reconnect or a
 * forged position) could not replay everything from Kafka: the channel's stream has a hole the client must
 * fill from its read model. A subscribe's own replay answers in its ack instead.
 */
export interface RecoveryMessage {
  channel: string;
  recovered: false;
  /** Why the recovery has a hole, as in a subscribe ack (docs/protocol.md "Positions and cursors"). */
  reason: RecoveryReason;
  /** What made the hub recover the subscription. */
  cause: RecoveryCause;
}

export type RecoveryCause = 'gap-marker' | 'range-gap-marker' | 'redis-reconnect' | 'held-overflow';

/** `event` emitted to clients: the notification, in per-channel order, each at most once. */
export interface EventMessage {
  channel: string;
  /** Set for deliveries of a pattern subscription. */
  pattern?: string;
  event: RealtimeNotification;
}

/** `gap` emitted to pattern subscribers when a publisher reports skipped notifications (they are live only). */
export interface GapMessage {
  channel: string;
  pattern: string;
  gap: GapMarker;
}

/** `status` emitted to a connection whenever its state changes. */
export interface StatusMessage {
  /** `degraded`: Redis is down (no live events; Kafka still has them). `recovering`: replaying from Kafka. */
  state: 'live' | 'recovering' | 'degraded';
}

/** `server_disconnect` emitted right before the hub disconnects a client. */
export interface ServerDisconnectMessage {
  /** `slow`: the outbound queue overflowed. `token-expired`: the credentials given at connect expired. */
  reason: 'slow' | 'token-expired';
}

/** Counters for dashboards and Prometheus (`RealtimeHub.metrics()`); totals since start unless noted. */
export interface RealtimeHubMetrics {
  /** Now: connections attached to the hub. */
  connections: number;
  /** Now: channel subscriptions over all connections. */
  subscriptions: number;
  /** Now: pattern subscriptions over all connections. */
  patternSubscriptions: number;
  /** Now: Redis SUBSCRIBEs / PSUBSCRIBEs this instance holds. */
  redisChannels: number;
  redisPatterns: number;
  /** Now: whether the hub's Redis subscriber is connected. */
  redisUp: boolean;
  /** Now: messages and bytes waiting in the hub's per-connection queues. */
  queuedMessages: number;
  queuedBytes: number;
  /** Now: Kafka replays running in this process (at most `replay.maxConcurrent`). */
  activeReplays: number;
  delivered: number;
  duplicatesDropped: number;
  conflated: number;
  slowDisconnects: number;
  subscribeRefused: number;
  replays: number;
  replaysRecovered: number;
  replaysNotRecovered: number;
  replayedEvents: number;
  /** Recoveries started by a Redis reconnect or a publisher's gap marker. */
  recoveries: number;
  gapMarkers: number;
  /** Payloads from Redis that failed validation and were dropped. */
  malformedMessages: number;
  /** Positions from live messages found at or past the partition's high-water mark (forged), and undone. */
  forgedPositions: number;
  /** Connections disconnected because their token expired. */
  tokenExpiries: number;
  /** `recovery` messages sent (background recoveries that could not close a gap). */
  recoveryNotices: number;
  /** Now: SSE streams attached to the hub (they count in `connections` too). */
  sseStreams: number;
  /** SSE streams opened since start. */
  sseStreamsOpened: number;
  /** Messages written to SSE streams (they count in `delivered` too). */
  sseDelivered: number;
}

/** How `RealtimeHub.openStream()` serves an SSE stream (the gateway reads them from `GATEWAY_SSE_*`). */
export interface SseStreamOptions extends AttachOptions {
  /** Interval of the `: ping` comments that keep idle proxies from closing the stream; 0: none. */
  heartbeatMs: number;
  /** The `retry:` hint: how long a client's `EventSource` waits before it reconnects. */
  retryMs: number;
}
