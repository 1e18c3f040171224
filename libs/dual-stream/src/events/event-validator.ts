import { uuidv7 } from './uuid-v7.js';
import { InvalidEventError, type EventProblem } from '../errors/invalid-event.error.js';
import type { DualStreamEvent, NormalizedEvent } from '../interfaces/dual-stream-event.interface.js';
import {
  EVENT_ID_PATTERN as ID_PATTERN,
  EVENT_TYPE_PATTERN,
  LONE_SURROGATE,
  sourceIdProblem,
  sourceTypeProblem,
  timeProblem,
} from './event-rules.js';

export interface PreparedEvent {
  event: NormalizedEvent;
  /** The envelope as it goes to Kafka. */
  json: string;
  bytes: number;
}

const ALLOWED_KEYS = new Set(['id', 'type', 'source', 'time', 'data', 'headers']);
/**
 * Case-insensitive: consumers that compare header names case-insensitively (HTTP bridges mapping `ce_*` to
 * `ce-*` headers, some CloudEvents SDKs) would take a user's `CE_source` for the envelope's `ce_source`.
 */
const RESERVED_HEADER = /^ce_/i;

/** `new Date().toISOString()` costs ~0.5 µs per event; under load many events share a millisecond. */
let isoMs = -1;
let isoText = '';
function nowIso(): string {
  const now = Date.now();
  if (now !== isoMs) {
    isoMs = now;
    isoText = new Date(now).toISOString();
  }
  return isoText;
}

/** `{...}` or `Object.create(null)`: what `{ ...headers }` copies exactly (a Map or a Date would copy as `{}`). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function problemsOf(input: unknown, index: number | undefined): EventProblem[] {
  const problems: EventProblem[] = [];
  const add = (path: string, message: string) =>
    problems.push({ ...(index === undefined ? {} : { index }), path, message });
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    add('', 'event must be an object');
    return problems;
  }
  const e = input as Record<string, unknown>;
  for (const key of Object.keys(e)) if (!ALLOWED_KEYS.has(key)) add(key, 'unknown field');
  if (e.id !== undefined && (typeof e.id !== 'string' || !ID_PATTERN.test(e.id))) {
    add('id', 'must be 1-128 printable ASCII characters without spaces');
  }
  if (typeof e.type !== 'string' || !EVENT_TYPE_PATTERN.test(e.type)) {
    add('type', `must match ${EVENT_TYPE_PATTERN.source}`);
  }
  if (typeof e.source !== 'object' || e.source === null || Array.isArray(e.source)) {
    add('source', 'must be an object { type, id }');
  } else {
    const s = e.source as Record<string, unknown>;
    for (const key of Object.keys(s)) if (key !== 'type' && key !== 'id') add(`source.${key}`, 'unknown field');
    const typeProblem = sourceTypeProblem(s.type);
    if (typeProblem) add('source.type', typeProblem);
    const idProblem = sourceIdProblem(s.id);
    if (idProblem) add('source.id', idProblem);
  }
  if (e.time !== undefined) {
    const problem = timeProblem(e.time);
    if (problem) add('time', problem);
  }
  if (!('data' in e) || e.data === undefined) add('data', 'is required (use null for no data)');
  if (e.headers !== undefined) {
    if (!isPlainObject(e.headers)) {
      add('headers', 'must be a plain object of strings (a Map, an array or a class instance would lose its entries)');
    } else {
      for (const [k, v] of Object.entries(e.headers)) {
        if (typeof v !== 'string') add(`headers.${k}`, 'must be a string');
        else if (RESERVED_HEADER.test(k)) {
          add(`headers.${k}`, 'ce_* headers (any case) are reserved for CloudEvents attributes');
        } else if (LONE_SURROGATE.test(k) || LONE_SURROGATE.test(v)) add(`headers.${k}`, LONE_SURROGATE_PROBLEM);
      }
    }
  }
  return problems;
}

const LONE_SURROGATE_PROBLEM =
  'name and value must be well-formed Unicode: a lone surrogate (U+D800-U+DFFF) has no UTF-8 form for a Kafka header';
const DROPPED_DATA_PROBLEM =
  'has no JSON form (a function, a symbol, or a toJSON() returning undefined): JSON.stringify would drop it and ' +
  'the record would have no data; use null for no data';

/**
 * `JSON.stringify(event)` (key order of docs/protocol.md "Event envelope"), or undefined when `data` has no JSON
 * form: JSON.stringify would silently leave the key out. Only a function, a symbol or a `toJSON()` can do that;
 * data with a `toJSON` (a Date, say) is serialized on its own to see, the rest in one call (the hot path).
 */
function serializeEnvelope(event: NormalizedEvent): string | undefined {
  const { data } = event;
  if (typeof data === 'function' || typeof data === 'symbol') return undefined;
  if (typeof (data as { toJSON?: unknown } | null)?.toJSON !== 'function') return JSON.stringify(event);
  const dataJson = JSON.stringify(data);
  if (dataJson === undefined) return undefined;
  const { id, type, source, time, headers } = event;
  return (
    `{"id":${JSON.stringify(id)},"type":${JSON.stringify(type)},"source":${JSON.stringify(source)},` +
    `"time":${JSON.stringify(time)},"data":${dataJson},"headers":${JSON.stringify(headers)}}`
  );
}

/** What a thrown value says, whatever it is (`throw null` included). */
function thrownText(thrown: unknown): string {
  try {
    return thrown instanceof Error ? thrown.message : String(thrown);
  } catch {
    return typeof thrown;
  }
}

/** `read` gives the event: in a batch reading an element may throw too (a getter at that index). */
function prepareOne(read: () => unknown, maxEventBytes: number, index?: number): PreparedEvent | EventProblem[] {
  const at = index === undefined ? {} : { index };
  let event: NormalizedEvent;
  try {
    const input = read() as DualStreamEvent;
    const problems = problemsOf(input, index);
    if (problems.length > 0) return problems;
    event = {
      id: input.id ?? uuidv7(),
      type: input.type,
      source: { type: input.source.type, id: input.source.id },
      time: input.time ?? nowIso(),
      data: input.data,
      headers: { ...(input.headers ?? {}) },
    };
  } catch (err) {
    // The caller's object, not the rules: a getter or a Proxy trap threw while it was read.
    return [{ ...at, path: '', message: `could not be read (${thrownText(err)})` }];
  }
  let json: string | undefined;
  try {
    json = serializeEnvelope(event);
  } catch (err) {
    return [{ ...at, path: 'data', message: `is not serializable to JSON (${thrownText(err)})` }];
  }
  if (json === undefined) {
    return [{ ...at, path: 'data', message: DROPPED_DATA_PROBLEM }];
  }
  const bytes = Buffer.byteLength(json);
  if (bytes > maxEventBytes) {
    return [{ ...at, path: '', message: `serialized event is ${bytes} bytes, over maxEventBytes ${maxEventBytes}` }];
  }
  return { event, json, bytes };
}

/** Validates, fills defaults and serializes one event; throws one `InvalidEventError` listing every problem. */
export function prepareEvent(input: DualStreamEvent, maxEventBytes: number): PreparedEvent {
  const result = prepareOne(() => input, maxEventBytes);
  if (Array.isArray(result)) throw new InvalidEventError(result);
  return result;
}

/** All-or-nothing: any problem in any event rejects the whole batch, listing problems with their index. */
export function prepareBatch(inputs: readonly DualStreamEvent[], maxEventBytes: number): PreparedEvent[] {
  if (!Array.isArray(inputs)) throw new InvalidEventError([{ path: '', message: 'events must be an array' }]);
  const prepared: PreparedEvent[] = [];
  const problems: EventProblem[] = [];
  // By index, not `forEach`: that skips holes (an event would go missing) and may be an own property of `inputs`.
  for (let index = 0; index < inputs.length; index++) {
    const result = prepareOne(() => inputs[index], maxEventBytes, index);
    if (Array.isArray(result)) problems.push(...result);
    else prepared.push(result);
  }
  if (problems.length > 0) throw new InvalidEventError(problems);
  return prepared;
}
