import { CHANNEL_NAMESPACE } from '../constants.js';
import { InvalidChannelError } from '../errors/invalid-channel.error.js';
import { parseChannel } from '../events/channel-parser.js';
import type { EventSource } from '../interfaces/dual-stream-event.interface.js';

const MAX_PATTERN_LENGTH = 200;
/** Patterns may glob with `*` only; `?`, `[...]` and `\` escapes are refused so a pattern stays readable and cheap. */
const PATTERN_CHARS = /^[a-z0-9._:*-]+$/;

/** A client's channel (no prefix) as a source, or `InvalidChannelError`. */
export function clientChannelSource(channel: unknown): EventSource {
  return parseChannel(channel);
}

/** Validates a client's pattern (no prefix): `events:` then `[a-z0-9._:-]` and `*` only. */
export function validatePattern(pattern: unknown): string {
  if (typeof pattern !== 'string') throw new InvalidChannelError(String(pattern), 'pattern must be a string');
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new InvalidChannelError(pattern, `pattern longer than ${MAX_PATTERN_LENGTH}`);
  }
  if (!pattern.startsWith(`${CHANNEL_NAMESPACE}:`)) {
    throw new InvalidChannelError(pattern, `pattern must start with "${CHANNEL_NAMESPACE}:"`);
  }
  if (!PATTERN_CHARS.test(pattern)) {
    throw new InvalidChannelError(pattern, 'patterns may only use [a-z0-9._:-] and the * glob');
  }
  return pattern;
}

/** Escapes Redis glob metacharacters so a deployment prefix is matched literally inside PSUBSCRIBE. */
export function escapeRedisGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * Does `glob` (only `*`, matching any run of characters) match `text`? Used for token claims: a claim
 * `events:order:*` matches the channel `events:order:o-1` and also the pattern `events:order:eu-*` (a `*` in
 * the text is taken literally, so a pattern is allowed only when everything it can match is inside the claim).
 */
export function globMatches(glob: string, text: string): boolean {
  const parts = glob.split('*');
  if (parts.length === 1) return glob === text;
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (!text.startsWith(first) || text.length < first.length + last.length || !text.endsWith(last)) return false;
  let at = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const found = text.indexOf(parts[i], at);
    if (found < 0 || found + parts[i].length > end) return false;
    at = found + parts[i].length;
  }
  return true;
}
