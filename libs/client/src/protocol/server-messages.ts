import type { ChannelEvent, GapMarker } from './channel-event.js';

/** `event` from the gateway (docs/protocol.md "Socket protocol", server → client). */
export interface EventMessage {
  channel: string;
  /** Set for deliveries of a pattern subscription. */
  pattern?: string;
  event: ChannelEvent;
}

/** `gap`: a publisher's gap marker on a channel matching a pattern subscription. */
export interface GapMessage {
  channel: string;
  pattern: string;
  gap: GapMarker;
}

/** The gateway's state for this connection (`status`). */
export type GatewayState = 'live' | 'recovering' | 'degraded';

/** `recovery`: a background recovery of a channel subscription could not replay every missed event. */
export interface RecoveryMessage {
  channel: string;
  recovered: false;
  /** Why (`scan-limit`, `timeout`, `retention`, ...); older gateways put the cause here. */
  reason: string;
  /** What started it: `gap-marker`, `range-gap-marker`, `redis-reconnect`, `held-overflow`. */
  cause?: string;
}

/** Subscribe ack (docs/protocol.md "Socket protocol"). */
export type SubscribeAck =
  | { ok: true; channel?: string; pattern?: string; recovered: boolean; replayed: number; reason?: string }
  | { ok: false; channel?: string; pattern?: string; error: string };
