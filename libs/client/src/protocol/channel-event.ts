import type { Position } from '../positions/position.js';

/** The source of an event: `{ type, id }`, the `events:{type}:{id}` of its channel. */
export interface EventSource {
  type: string;
  id: string;
}

/**
 * One event as the SDK hands it to `onEvent`: a gateway notification (docs/protocol.md "Realtime
 * notification") or a read-model row (the envelope plus its position). Unknown fields are kept as they came.
 */
export interface ChannelEvent<TData = unknown> extends Position {
  /** `"event"` on gateway notifications; absent on read-model rows. */
  kind?: 'event';
  id: string;
  type: string;
  source: EventSource;
  time: string;
  /** Present when the gateway inlines it (`realtime.inlineData`) and always on read-model rows. */
  data?: TData;
  /** Read-model rows only: the event's user headers. */
  headers?: Record<string, string>;
}

/** A publisher's gap marker (docs/protocol.md "Gap markers"), as pattern subscribers receive it. */
export interface GapMarker {
  kind: 'gap';
  /** The Redis channel it concerns, with the deployment prefix. */
  channel: string;
  topic: string;
  partition: number;
  fromOffset: string;
  toOffset: string;
  skipped: number;
}
