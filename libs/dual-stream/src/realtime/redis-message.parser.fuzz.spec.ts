import fc from 'fast-check';
import {
  channelOf,
  eventId,
  eventSource,
  eventTime,
  eventType,
  fuzzParameters,
  hostileKey,
  hostileString,
  jsonish,
  nearMiss,
  offsetLike,
  outcomeOf,
  partitionLike,
  timeLike,
  withValueAt,
} from '../../../../test/support/fuzz-arbitraries.js';
import { parseChannel } from '../events/channel-parser.js';
import { rangeGapChannel } from '../events/event-naming.js';
import { isPartition, parseOffset } from '../events/event-rules.js';
import { prepareEvent } from '../events/event-validator.js';
import { validateTopicName } from '../events/topic-name.js';
import type { EventSource } from '../interfaces/dual-stream-event.interface.js';
import { RedisMessageParser, type RedisMessageParse } from './redis-message.parser.js';

const topicOf = (source: EventSource) => `events.${source.type}`;
/** Gateways (with the publisher's `kafka.topic`) and `@OnRealtime` handlers (without), under plain and glob prefixes. */
const parsers = fc.constantFrom(
  ...['', 'app:', 'a*[b]:'].flatMap((prefix) => [
    { prefix, topicOf, parser: new RedisMessageParser(prefix, topicOf) },
    { prefix, topicOf: undefined, parser: new RedisMessageParser(prefix) },
  ]),
);

const offset = fc.bigInt({ min: 0n, max: 2n ** 63n - 1n });
const notificationFor = (source: EventSource) =>
  fc.record(
    {
      kind: fc.constant('event'),
      id: eventId,
      type: eventType,
      source: fc.constant(source),
      time: fc.oneof({ weight: 3, arbitrary: eventTime }, { weight: 1, arbitrary: timeLike }),
      topic: fc.constant(topicOf(source)),
      partition: fc.integer({ min: 0, max: 1_000_000 }),
      offset: offset.map(String),
      data: fc.jsonValue({ maxDepth: 2 }),
    },
    { requiredKeys: ['id', 'type', 'source', 'time', 'topic', 'partition', 'offset'] },
  );
const gapFor = (channel: string, topic: string) =>
  fc.tuple(offset, offset, fc.nat(), fc.integer({ min: 0, max: 1_000_000 })).map(([a, b, skipped, partition]) => ({
    kind: 'gap',
    channel,
    topic,
    partition,
    fromOffset: String(a < b ? a : b),
    toOffset: String(a < b ? b : a),
    skipped,
  }));
/** A field replaced (or removed) by anything JSON, or by a near miss of what such fields hold. */
const mutation = fc.record({
  path: fc.oneof(
    fc.constantFrom(
      ...['kind', 'id', 'type', 'source', 'time', 'topic', 'partition', 'offset', 'channel', 'skipped'].map((k) => [k]),
      ['fromOffset'],
      ['toOffset'],
      ['source', 'type'],
      ['source', 'id'],
    ),
    fc.tuple(hostileKey),
  ),
  value: fc.oneof(
    jsonish,
    offsetLike,
    partitionLike,
    timeLike,
    nearMiss(eventType),
    nearMiss(eventId),
    hostileString(),
  ),
  remove: fc.boolean(),
});

/** A Redis channel and a payload on it: well-formed ones, one field mutated, JSON of anything, any text. */
const delivery = fc
  .tuple(parsers, eventSource, fc.constantFrom('source', 'source', 'source', 'range-gap', 'other'), hostileString())
  .chain(([setup, source, where, junk]) => {
    const channel =
      where === 'source'
        ? `${setup.prefix}${channelOf(source)}`
        : where === 'range-gap'
          ? rangeGapChannel(setup.prefix)
          : junk;
    const valid = fc.oneof(notificationFor(source), gapFor(channel, topicOf(source)));
    const payload = fc.oneof(
      { weight: 2, arbitrary: valid.map((v) => JSON.stringify(v)) },
      {
        weight: 4,
        arbitrary: fc
          .tuple(valid, mutation)
          .map(([v, m]) => JSON.stringify(withValueAt(v, m.path, m.value, m.remove) ?? null)),
      },
      { weight: 1, arbitrary: fc.tuple(valid, fc.nat()).map(([v, cut]) => JSON.stringify(v).slice(0, cut % 200)) },
      { weight: 1, arbitrary: jsonish.map((v) => JSON.stringify(v) ?? 'null') },
      { weight: 1, arbitrary: hostileString() },
    );
    return fc.tuple(fc.constant(setup), fc.constant(channel), payload);
  });

/** Everything an accepted message must satisfy, re-checked from the raw payload with the publisher's own rules. */
function checkAccepted(
  result: RedisMessageParse,
  raw: string,
  channel: string,
  setup: { prefix: string; topicOf?: typeof topicOf },
) {
  const message = JSON.parse(raw) as Record<string, unknown>;
  const routeSource = outcomeOf(() => parseChannel(channel.slice(setup.prefix.length)));
  const expectedTopic = routeSource.ok && setup.topicOf ? setup.topicOf(routeSource.value) : undefined;
  expect(validateTopicName(message.topic)).toBeUndefined();
  if (expectedTopic !== undefined) expect(message.topic).toBe(expectedTopic);
  expect(isPartition(message.partition)).toBe(true);
  if (result.kind === 'event') {
    expect(result.event).toEqual(message);
    expect(channel.startsWith(setup.prefix) && routeSource.ok).toBe(true);
    expect(message.kind === undefined || message.kind === 'event').toBe(true);
    const { id, type, source, time } = result.event;
    expect(source).toEqual(routeSource.ok && routeSource.value);
    // A notification the publisher could have sent: its id, type, source and time pass the publisher's rules.
    expect(outcomeOf(() => prepareEvent({ id, type, source, time, data: null }, 1 << 20)).ok).toBe(true);
    expect(String(result.offset)).toBe(message.offset);
    expect(parseOffset(message.offset)).toBe(result.offset);
  } else if (result.kind === 'gap') {
    expect(result.gap).toEqual(message);
    expect(message.kind).toBe('gap');
    expect(message.channel).toBe(channel);
    expect(channel === rangeGapChannel(setup.prefix) || (channel.startsWith(setup.prefix) && routeSource.ok)).toBe(
      true,
    );
    expect([parseOffset(message.fromOffset), parseOffset(message.toOffset)]).toEqual([
      result.fromOffset,
      result.toOffset,
    ]);
    expect(result.fromOffset <= result.toOffset).toBe(true);
    expect(Number.isSafeInteger(message.skipped) && (message.skipped as number) >= 0).toBe(true);
  }
}

describe('Redis message parser (fuzz)', () => {
  it('turns any payload on any channel into a fully valid notification or gap marker, or a drop; never throws', () => {
    fc.assert(
      fc.property(delivery, ([setup, channel, raw]) => {
        const { parser } = setup;
        const result = parser.parse(raw, channel);
        const route = parser.route(channel);
        // Routing once per channel (SUBSCRIBE) or per message (pattern deliveries) gives the same answer.
        expect(parser.parse(raw, route)).toEqual(result);
        if (result.kind === 'malformed') {
          expect(typeof result.problem === 'string' && result.problem.length > 0).toBe(true);
          return;
        }
        expect(['event', 'gap']).toContain(result.kind);
        checkAccepted(result, raw, channel, setup);
      }),
      fuzzParameters(800),
    );
  });
});
