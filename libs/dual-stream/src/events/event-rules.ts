export const EVENT_TYPE_PATTERN = /^[a-z0-9][a-z0-9._-]{0,127}$/;
export const SOURCE_TYPE_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const SOURCE_ID_MAX_LENGTH = 256;
/** Glob metacharacters would let a PSUBSCRIBE or a crafted channel reach other sources. */
const SOURCE_ID_FORBIDDEN = /[*?[\]\\\s\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** Why a source id is refused, or undefined when it is fine. */
export function sourceIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'string') return 'must be a string';
  if (id.length === 0) return 'must not be empty';
  if (id.length > SOURCE_ID_MAX_LENGTH) return `must be at most ${SOURCE_ID_MAX_LENGTH} characters (got ${id.length})`;
  const bad = SOURCE_ID_FORBIDDEN.exec(id);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).padStart(4, '0');
    return `must not contain whitespace, control characters or glob metacharacters * ? [ ] \\ (found U+${code} at ${bad.index})`;
  }
  return undefined;
}

export function sourceTypeProblem(type: unknown): string | undefined {
  if (typeof type !== 'string') return 'must be a string';
  return SOURCE_TYPE_PATTERN.test(type) ? undefined : `must match ${SOURCE_TYPE_PATTERN.source}`;
}
