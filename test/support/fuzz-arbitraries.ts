import fc from 'fast-check';

/*
 * Shared settings and arbitraries of the fuzz specs (`*.fuzz.spec.ts`, next to the parser each one covers; they run
 * in the unit project). Every parser of untrusted input (docs/protocol.md) has one: the event validator, the
 * channel and pattern parsers, the subscribe payload, the Redis message parser, the Kafka envelope parser and the
 * replay's record reader. There is no SSE cursor parser yet: the issue that adds one adds its fuzz spec too.
 *
 * Reproduce a failure: fast-check prints `{ seed: …, path: "…" }`; run the spec again with FUZZ_SEED=… and
 * FUZZ_PATH=… (FUZZ_PATH replays the shrunk counterexample directly). FUZZ_RUNS=… runs every property that many
 * times, for a long hunt on a fast machine (the defaults keep the unit run fast).
 */

/** `fc.assert` parameters: `numRuns` unless FUZZ_RUNS says otherwise, and FUZZ_SEED / FUZZ_PATH to replay. */
export function fuzzParameters<T>(numRuns: number, extra: fc.Parameters<T> = {}): fc.Parameters<T> {
  const { FUZZ_RUNS, FUZZ_SEED, FUZZ_PATH } = process.env;
  return {
    reporter: reportFailure,
    ...extra,
    numRuns: FUZZ_RUNS ? Number(FUZZ_RUNS) : numRuns,
    ...(FUZZ_SEED && { seed: Number(FUZZ_SEED) }),
    ...(FUZZ_PATH && { path: FUZZ_PATH }),
  };
}

/**
 * fast-check's own report, or, when a counterexample cannot even be printed (a getter or a proxy trap throws), the
 * seed, path and error without it: the seed must never be lost.
 */
function reportFailure<T>(details: fc.RunDetails<T>): void {
  if (!details.failed) return;
  let message: string | undefined;
  try {
    message = fc.defaultReportMessage(details);
  } catch {
    const { numRuns, seed, counterexamplePath, errorInstance } = details;
    message =
      `Property failed after ${numRuns} tests\n{ seed: ${seed}, path: "${counterexamplePath}" }\n` +
      `Counterexample: (cannot be printed)\nCause: ${errorInstance instanceof Error ? errorInstance.stack : 'unknown'}`;
  }
  throw new Error(message, { cause: details.errorInstance });
}

// ---- Strings

/** Characters that break naive parsers: controls, separators, format characters, RTL, BOM, glob and JSON syntax. */
const NASTY_CHARACTERS = [
  '\u0000',
  '\t',
  '\n',
  '\r',
  '\u000b',
  '\u001f',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u200b',
  '\u200e',
  '\u202e',
  '\u2028',
  '\u2029',
  '\u2066',
  '\ufeff',
  '\ufffd',
  '\uffff',
  '\ud83d\ude00',
  '*',
  '?',
  '[',
  ']',
  '^',
  '\\',
  ':',
  ' ',
  '"',
  "'",
  '{',
  '}',
  '/',
  '.',
  '..',
  '%',
  '-',
  '_',
  'é',
  'İ',
  'ǅ',
  '١',
  '中',
];

/** No lone surrogate (`String.prototype.isWellFormed`, which the project's ES2023 typings do not have yet). */
export const isWellFormed = (text: string): boolean => !/\p{Cs}/u.test(text);

/** One lone UTF-16 surrogate: valid in a JS string, not in UTF-8 (Redis and Kafka turn it into U+FFFD). */
export const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));

const STRING_UNIT = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...'abcdefxyz0189._-:'.split('')) },
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_CHARACTERS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: loneSurrogate },
);

/**
 * Strings past the protocol's length limits (ids 128/256, patterns 200, topics 249); short enough to print in a
 * counterexample (the specs reach maxEventBytes with a small limit and with 100,000 array holes).
 */
const HUGE_STRINGS = [
  'a'.repeat(129),
  'a'.repeat(257),
  'a'.repeat(4000),
  '\ud800'.repeat(300),
  '9'.repeat(400),
  '*'.repeat(300),
  '['.repeat(2000),
];

/** Any string, biased to short ones made of grammar characters and the nasty characters above. */
export const hostileString = (maxLength = 40): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 20, arbitrary: fc.string({ unit: STRING_UNIT, maxLength }) },
    { weight: 1, arbitrary: fc.constantFrom(...HUGE_STRINGS) },
  );

/** `text` inserted at `at` (modulo the length) of `into`: a near miss of a well-formed value. */
export const insertAt = (into: string, text: string, at: number): string => {
  const i = at % (into.length + 1);
  return into.slice(0, i) + text + into.slice(i);
};

/** A value from `valid`, or one of its near misses: a character inserted, the value repeated past its limit. */
export const nearMiss = (valid: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.oneof(
    valid,
    fc
      .tuple(valid, fc.string({ unit: STRING_UNIT, minLength: 1, maxLength: 2 }), fc.nat())
      .map(([v, c, at]) => insertAt(v, c, at)),
    fc.tuple(valid, fc.integer({ min: 2, max: 300 })).map(([v, times]) => v.repeat(times)),
  );

// ---- Values

const SPECIAL_NUMBERS = [
  NaN,
  -0,
  0,
  1,
  -1,
  0.5,
  1e308,
  -1e308,
  5e-324,
  Infinity,
  -Infinity,
  2 ** 31,
  2 ** 53,
  2 ** 63,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
];

/** Numbers that break naive checks: NaN, -0, infinities, unsafe integers, fractions. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(...SPECIAL_NUMBERS),
  fc.integer(),
  fc.double(),
);

/** Keys that pollute or confuse: `__proto__` (as an own key, as `JSON.parse` makes it), `constructor`, `toJSON`... */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toJSON', 'length', '0', '') },
  { weight: 2, arbitrary: fc.constantFrom('id', 'type', 'source', 'time', 'data', 'headers', 'kind', 'channel') },
  { weight: 3, arbitrary: hostileString(12) },
);

/** An own enumerable data property, even for `__proto__` (what `JSON.parse` produces). */
export const objectFrom = (entries: [string, unknown][]): Record<string, unknown> => Object.fromEntries(entries);

class Thrown extends Error {}

/**
 * Values that are not JSON at all, each built fresh (the specs check that inputs are not mutated), named so that
 * fast-check can print a counterexample without calling their getters.
 */
const EXOTIC_VALUES: [string, () => unknown][] = [
  [
    'cyclic object',
    () => {
      const cyclic: Record<string, unknown> = { a: 1 };
      cyclic.self = cyclic;
      return cyclic;
    },
  ],
  [
    'cyclic array',
    () => {
      const cyclic: unknown[] = [1];
      cyclic.push(cyclic);
      return cyclic;
    },
  ],
  ['toJSON returning a cyclic object', () => ({ nested: { toJSON: () => ({ again: { toJSON: cyclicObject } }) } })],
  ['getter `type` throwing an Error', () => throwingGetter('type', new Thrown('getter threw'))],
  ['getter `data` throwing null', () => throwingGetter('data', null)],
  ['getter `id` throwing undefined', () => throwingGetter('id', undefined)],
  ['getter `source` throwing a Symbol', () => throwingGetter('source', Symbol('thrown'))],
  ['getter `x` throwing a string', () => throwingGetter('x', 'a string')],
  ['toJSON throwing an Error', () => ({ toJSON: throwing(new Thrown('toJSON threw')) })],
  ['toJSON throwing null', () => ({ toJSON: throwing(null) })],
  ['toJSON returning undefined', () => ({ toJSON: () => undefined })],
  ['toJSON returning a BigInt', () => ({ toJSON: () => 1n })],
  ['BigInt', () => 1n],
  ['huge BigInt', () => 2n ** 70n],
  ['Symbol', () => Symbol('s')],
  ['well-known Symbol', () => Symbol.iterator],
  ['function', () => () => 1],
  ['class', () => class Anything {}],
  ['async function', () => async () => 1],
  [
    'array posing as an event',
    () => Object.assign(['a', 'b'], { type: 'order.created', source: { type: 'order', id: 'o-1' }, data: 1 }),
  ],
  ['array with a getter at 0 throwing an Error', () => throwingGetter('0', new Thrown('index getter threw'), [])],
  ['object posing as an array', () => ({ length: 2, 0: 'a', 1: 'b' })],
  ['Proxy throwing on every trap', () => throwingProxy()],
  [
    'null-prototype event',
    () =>
      Object.assign(Object.create(null) as object, { type: 'order.created', source: { type: 'o', id: '1' }, data: 1 }),
  ],
  [
    'JSON with __proto__ and constructor keys',
    () => JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}') as unknown,
  ],
  ['inherited event fields', () => Object.create({ type: 'inherited', source: { type: 'o', id: '1' }, data: 1 })],
  ['Date', () => new Date(0)],
  ['invalid Date', () => new Date(NaN)],
  ['RegExp', () => /re/g],
  ['Map', () => new Map([['a', 1]])],
  ['Set', () => new Set([1])],
  ['Buffer', () => Buffer.from('buf')],
  ['Uint8Array', () => new Uint8Array([1, 2])],
  ['ArrayBuffer', () => new ArrayBuffer(4)],
  ['WeakMap', () => new WeakMap()],
  ['Promise', () => Promise.resolve(1)],
  ['Error', () => new Error('an error')],
  ['boxed String', () => Object('boxed') as unknown],
  ['boxed Number', () => Object(1) as unknown],
  ['sparse array', () => Object.assign([], { 1: 1 })],
  ['array of 100,000 holes', () => new Array(100_000)],
  ['10,000 nested objects', () => nested(10_000, (inner) => ({ inner }))],
  ['10,000 nested arrays', () => nested(10_000, (inner) => [inner])],
];

function cyclicObject(): unknown {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  return cyclic;
}

function throwing(thrown: unknown): () => never {
  return () => {
    throw thrown;
  };
}

function throwingGetter(key: string, thrown: unknown, target: object = {}): object {
  return Object.defineProperty(target, key, { enumerable: true, get: throwing(thrown) });
}

function throwingProxy(): object {
  const fail = throwing(new Thrown('proxy trap'));
  // Symbol keys behave: fast-check looks up its clone and print methods (printed as `<name>`, see `named`).
  return new Proxy(
    {},
    {
      get: (target, key) => (typeof key === 'symbol' ? Reflect.get(target, key) : fail()),
      has: (target, key) => (typeof key === 'symbol' ? Reflect.has(target, key) : fail()),
      ownKeys: fail,
      getOwnPropertyDescriptor: fail,
    },
  );
}

function nested(depth: number, wrap: (inner: unknown) => unknown): unknown {
  let value: unknown = null;
  for (let i = 0; i < depth; i++) value = wrap(value);
  return value;
}

/** `value` printed by fast-check as `<name>` (a non-enumerable symbol key, invisible to the parsers). */
function named(name: string, value: unknown): unknown {
  try {
    Object.defineProperty(value, fc.toStringMethod, { value: () => `<${name}>` });
  } catch {} // a primitive: fast-check prints those itself
  return value;
}

/** One of the non-JSON values above (cyclic, throwing getters and toJSON, BigInt, Symbol, proxies, 10k deep...). */
export const exoticValue: fc.Arbitrary<unknown> = fc
  .integer({ min: 0, max: EXOTIC_VALUES.length - 1 })
  .map((i) => named(EXOTIC_VALUES[i][0], EXOTIC_VALUES[i][1]()));

const jsonPrimitive = fc.oneof(fc.constant(null), fc.boolean(), hostileNumber, hostileString());

/**
 * What `JSON.parse` can produce from an untrusted body, socket frame or Redis payload: nested objects (with
 * `__proto__` and friends as own keys) and arrays of hostile strings and numbers. NaN/Infinity appear too (they
 * stand for what a parser must refuse anyway).
 */
export const jsonish: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    jsonPrimitive,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(hostileKey, tie('value')), { maxLength: 4 }).map(objectFrom),
  ),
})).value;

/** Anything at all: JSON-like values with exotic values mixed in at any depth. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    jsonPrimitive,
    exoticValue,
    fc.constant(undefined),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(hostileKey, tie('value')), { maxLength: 4 }).map(objectFrom),
  ),
})).value;

/** What a socket.io frame can decode to: JSON values and binary attachments (Buffers). */
export const socketValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: jsonish },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 16 }).map((bytes) => Buffer.from(bytes)) },
);

/** Replaces the value at `path` (dot-separated, existing or new key) in a deep copy of a JSON-like `value`. */
export function withValueAt<T>(value: T, path: string[], replacement: unknown, remove = false): T {
  if (path.length === 0) return replacement as T;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string, unknown>;
  const [head, ...rest] = path;
  if (rest.length === 0 && remove) delete copy[head];
  else Object.defineProperty(copy, head, { value: withValueAt(copy[head], rest, replacement, remove), ...OWN });
  return copy as T;
}
const OWN = { enumerable: true, writable: true, configurable: true };

// ---- Well-formed protocol values

export const eventType = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,127}$/);
export const eventId = fc.stringMatching(/^[\x21-\x7e]{1,128}$/);
export const sourceType = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,63}$/);
const SOURCE_ID_UNIT = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...'abcxyz0189.-_:/@#~!$%&()+=,;<>|'.split('')) },
  { weight: 2, arbitrary: fc.constantFrom('é', 'İ', 'ǅ', '١', '中', '\ud83d\ude00', '\u00e9\u0301', '\ufffd') },
);
/** 1–256 UTF-16 code units (a unit is at most 2), none of them whitespace, control, format, glob or lone surrogates. */
export const sourceId = fc.string({ unit: SOURCE_ID_UNIT, minLength: 1, maxLength: 128 });
export const eventSource = fc.record({ type: sourceType, id: sourceId });

/** A source channel (no prefix) for `source`: `events:{type}:{id}`. */
export const channelOf = (source: { type: string; id: string }): string => `events:${source.type}:${source.id}`;

/** Channel-like strings: well-formed ones, near misses of them, `events:` with anything after it, anything. */
export const channelLike = fc.oneof(
  eventSource.map(channelOf),
  nearMiss(eventSource.map(channelOf)),
  fc.tuple(eventSource, hostileString(3), fc.nat()).map(([s, text, at]) => insertAt(channelOf(s), text, at)),
  hostileString().map((rest) => `events:${rest}`),
  fc.tuple(hostileString(), hostileString()).map(([type, id]) => `events:${type}:${id}`),
  hostileString(),
);

/**
 * A time the validator must accept under any reading of docs/protocol.md "Event envelope": RFC 3339 with
 * seconds, a real instant, `Z` or an offset within ±23:59.
 */
export const eventTime: fc.Arbitrary<string> = fc
  .tuple(
    fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31) }),
    fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
    fc.constantFrom('', '.5', '.123', '.123456789'),
    fc.boolean(),
  )
  .map(([ms, offsetMinutes, fraction, zulu]) => {
    const offset = zulu ? 0 : offsetMinutes;
    const local = new Date(ms + offset * 60_000).toISOString().slice(0, 19);
    if (zulu) return `${local}${fraction}Z`;
    const abs = Math.abs(offset);
    const hhmm = `${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
    return `${local}${fraction}${offset < 0 ? '-' : '+'}${hhmm}`;
  });

/** A header name no reading of the reserved-prefix rule refuses, and a well-formed string value. */
export const headerName = fc.string({ unit: STRING_UNIT, minLength: 1, maxLength: 12 }).filter(isPlainHeaderName);
export const headerValue = fc.string({ unit: 'binary', maxLength: 40 });
function isPlainHeaderName(name: string): boolean {
  return isWellFormed(name) && !/^ce_/i.test(name);
}

/** JSON data that survives `JSON.stringify` / `JSON.parse` unchanged, with hostile strings in it. */
export const eventData: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(hostileString(10), fc.oneof(hostileString(), fc.integer(), fc.constant(null)), { maxKeys: 4 }),
);

/** A valid `DualStreamEvent` with every optional field present or absent. */
export const validEvent = fc.record(
  {
    id: eventId,
    type: eventType,
    source: eventSource,
    time: eventTime,
    data: eventData,
    headers: fc.dictionary(headerName, headerValue, { maxKeys: 3 }),
  },
  { requiredKeys: ['type', 'source', 'data'] },
);

/** Offsets a client or a Redis payload might send, canonical or not. */
export const offsetLike: fc.Arbitrary<unknown> = fc.oneof(
  fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map(String),
  fc.constantFrom('0', '9223372036854775807', '9223372036854775808', '18446744073709551616', '-1', '-0', '00'),
  fc.constantFrom('007', '+1', ' 1', '1 ', '1e3', '0x10', '1.0', '١', '', '1\n', '9'.repeat(400)),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  hostileNumber,
  fc.constantFrom(null, undefined, true, {}, [1]),
);

/** Partitions a client or a Redis payload might send. */
export const partitionLike: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: 0, max: 1_000_000 }),
  hostileNumber,
  fc.constantFrom('0', '3', null, undefined, [0], 1_000_001),
);

/** Times: valid ones, near misses, and valid-looking ones with one digit changed (month 19, hour 29, day 00...). */
export const timeLike: fc.Arbitrary<string> = fc.oneof(
  eventTime,
  nearMiss(eventTime),
  fc.tuple(eventTime, fc.nat(), fc.integer({ min: 0, max: 9 })).map(([time, nth, digit]) => {
    const digits = [...time.matchAll(/\d/g)];
    const at = digits[nth % digits.length].index;
    return time.slice(0, at) + String(digit) + time.slice(at + 1);
  }),
);

// ---- Kafka records

/** The envelope a publisher writes (docs/protocol.md "Kafka record"), as an object. */
export const envelope = validEvent.map((e) => ({
  id: e.id ?? '019cebab-8995-7c1e-9a4b-3f2d8e61c0a7',
  type: e.type,
  source: e.source,
  time: e.time ?? '2026-03-14T09:26:53.589Z',
  data: e.data,
  headers: e.headers ?? {},
}));

const ENVELOPE_PATHS = [['id'], ['type'], ['source'], ['source', 'type'], ['source', 'id'], ['time'], ['data']];

/**
 * A Kafka record value as a consumer or a replay reads it: a publisher's envelope, one with a field replaced or
 * removed, cut short, with bytes that are not UTF-8, JSON of anything, any bytes, or none (a tombstone).
 */
export const recordValue: fc.Arbitrary<Buffer | null> = fc
  .oneof(
    { weight: 2, arbitrary: envelope.map((e) => Buffer.from(JSON.stringify(e))) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(envelope, fc.constantFrom(...ENVELOPE_PATHS, ['headers'], ['headers', 'x']), jsonish, fc.boolean())
        .map(([e, path, value, remove]) => Buffer.from(JSON.stringify(withValueAt(e, path, value, remove)))),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(envelope, fc.nat()).map(([e, cut]) => Buffer.from(JSON.stringify(e)).subarray(0, cut % 300)),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(envelope, fc.uint8Array({ minLength: 1, maxLength: 3 }), fc.nat()).map(([e, bytes, at]) => {
        const json = Buffer.from(JSON.stringify(e));
        const i = at % (json.length + 1);
        return Buffer.concat([json.subarray(0, i), Buffer.from(bytes.map((b) => b | 0x80)), json.subarray(i)]);
      }),
    },
    { weight: 1, arbitrary: jsonish.map((v) => Buffer.from(JSON.stringify(v) ?? 'undefined')) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
    { weight: 1, arbitrary: fc.constant(null) },
  )
  .map((value) => value && printedAsText(value));

/** A Buffer printed in a counterexample as the text it holds (with U+FFFD where it is not UTF-8), not as bytes. */
function printedAsText(value: Buffer): Buffer {
  return Object.defineProperty(value, fc.toStringMethod, { value: () => `Buffer(${JSON.stringify(String(value))})` });
}

// ---- Checking results

/** What a call did: returned `value`, or threw `error` (anything). */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export function outcomeOf<T>(call: () => T): Outcome<T> {
  try {
    return { ok: true, value: call() };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * A description of everything observable about `value` without running its code (getters are not called), to
 * check that a parser did not mutate its input: own keys, data values (-0 and NaN exactly), accessors.
 */
export function fingerprint(value: unknown): string {
  const seen = new Map<object, number>();
  const walk = (v: unknown, depth: number): string => {
    if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
    if (typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'symbol') return v.toString();
    if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return String(v);
    if (seen.has(v)) return `#${seen.get(v)}`;
    seen.set(v, seen.size);
    if (depth > 200) return '…';
    try {
      const entries = Reflect.ownKeys(v).map((key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(v, key)!;
        const shown = 'value' in descriptor ? walk(descriptor.value, depth + 1) : 'accessor';
        return `${String(key)}${descriptor.enumerable ? ':' : '~'}${shown}`;
      });
      return `${typeof v}{${entries.join(',')}}`;
    } catch {
      return 'opaque';
    }
  };
  return walk(value, 0);
}
