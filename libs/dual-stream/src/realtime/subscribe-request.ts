import { parseChannel } from '../events/channel-parser.js';
import { isPartition, parseOffset } from '../events/event-rules.js';
import type { EventSource, KafkaPosition } from '../interfaces/dual-stream-event.interface.js';
import { PATTERNS_NOT_SHARDED } from '../errors/pattern-not-sharded.error.js';
import { validatePattern } from './channel-names.js';
import type { SubscribeRequest } from './realtime-hub.interfaces.js';

/** Longest channel or pattern echoed back in an ack. */
const MAX_ECHO = 300;

/** A `subscribe` message that passed every check that needs no I/O (docs/protocol.md "Socket protocol"). */
type CheckedSubscribe =
  | { channel: string; source: EventSource; from: KafkaPosition | undefined; conflate: boolean }
  | { pattern: string; conflate: boolean };

/** Why a message was refused, with the channel or pattern as an ack may echo it. */
export interface RequestProblem {
  channel?: string;
  pattern?: string;
  error: string;
}

/** What the checks of a `subscribe` need to know about the deployment. */
export interface SubscribeRules {
  /** The topic a source's events are written to (`from` must name it). */
  topicOf: (source: EventSource) => string;
  /** Sharded Pub/Sub (a Redis Cluster): no patterns. */
  sharded: boolean;
}

/**
 * The one validating parser of a client's `subscribe` message (untrusted): exactly one of a valid channel (with
 * an optional `from` on its own topic) or a valid pattern (live only, not on a sharded deployment).
 */
export function checkSubscribe(raw: unknown, rules: SubscribeRules): CheckedSubscribe | RequestProblem {
  const request = asRequest(raw);
  const conflate = request.conflate === true;
  if (request.pattern !== undefined) {
    let pattern: string;
    try {
      pattern = validatePattern(request.pattern);
    } catch (err) {
      return { ...echo(request), error: (err as Error).message };
    }
    if (request.from !== undefined) return { pattern, error: 'patterns are live only: `from` is not supported' };
    if (rules.sharded) return { pattern, error: PATTERNS_NOT_SHARDED };
    return { pattern, conflate };
  }
  if (request.channel === undefined) return { error: 'subscribe needs a `channel` or a `pattern`' };
  let source: EventSource;
  try {
    source = parseChannel(request.channel);
  } catch (err) {
    return { ...echo(request), error: (err as Error).message };
  }
  const channel = request.channel;
  try {
    return { channel, source, from: readFrom(request.from, rules.topicOf(source)), conflate };
  } catch (err) {
    return { channel, error: (err as Error).message };
  }
}

/** A client's `unsubscribe` message: the subscription's key (`c:{channel}` / `p:{pattern}`) and the ack's echo. */
export function checkUnsubscribe(
  raw: unknown,
): { key: string; target: Omit<RequestProblem, 'error'> } | RequestProblem {
  const request = asRequest(raw);
  const target = echo(request);
  if (target.pattern !== undefined) return { key: `p:${request.pattern as string}`, target };
  if (target.channel !== undefined) return { key: `c:${request.channel as string}`, target };
  return { ...target, error: 'unsubscribe needs a `channel` or a `pattern`' };
}

/**
 * Validates a client's `from` against the topic its channel's events are written to: a client may only make
 * the gateway read that topic (and only records of its own source are ever sent).
 */
export function readFrom(raw: unknown, expectedTopic: string): KafkaPosition | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object') throw new Error('`from` must be { topic, partition, offset }');
  const { topic, partition, offset } = raw as Record<string, unknown>;
  if (topic !== expectedTopic) throw new Error(`\`from.topic\` must be "${expectedTopic}" for this channel`);
  if (!isPartition(partition)) throw new Error('`from.partition` must be a non-negative integer');
  const text = typeof offset === 'number' && Number.isSafeInteger(offset) ? String(offset) : offset;
  // The message predates the int64 bound; a client never holds an offset past it anyway.
  if (parseOffset(text) === undefined) throw new Error('`from.offset` must be a non-negative decimal string');
  return { topic, partition, offset: text as string };
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
