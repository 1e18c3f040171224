const HINTS = {
  channel:
    'Channels look like `events:{source.type}:{source.id}` (without the deployment prefix); ids may not contain ' +
    'whitespace, control characters or `* ? [ ] \\`.',
  pattern:
    'Patterns look like `events:order:*` or `events:*:vip-*`: segments of [a-z0-9._-] separated by `:`, each ' +
    'ending in at most one `*`, at most 2 `*` in all, at most 200 characters.',
} as const;

/** A channel or pattern name that the realtime layer refuses (docs/protocol.md "Socket protocol"). */
export class InvalidChannelError extends Error {
  override readonly name = 'InvalidChannelError';

  constructor(
    readonly channel: string,
    readonly reason: string,
    readonly kind: 'channel' | 'pattern' = 'channel',
  ) {
    super(`Invalid ${kind} "${channel.slice(0, 80)}": ${reason}. ${HINTS[kind]}`);
  }

  /**
   * For a value that is not a string, named by its type: turning it into one could throw (no prototype, a
   * throwing `toString`) or recurse (an array nested 10,000 deep).
   */
  static notAString(value: unknown, kind: 'channel' | 'pattern'): InvalidChannelError {
    const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
    return new InvalidChannelError(`(${type})`, 'must be a string', kind);
  }
}
