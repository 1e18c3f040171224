import { InvalidChannelError } from '../../errors/invalid-channel.error.js';
import { InvalidSseCursorError } from '../../errors/invalid-sse-cursor.error.js';
import { parseChannel } from '../../events/channel-parser.js';

/**
 * Where one channel of an SSE stream is: the Kafka position of the last event delivered on it, or, before
 * any, the time (ms since the epoch) the stream subscribed to it (a resume replays from that time on).
 */
export type SseCursorEntry =
  { channel: string; partition: number; offset: string } | { channel: string; since: number };

/** The cursor format this gateway writes: `1.` then one base64url segment per channel (docs/sse.md "Cursor"). */
export const SSE_CURSOR_VERSION = '1';
/** Longest cursor read; a cursor of the most channels a stream may have with the longest names stays below it. */
export const MAX_SSE_CURSOR_LENGTH = 32_768;
/** Most channels one cursor may name. */
export const MAX_SSE_CURSOR_CHANNELS = 256;
/** A `since` later than now by more than this is refused (clocks of two gateways may differ a little). */
const MAX_FUTURE_MS = 60_000;
const MAX_PARTITION = 2 ** 31 - 1;
const MAX_OFFSET = 2n ** 63n - 1n;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const POSITION = /^(0|[1-9]\d{0,9}):(0|[1-9]\d{0,18})$/;
const SINCE = /^@(0|[1-9]\d{0,15})$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** One channel's segment of a cursor: base64url of `{channel}\n{partition}:{offset}` or `{channel}\n@{since}`. */
export function encodeSseCursorSegment(entry: SseCursorEntry): string {
  const where = 'since' in entry ? `@${entry.since}` : `${entry.partition}:${entry.offset}`;
  return Buffer.from(`${entry.channel}\n${where}`, 'utf8').toString('base64url');
}

/** The cursor of a stream whose channels are at `entries` (in the stream's channel order). */
export function encodeSseCursor(entries: readonly SseCursorEntry[]): string {
  return joinSseCursor(entries.map(encodeSseCursorSegment));
}

/** A cursor from its segments (see `encodeSseCursorSegment`). */
export function joinSseCursor(segments: readonly string[]): string {
  return `${SSE_CURSOR_VERSION}.${segments.join('.')}`;
}

/**
 * The one parser of cursors from clients. Returns the entries, or throws `InvalidSseCursorError` for anything
 * `encodeSseCursor` could not have written: another version, a non-canonical or non-UTF-8 segment, an invalid
 * channel, a channel named twice, a partition or offset out of range, a `since` in the future.
 */
export function parseSseCursor(text: unknown, now: number = Date.now()): SseCursorEntry[] {
  if (typeof text !== 'string') throw new InvalidSseCursorError('must be a string');
  if (text.length === 0) throw new InvalidSseCursorError('is empty');
  if (text.length > MAX_SSE_CURSOR_LENGTH) {
    throw new InvalidSseCursorError(`longer than ${MAX_SSE_CURSOR_LENGTH} characters`);
  }
  const parts = text.split('.');
  const version = parts[0]!;
  if (version !== SSE_CURSOR_VERSION) {
    throw new InvalidSseCursorError(
      /^\d{1,6}$/.test(version)
        ? `version ${version} is not supported (this gateway reads version 1)`
        : 'not a stream cursor',
    );
  }
  const segments = parts.slice(1);
  if (segments.length === 0) throw new InvalidSseCursorError('names no channel');
  if (segments.length > MAX_SSE_CURSOR_CHANNELS) {
    throw new InvalidSseCursorError(`names more than ${MAX_SSE_CURSOR_CHANNELS} channels`);
  }
  const seen = new Set<string>();
  return segments.map((segment, i) => {
    const entry = parseSegment(segment, i, now);
    if (seen.has(entry.channel)) throw new InvalidSseCursorError(`segment ${i + 1} names a channel a second time`);
    seen.add(entry.channel);
    return entry;
  });
}

function parseSegment(segment: string, index: number, now: number): SseCursorEntry {
  const bad = (why: string) => new InvalidSseCursorError(`segment ${index + 1} ${why}`);
  if (!SEGMENT.test(segment)) throw bad('is not base64url');
  const bytes = Buffer.from(segment, 'base64url');
  // Node's decoder skips what it cannot use; only the canonical spelling of the bytes is one we wrote.
  if (bytes.toString('base64url') !== segment) throw bad('is not canonical base64url');
  let plain: string;
  try {
    plain = utf8.decode(bytes);
  } catch {
    throw bad('is not UTF-8');
  }
  const newline = plain.indexOf('\n');
  if (newline < 0) throw bad('has no position');
  const channel = plain.slice(0, newline);
  try {
    parseChannel(channel);
  } catch (err) {
    if (!(err instanceof InvalidChannelError)) throw err;
    throw bad(`names an invalid channel (${err.reason})`);
  }
  const where = plain.slice(newline + 1);
  const since = SINCE.exec(where);
  if (since) {
    const ms = Number(since[1]);
    if (ms > now + MAX_FUTURE_MS) throw bad('has a start time in the future');
    return { channel, since: ms };
  }
  const position = POSITION.exec(where);
  if (!position) throw bad('has no valid position');
  const partition = Number(position[1]);
  if (partition > MAX_PARTITION) throw bad('has a partition out of range');
  if (BigInt(position[2]!) > MAX_OFFSET) throw bad('has an offset out of range');
  return { channel, partition, offset: position[2]! };
}
