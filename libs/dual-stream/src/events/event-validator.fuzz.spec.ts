import fc from 'fast-check';
import {
  eventId,
  eventSource,
  eventType,
  fingerprint,
  fuzzParameters,
  headerValue,
  hostileKey,
  hostileString,
  hostileValue,
  isWellFormed,
  nearMiss,
  outcomeOf,
  sourceId,
  sourceType,
  timeLike,
  validEvent,
  withValueAt,
  type Outcome,
} from '../../../../test/support/fuzz-arbitraries.js';
import { InvalidEventError } from '../errors/invalid-event.error.js';
import type { DualStreamEvent } from '../interfaces/dual-stream-event.interface.js';
import { parseEnvelope } from '../transport/envelope-parser.js';
import { parseChannel } from './channel-parser.js';
import { channelFor, sourceKey } from './event-naming.js';
import { prepareBatch, prepareEvent, type PreparedEvent } from './event-validator.js';

const MAX = 1024 * 1024;
const FIELDS = ['id', 'type', 'source', 'time', 'data', 'headers'];

/**
 * The oracle: docs/protocol.md "Event envelope", read independently of the validator. `either` where the
 * document leaves room (time formats `Date.parse` takes beyond RFC 3339, `CE_` header names in other cases).
 */
type Verdict = 'valid' | 'either' | 'invalid';
const RFC_3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;
const SOURCE_ID_FORBIDDEN = /[*?[\]\\\s\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function timeVerdict(time: unknown): Verdict {
  if (time === undefined) return 'valid';
  if (typeof time !== 'string' || Number.isNaN(Date.parse(time))) return 'invalid';
  const m = RFC_3339.exec(time);
  if (!m) return 'either';
  const [year, month, day, hour, minute, second, offsetHour = 0, offsetMinute = 0] = [1, 2, 3, 4, 5, 6, 9, 10].map(
    (i) => Number(m[i] ?? 0),
  );
  const real = new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day && month >= 1 && month <= 12;
  return real && hour < 24 && minute < 60 && second < 60 && offsetHour < 24 && offsetMinute < 60 ? 'valid' : 'either';
}

function sourceVerdict(source: unknown): Verdict {
  if (!isObject(source) || Object.keys(source).some((k) => k !== 'type' && k !== 'id')) return 'invalid';
  const { type, id } = source;
  if (typeof type !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,63}$/.test(type)) return 'invalid';
  if (typeof id !== 'string' || id.length < 1 || id.length > 256) return 'invalid';
  // The id becomes a Redis channel and a Kafka key, both UTF-8: a lone surrogate would not survive.
  return SOURCE_ID_FORBIDDEN.test(id) || !isWellFormed(id) ? 'invalid' : 'valid';
}

function headersVerdict(headers: unknown): Verdict {
  if (headers === undefined) return 'valid';
  if (!isObject(headers)) return 'invalid';
  const prototype = Object.getPrototypeOf(headers) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return 'invalid'; // a Map would lose its entries
  let verdict: Verdict = 'valid';
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string' || name.startsWith('ce_')) return 'invalid';
    // Kafka headers are UTF-8: a lone surrogate would reach consumers as U+FFFD.
    if (!isWellFormed(name) || !isWellFormed(value)) return 'invalid';
    if (/^ce_/i.test(name)) verdict = 'either';
  }
  return verdict;
}

function hasJsonForm(data: unknown): boolean {
  try {
    return data !== undefined && JSON.stringify(data) !== undefined;
  } catch {
    return false;
  }
}

function oracle(input: unknown): Verdict {
  try {
    if (!isObject(input) || Object.keys(input).some((k) => !FIELDS.includes(k))) return 'invalid';
    const e = input;
    if (e.id !== undefined && (typeof e.id !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(e.id))) return 'invalid';
    if (typeof e.type !== 'string' || !/^[a-z0-9][a-z0-9._-]{0,127}$/.test(e.type)) return 'invalid';
    if (!hasJsonForm(e.data)) return 'invalid';
    const verdicts = [sourceVerdict(e.source), timeVerdict(e.time), headersVerdict(e.headers)];
    return verdicts.includes('invalid') ? 'invalid' : verdicts.includes('either') ? 'either' : 'valid';
  } catch {
    return 'invalid'; // a getter or a proxy trap threw while reading it
  }
}

/** Every path a problem may name for `input`: the event, a field, an own key, or one inside source/headers. */
function pathsInside(input: unknown): Set<string> {
  const paths = new Set(['', ...FIELDS, 'source.type', 'source.id']);
  const add = (prefix: string, value: unknown) => {
    try {
      if (typeof value === 'object' && value !== null) for (const key of Object.keys(value)) paths.add(prefix + key);
    } catch {}
  };
  add('', input);
  try {
    add('source.', (input as Record<string, unknown>).source);
    add('headers.', (input as Record<string, unknown>).headers);
  } catch {}
  return paths;
}

/** What must hold for an event the validator accepted. */
function checkAccepted(input: DualStreamEvent, prepared: PreparedEvent, maxEventBytes: number): void {
  const { event, json, bytes } = prepared;
  expect(bytes).toBe(Buffer.byteLength(json));
  expect(bytes).toBeLessThanOrEqual(maxEventBytes);
  expect(Buffer.from(json).toString()).toBe(json);
  const parsed = JSON.parse(json) as Record<string, unknown>;
  // The record value holds every field, `data` included (JSON.stringify drops a key whose value has no JSON form).
  expect(Object.keys(parsed)).toEqual(FIELDS);
  expect(parsed).toMatchObject({ id: event.id, type: input.type, time: event.time, source: input.source });
  expect(parsed.headers).toEqual(input.headers ?? {});
  if (input.id !== undefined) expect(event.id).toBe(input.id);
  if (input.time !== undefined) expect(event.time).toBe(input.time);
  // Idempotent: the serialized form validates again, to the same bytes.
  expect(prepareEvent(parsed as unknown as DualStreamEvent, maxEventBytes).json).toBe(json);
  // What a consumer parses is what was published.
  expect(parseEnvelope(Buffer.from(json))).toEqual(parsed);
  // The source names exactly one channel and one Kafka key, and both survive UTF-8.
  const channel = channelFor('', event.source);
  expect(parseChannel(channel)).toEqual(event.source);
  expect(Buffer.from(channel).toString()).toBe(channel);
  expect(Buffer.from(sourceKey(event.source)).toString()).toBe(sourceKey(event.source));
}

function problemsOf(outcome: Outcome<unknown>) {
  expect(outcome.ok).toBe(false);
  const { error } = outcome as { error: unknown };
  expect(error).toBeInstanceOf(InvalidEventError);
  const { problems, message } = error as InvalidEventError;
  expect(typeof message).toBe('string');
  expect(problems.length).toBeGreaterThan(0);
  // One assertion over all problems: an `expect` per problem took seconds on a batch of 100,000 holes.
  expect(problems.filter((p) => typeof p.message !== 'string' || p.message.length === 0)).toEqual([]);
  return problems;
}

/** Calls `prepareEvent` and checks the properties every outcome must have; returns the problems when refused. */
function prepareChecked(input: unknown, maxEventBytes: number) {
  const before = fingerprint(input);
  const verdict = oracle(input);
  const outcome = outcomeOf(() => prepareEvent(input as DualStreamEvent, maxEventBytes));
  expect(fingerprint(input)).toBe(before);
  if (outcome.ok) {
    expect(verdict).not.toBe('invalid');
    checkAccepted(input as DualStreamEvent, outcome.value, maxEventBytes);
    return undefined;
  }
  const problems = problemsOf(outcome);
  const inside = pathsInside(input);
  for (const p of problems) {
    expect(inside.has(p.path)).toBe(true);
    expect(p.index).toBeUndefined();
  }
  // A valid event is refused only for its size.
  if (verdict === 'valid') expect(problems).toEqual([{ path: '', message: expect.stringMatching(/maxEventBytes/) }]);
  return problems;
}

const FIELD_PATHS = [
  ['id'],
  ['type'],
  ['time'],
  ['data'],
  ['headers'],
  ['source'],
  ['source', 'type'],
  ['source', 'id'],
];
/** A replacement for one field: hostile anything, or a near miss of what that field takes. */
const replacement = fc.oneof(
  { weight: 3, arbitrary: hostileValue },
  { weight: 1, arbitrary: nearMiss(eventType) },
  { weight: 1, arbitrary: nearMiss(eventId) },
  { weight: 1, arbitrary: nearMiss(sourceType) },
  { weight: 2, arbitrary: nearMiss(sourceId) },
  { weight: 1, arbitrary: timeLike },
  { weight: 1, arbitrary: headerValue },
);
const mutation = fc.record({
  path: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...FIELD_PATHS) },
    { weight: 1, arbitrary: fc.tuple(hostileKey) },
    { weight: 1, arbitrary: fc.tuple(fc.constant('source'), hostileKey) },
    { weight: 2, arbitrary: fc.tuple(fc.constant('headers'), hostileKey) },
  ),
  value: replacement,
  remove: fc.boolean(),
});
const maxEventBytes = fc.oneof({ weight: 4, arbitrary: fc.constant(MAX) }, fc.integer({ min: 0, max: 600 }));

/** An object shaped like an event whose every field is valid, hostile or absent. */
const eventShaped = fc.record(
  {
    id: fc.oneof(eventId, hostileValue),
    type: fc.oneof(eventType, hostileValue),
    source: fc.oneof(eventSource, hostileValue, fc.record({ type: hostileString(), id: hostileString() })),
    time: fc.oneof(timeLike, hostileValue),
    data: hostileValue,
    headers: fc.oneof(fc.dictionary(hostileKey, fc.oneof(headerValue, hostileValue), { maxKeys: 3 }), hostileValue),
  },
  { requiredKeys: [] },
);

describe('event validator (fuzz)', () => {
  it('accepts every event of the model of valid events, and what it prepares is the envelope, byte for byte', () => {
    fc.assert(
      fc.property(validEvent, (event) => {
        expect(prepareChecked(event, MAX)).toBeUndefined();
      }),
      fuzzParameters(200),
    );
  });

  it('refuses a valid event mutated at one field with InvalidEventError naming that field, or accepts it when the mutation is valid', () => {
    fc.assert(
      fc.property(validEvent, mutation, maxEventBytes, (event, { path, value, remove }, max) => {
        const input = withValueAt(event, path, value, remove);
        const problems = prepareChecked(input, max);
        const at = path.join('.');
        for (const p of problems ?? []) {
          expect(p.path === '' || p.path === at || p.path.startsWith(`${at}.`) || at.startsWith(`${p.path}.`)).toBe(
            true,
          );
        }
      }),
      fuzzParameters(250),
    );
  });

  it('answers anything (non-objects, cyclic, getters and toJSON that throw, BigInt, proxies) with an event or InvalidEventError only', () => {
    fc.assert(
      fc.property(fc.oneof(hostileValue, eventShaped), maxEventBytes, (input, max) => {
        prepareChecked(input, max);
      }),
      fuzzParameters(250),
    );
  });

  it('prepares a batch all or nothing: one event per index, or InvalidEventError whose indexes are the refused events', () => {
    const element = fc.oneof(validEvent, validEvent, eventShaped, hostileValue);
    const batch = fc.oneof(
      { weight: 4, arbitrary: fc.array(element, { maxLength: 5 }) },
      { weight: 1, arbitrary: fc.sparseArray(validEvent, { maxLength: 5 }) },
      { weight: 1, arbitrary: fc.array(validEvent, { maxLength: 3 }).map((a) => Object.assign(a, { forEach() {} })) },
      { weight: 1, arbitrary: hostileValue },
    );
    fc.assert(
      fc.property(batch, (inputs) => {
        const before = fingerprint(inputs);
        const outcome = outcomeOf(() => prepareBatch(inputs as DualStreamEvent[], MAX));
        expect(fingerprint(inputs)).toBe(before);
        if (!Array.isArray(inputs)) {
          expect(problemsOf(outcome)).toEqual([{ path: '', message: 'events must be an array' }]);
          return;
        }
        // One verdict per distinct element: an array of 100,000 holes is one `undefined` asked about once, not
        // 100,000 thrown errors (that alone took seconds).
        const verdicts = new Map<unknown, boolean>();
        const refused = new Set<number>();
        for (let i = 0; i < inputs.length; i++) {
          // Reading the element may itself throw (a getter at that index): then the element is refused.
          const read = outcomeOf((): unknown => inputs[i]);
          if (!read.ok) {
            refused.add(i);
            continue;
          }
          const element = read.value;
          let ok = verdicts.get(element);
          if (ok === undefined) {
            ok = outcomeOf(() => prepareEvent(element as DualStreamEvent, MAX)).ok;
            verdicts.set(element, ok);
          }
          if (!ok) refused.add(i);
        }
        if (outcome.ok) {
          expect(refused.size).toBe(0);
          expect(outcome.value.map((p) => p.event.type)).toEqual(inputs.map((e) => (e as DualStreamEvent).type));
          return;
        }
        const indexes = new Set(problemsOf(outcome).map((p) => p.index));
        // Compared as sets with a short report: `toEqual` on two 100,000-element arrays takes seconds.
        const missing = [...refused].filter((i) => !indexes.has(i)).slice(0, 5);
        const extra = [...indexes].filter((i) => !refused.has(i as number)).slice(0, 5);
        expect({ missing, extra }).toEqual({ missing: [], extra: [] });
      }),
      fuzzParameters(150),
    );
  });
});
