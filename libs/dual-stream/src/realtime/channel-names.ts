import { CHANNEL_NAMESPACE } from '../constants.js';
import { InvalidChannelError } from '../errors/invalid-channel.error.js';

const MAX_PATTERN_LENGTH = 200;
/** Globs per pattern: Redis' matcher backtracks over each `*`, so their number bounds its work per PUBLISH. */
export const MAX_PATTERN_GLOBS = 2;
/** One segment: literal characters, optionally ending in one `*`. */
const PATTERN_SEGMENT = /^(?:[a-z0-9._-]+\*?|\*)$/;

/**
 * Validates a client's pattern (no prefix; docs/protocol.md "Socket protocol"): `events:` then one or more
 * `:`-separated segments of `[a-z0-9._-]`, each ending in at most one `*` (`events:order:*`,
 * `events:*:vip-*`), at most `MAX_PATTERN_GLOBS` globs and `MAX_PATTERN_LENGTH` characters. A `*` matches any
 * run of characters, `:` included, as in Redis; `?`, `[...]` and `\` are refused.
 */
export function validatePattern(pattern: unknown): string {
  if (typeof pattern !== 'string') throw InvalidChannelError.notAString(pattern, 'pattern');
  const refuse = (reason: string) => new InvalidChannelError(pattern, reason, 'pattern');
  if (pattern.length > MAX_PATTERN_LENGTH) throw refuse(`longer than ${MAX_PATTERN_LENGTH}`);
  const head = `${CHANNEL_NAMESPACE}:`;
  if (!pattern.startsWith(head)) throw refuse(`must start with "${head}"`);
  if (
    !pattern
      .slice(head.length)
      .split(':')
      .every((segment) => PATTERN_SEGMENT.test(segment))
  ) {
    throw refuse('each segment must be [a-z0-9._-] characters with at most one `*`, at its end');
  }
  let globs = 0;
  for (const c of pattern) if (c === '*') globs++;
  if (globs > MAX_PATTERN_GLOBS) throw refuse(`at most ${MAX_PATTERN_GLOBS} \`*\` per pattern`);
  return pattern;
}

/** Escapes Redis glob metacharacters so a deployment prefix is matched literally inside PSUBSCRIBE. */
export function escapeRedisGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * Does `glob` (only `*`, matching any run of characters, `:` included, as Redis does) match `text`? Used for
 * token claims: a claim `events:order:*` matches the channel `events:order:o-1` and also the pattern
 * `events:order:eu-*` (a `*` in the text is taken literally, so a pattern is allowed only when everything it
 * can match is inside the claim). For a pattern of the `validatePattern` grammar and a channel it is exactly
 * Redis' PSUBSCRIBE match, so a claim means what the same pattern would subscribe to.
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
