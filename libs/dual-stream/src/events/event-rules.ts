export const EVENT_TYPE_PATTERN = /^[a-z0-9][a-z0-9._-]{0,127}$/;
/** An event id: 1-128 printable ASCII characters without spaces. */
export const EVENT_ID_PATTERN = /^[\x21-\x7e]{1,128}$/;
/** The largest partition number a position may name (Kafka allows far fewer per topic in practice). */
export const MAX_PARTITION = 1_000_000;
const OFFSET_DIGITS = /^(0|[1-9]\d{0,18})$/;
const INT64_MAX = 2n ** 63n - 1n;

/** A Kafka offset as a canonical decimal string (no sign, no leading zero) within int64, or undefined. */
export function parseOffset(text: unknown): bigint | undefined {
  if (typeof text !== 'string' || !OFFSET_DIGITS.test(text)) return undefined;
  const offset = BigInt(text);
  return offset <= INT64_MAX ? offset : undefined;
}

/** A partition number: an integer in 0..MAX_PARTITION. */
export function isPartition(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_PARTITION;
}
const SOURCE_TYPE_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const SOURCE_ID_MAX_LENGTH = 256;
/**
 * Glob metacharacters would let a PSUBSCRIBE or a crafted channel reach other sources. A lone surrogate (Cs) has
 * no UTF-8 form: Redis and Kafka would get U+FFFD, so two ids would share one channel and one key.
 */
const SOURCE_ID_FORBIDDEN = /[*?[\]\\\s\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
/** A UTF-16 surrogate without its pair: a string holding one cannot be sent as UTF-8 (Kafka keys and headers, Redis). */
export const LONE_SURROGATE = /\p{Cs}/u;

/** Why a source id is refused, or undefined when it is fine. */
export function sourceIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'string') return 'must be a string';
  if (id.length === 0) return 'must not be empty';
  if (id.length > SOURCE_ID_MAX_LENGTH) return `must be at most ${SOURCE_ID_MAX_LENGTH} characters (got ${id.length})`;
  const bad = SOURCE_ID_FORBIDDEN.exec(id);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).padStart(4, '0');
    return `must not contain whitespace, control characters, lone surrogates or glob metacharacters * ? [ ] \\ (found U+${code} at ${bad.index})`;
  }
  return undefined;
}

export function sourceTypeProblem(type: unknown): string | undefined {
  if (typeof type !== 'string') return 'must be a string';
  return SOURCE_TYPE_PATTERN.test(type) ? undefined : `must match ${SOURCE_TYPE_PATTERN.source}`;
}

/**
 * Why a source `{ type, id }` cannot name a channel (or be projected, or announced), or undefined when it can: its
 * type's problem first, then its id's.
 */
export function sourceProblem(source: { type?: unknown; id?: unknown }): string | undefined {
  return sourceTypeProblem(source.type) ?? sourceIdProblem(source.id);
}

/**
 * RFC 3339 `date-time` (section 5.6): `full-date "T" partial-time time-offset`, seconds required, offset `Z` or
 * `±hh:mm`. Upper-case `T` and `Z` only (section 5.6 lets a format require that), at most nine fraction digits.
 */
const RFC_3339_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;
const TIME_FORMAT_PROBLEM =
  'must be an RFC 3339 date-time: YYYY-MM-DDThh:mm:ss[.fraction] then Z or ±hh:mm, e.g. 2026-01-01T00:00:00.000Z';

/**
 * Why an event `time` is refused, or undefined when it is fine: it must be an RFC 3339 date-time naming a
 * real instant (no February 30, no hour 24). Leap seconds (`:60`) are refused too: JavaScript's `Date` and
 * many consumers cannot parse them, and the value goes verbatim into the `ce_time` header.
 */
export function timeProblem(time: unknown): string | undefined {
  if (typeof time !== 'string') return TIME_FORMAT_PROBLEM;
  const match = RFC_3339_DATE_TIME.exec(time);
  if (!match) return TIME_FORMAT_PROBLEM;
  const [year, month, day, hour, minute, second, offsetHour = 0, offsetMinute = 0] = match.slice(1).map(Number);
  if (month < 1 || month > 12) return `has no month ${match[2]}`;
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) return `has no day ${match[3]} (${match[1]}-${match[2]} has ${days} days)`;
  if (hour > 23 || minute > 59 || second > 59) return `has no time of day ${match[4]}:${match[5]}:${match[6]}`;
  if (offsetHour > 23 || offsetMinute > 59) return 'has an offset beyond ±23:59';
  return undefined;
}

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}
