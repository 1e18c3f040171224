import { CHANNEL_NAMESPACE } from '../constants.js';
import { InvalidChannelError } from '../errors/invalid-channel.error.js';
import { parseChannel } from '../events/channel-parser.js';
import {
  EVENT_ID_PATTERN,
  EVENT_TYPE_PATTERN,
  isPartition,
  parseOffset,
  sourceProblem,
  timeProblem,
} from '../events/event-rules.js';
import { validateTopicName } from '../events/topic-name.js';
import { rangeGapChannel } from '../events/event-naming.js';
import type { EventSource, GapMarker, RealtimeNotification } from '../interfaces/dual-stream-event.interface.js';

/** A payload read from Redis that passed every check, with its offsets already converted. */
type RedisMessage =
  | { kind: 'event'; event: RealtimeNotification; offset: bigint }
  | { kind: 'gap'; gap: GapMarker; fromOffset: bigint; toOffset: bigint };

/** What the parser says about one payload: a message, or why it was dropped. */
export type RedisMessageParse = RedisMessage | { kind: 'malformed'; problem: string };

/**
 * Where a payload arrived: a source channel (`{prefix}events:{type}:{id}`, whose source and topic every
 * notification and per-channel marker on it must name), the range-gap channel (range markers only), or a
 * channel nothing may arrive on (`problem` says why).
 */
export type RedisRoute =
  | { kind: 'source'; redisChannel: string; source: EventSource; topic?: string }
  | { kind: 'range-gap'; redisChannel: string }
  | { kind: 'refused'; redisChannel: string; problem: string };

/**
 * The one validating parser for what the library reads from Redis Pub/Sub (docs/protocol.md "Realtime
 * notification" and "Gap markers"), used by the realtime hub and by `@OnRealtime` handlers. Redis is not a
 * trusted input: any process that can PUBLISH there can send anything, so every field is checked with the
 * publisher's own rules (`events/event-rules.ts`), offsets must be canonical decimal int64 strings, and a
 * payload must name the source of the channel it arrived on and, given `topicOf` (the gateway's, which must
 * be the publisher's), the topic that source is written to. Unknown fields are ignored.
 */
export class RedisMessageParser {
  private readonly rangeGapChannel: string;

  constructor(
    private readonly prefix: string,
    private readonly topicOf?: (source: EventSource) => string,
  ) {
    this.rangeGapChannel = rangeGapChannel(prefix);
  }

  /**
   * The route of a Redis channel (`refused` when nothing may arrive on it). Computed once per channel by
   * callers that subscribe to it, per message for pattern deliveries.
   */
  route(redisChannel: string): RedisRoute {
    const refused = (problem: string): RedisRoute => ({ kind: 'refused', redisChannel, problem });
    if (redisChannel === this.rangeGapChannel) return { kind: 'range-gap', redisChannel };
    if (!redisChannel.startsWith(this.prefix)) return refused('channel outside the configured prefix');
    let source: EventSource;
    try {
      source = parseChannel(redisChannel.slice(this.prefix.length));
    } catch (err) {
      return refused(
        err instanceof InvalidChannelError ? `not a source channel (${err.reason})` : 'not a source channel',
      );
    }
    try {
      return { kind: 'source', redisChannel, source, topic: this.topicOf?.(source) };
    } catch {
      return refused('kafka.topic(event) threw for this source');
    }
  }

  /** Parses `raw` as it arrived on `route` (a `RedisRoute`, or a channel name to route first). */
  parse(raw: string, at: RedisRoute | string): RedisMessageParse {
    const route = typeof at === 'string' ? this.route(at) : at;
    if (route.kind === 'refused') return malformed(route.problem);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      return malformed('not JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return malformed('not a JSON object');
    const message = value as Record<string, unknown>;
    if (message.kind === 'gap') return this.gap(message, route);
    if (route.kind === 'range-gap') return malformed(`only gap markers belong on ${CHANNEL_NAMESPACE}:gaps`);
    if (message.kind !== undefined && message.kind !== 'event') return malformed('kind must be "event" or "gap"');
    return notification(message, route);
  }

  private gap(message: Record<string, unknown>, route: RedisRoute): RedisMessageParse {
    if (message.channel !== route.redisChannel) return malformed('gap.channel is not the channel it arrived on');
    const topicProblem = topicMismatch(message.topic, route);
    if (topicProblem) return malformed(`gap.${topicProblem}`);
    if (!isPartition(message.partition)) return malformed('gap.partition must be a non-negative integer');
    const fromOffset = parseOffset(message.fromOffset);
    const toOffset = parseOffset(message.toOffset);
    if (fromOffset === undefined || toOffset === undefined) {
      return malformed('gap.fromOffset and gap.toOffset must be decimal int64 strings');
    }
    if (fromOffset > toOffset) return malformed('gap.fromOffset is after gap.toOffset');
    if (!Number.isSafeInteger(message.skipped) || (message.skipped as number) < 0) {
      return malformed('gap.skipped must be a non-negative integer');
    }
    return { kind: 'gap', gap: message as unknown as GapMarker, fromOffset, toOffset };
  }
}

function notification(message: Record<string, unknown>, route: RedisRoute & { kind: 'source' }): RedisMessageParse {
  if (typeof message.id !== 'string' || !EVENT_ID_PATTERN.test(message.id)) return malformed('bad id');
  if (typeof message.type !== 'string' || !EVENT_TYPE_PATTERN.test(message.type)) return malformed('bad type');
  if (timeProblem(message.time) !== undefined) return malformed('bad time');
  const source = message.source as Record<string, unknown> | null;
  if (typeof source !== 'object' || source === null) return malformed('source must be an object');
  if (sourceProblem(source)) return malformed('bad source');
  if (source.type !== route.source.type || source.id !== route.source.id) {
    return malformed('source is not the source of the channel it arrived on');
  }
  const topicProblem = topicMismatch(message.topic, route);
  if (topicProblem) return malformed(topicProblem);
  if (!isPartition(message.partition)) return malformed('partition must be a non-negative integer');
  const offset = parseOffset(message.offset);
  if (offset === undefined) return malformed('offset must be a decimal int64 string');
  return { kind: 'event', event: message as unknown as RealtimeNotification, offset };
}

/** Why `topic` cannot be on `route`: not a topic name, or not the topic the channel's source is written to. */
function topicMismatch(topic: unknown, route: RedisRoute): string | undefined {
  if (typeof topic !== 'string' || validateTopicName(topic) !== undefined) return 'topic is not a Kafka topic name';
  if (route.kind === 'source' && route.topic !== undefined && topic !== route.topic) {
    return `topic is not "${route.topic}", this source's topic`;
  }
  return undefined;
}

const malformed = (problem: string): RedisMessageParse => ({ kind: 'malformed', problem });
