/** Who an event is about. Routes the Kafka topic and key and the Redis channel. */
export interface EventSource {
  /** `^[a-z0-9][a-z0-9_-]{0,63}$`, e.g. `order`. */
  type: string;
  /** 1–256 printable characters; no whitespace, control characters, lone surrogates or glob metacharacters `* ? [ ] \`. */
  id: string;
}

/** What a user publishes (docs/protocol.md "Event envelope"). */
export interface DualStreamEvent<T = unknown> {
  /** Defaults to a UUIDv7; also the idempotency key downstream. */
  id?: string;
  /** `^[a-z0-9][a-z0-9._-]{0,127}$`, e.g. `order.created`. */
  type: string;
  source: EventSource;
  /** An RFC 3339 date-time with seconds and a zone (`2026-01-01T00:00:00.000Z`); defaults to now. */
  time?: string;
  /** Any value with a JSON form (`null` for none; not a function, a symbol or a `toJSON()` giving undefined). */
  data: T;
  /** String headers carried to Kafka (e.g. W3C `traceparent`); names starting with `ce_` (any case) are reserved. */
  headers?: Record<string, string>;
}

/** An event after validation and defaulting: every field is present. */
export interface NormalizedEvent<T = unknown> extends DualStreamEvent<T> {
  id: string;
  time: string;
  headers: Record<string, string>;
}

/** A Kafka position: what realtime clients resume from. `offset` is a decimal string, as in kafkajs. */
export interface KafkaPosition {
  topic: string;
  partition: number;
  offset: string;
}

export type RealtimeOutcome = 'published' | 'skipped' | 'failed';

/** What `publish()` resolves with once Kafka acknowledged the event (docs/guarantees.md "What it guarantees"). */
export interface PublishReceipt extends KafkaPosition {
  id: string;
  /** What happened to the Redis notification; never a reason for `publish()` to reject. */
  realtime: RealtimeOutcome;
}

/** The Redis Pub/Sub payload (docs/protocol.md "Realtime notification"): ids and position, `data` only when inlining is on and it is small. */
export interface RealtimeNotification<T = unknown> extends KafkaPosition {
  kind?: 'event';
  id: string;
  type: string;
  source: EventSource;
  time: string;
  data?: T;
}

/**
 * Published on `{prefix}events:{source.type}:{source.id}` after Redis came back, for each channel whose
 * notifications were skipped while it was down. `from` is the first skipped position per partition (the
 * gateway replays from just before it); `to` the last one. Gateways recover the range from Kafka.
 */
export interface GapMarker {
  kind: 'gap';
  channel: string;
  topic: string;
  partition: number;
  /** First skipped offset (inclusive). */
  fromOffset: string;
  /** Last skipped offset (inclusive). */
  toOffset: string;
  /** How many notifications were skipped on this channel. */
  skipped: number;
}

export type ChannelMessage = RealtimeNotification | GapMarker;
