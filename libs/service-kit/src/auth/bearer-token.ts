import type { IncomingHttpHeaders } from 'node:http';

/** Longest credential read from a header: a JWT with many channel claims fits, a header flood does not. */
export const MAX_CREDENTIAL_LENGTH = 8192;

/** The credential of `Authorization: Bearer <credential>` (scheme in any case), or undefined. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (typeof auth !== 'string' || auth.length > MAX_CREDENTIAL_LENGTH + 16) return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1];
}
