import type { FetchRecent } from '../catch-up/fetch-recent.js';
import type { Position } from '../positions/position.js';
import type { ChannelEvent, GapMarker } from '../protocol/channel-event.js';

/** Where a delivered event came from. */
export interface DeliveryInfo {
  /** The event's channel (for patterns: the matched channel). */
  channel: string;
  /** Set for deliveries of a pattern subscription. */
  pattern?: string;
  /** `gateway`: live or replayed from Kafka by the gateway. `read-model`: read through `fetchRecent`. */
  origin: 'gateway' | 'read-model';
}

/**
 * Why the SDK could not hand over one gap-free stream:
 * - `resume-refused`: the gateway could not replay everything since the last delivered event
 *   (`recovered: false`) and no `fetchRecent` was given;
 * - `read-model-pruned`: neither could the read model (it no longer holds the last delivered event);
 * - `read-model-stalled`: the read model stayed behind (or kept failing) for `fillTimeoutMs`;
 * - `held-overflow`: live events kept overflowing `maxHeldEvents` while the subscription resubscribed;
 * - `gateway-recovery`: the gateway reported a hole from a recovery of its own (`recovery` message), and
 *   neither `fetchRecent` nor `onGap` was given.
 */
export type ResetReason =
  'resume-refused' | 'read-model-pruned' | 'read-model-stalled' | 'held-overflow' | 'gateway-recovery';

export interface ResetInfo {
  channel: string;
  reason: ResetReason;
  /** Why the gateway could not replay (`scan-limit`, `timeout`, `retention`, ...), when it said. */
  gatewayReason?: string;
  /** `gateway-recovery`: what started the gateway's recovery (`gap-marker`, `redis-reconnect`, ...). */
  cause?: string;
  /** The last position the SDK had handed over before the hole. */
  position?: Position;
}

export interface GapInfo {
  channel: string;
  /** Set for a pattern subscription's gap marker. */
  pattern?: string;
  /** `gap-marker` for a pattern's marker; for a channel, the gateway's `recovery` reason (`scan-limit`, ...). */
  reason: string;
  /** For a channel: what started the gateway's recovery (`gap-marker`, `redis-reconnect`, ...). */
  cause?: string;
  /** The publisher's marker (pattern subscriptions). */
  gap?: GapMarker;
}

/** Handlers shared by channel subscriptions and `joinMidStream`. */
export interface ChannelHandlers<TData = unknown> {
  /** Each event once, in offset order. An exception is reported (`onError`) and delivery goes on. */
  onEvent(event: ChannelEvent<TData>, info: DeliveryInfo): void;
  /**
   * The stream has a hole the SDK could not fill: reload the channel's state from the read model. Delivery
   * continues live afterwards. @default undefined (reported as an error event of the client)
   */
  onReset?(info: ResetInfo): void;
  /**
   * The gateway reported that one of its own recoveries (after a publisher's gap marker or a Redis restart)
   * left a hole that `fetchRecent` could not fill (or none was given); called before any event after the hole.
   * @default undefined (onReset is called instead)
   */
  onGap?(info: GapInfo): void;
  /** A refused subscribe, a failing `fetchRecent`, a throwing handler. @default the client's `error` event */
  onError?(error: Error): void;
  /**
   * Keep only the newest queued event while the client is behind (dashboards; skipped events are gone for good).
   * @default false
   */
  conflate?: boolean;
}

export interface SubscribeOptions<TData = unknown> extends ChannelHandlers<TData> {
  /**
   * The last event the app already has: the gateway replays everything after it.
   * @default undefined (live from now)
   */
  from?: Position;
  /**
   * The app's read model: when the gateway refuses a resume (`recovered: false`) or reports a hole of its own
   * (`recovery`), the SDK fills the hole from it, then continues live. @default undefined (onReset/onGap instead)
   */
  fetchRecent?: FetchRecent;
}

export interface PatternSubscribeOptions<TData = unknown> {
  /** Each live event of a matching channel (patterns are live only: no replay, no resume, no dedupe). */
  onEvent(event: ChannelEvent<TData>, info: DeliveryInfo): void;
  /** A publisher's gap marker on a matching channel: reload those channels if you need their missed events. */
  onGap?(info: GapInfo): void;
  /** @default the client's `error` event */
  onError?(error: Error): void;
  /** @default false */
  conflate?: boolean;
}

/** Ends a subscription (idempotent). */
export type Unsubscribe = () => void;
