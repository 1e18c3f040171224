import type { IncomingHttpHeaders } from 'node:http';

/** The cookie `POST /sse/session` sets for `EventSource`, which cannot send an `Authorization` header. */
export const STREAM_COOKIE = 'ds_sse_token';
/** Scoped to the stream endpoint: no other route of the gateway ever receives it. */
const COOKIE_PATH = '/sse';
/** Browsers drop a cookie over 4096 bytes (name, value and attributes) without a word: refuse it instead. */
export const MAX_COOKIE_TOKEN_LENGTH = 3800;
const TOKEN_CHARS = /^[A-Za-z0-9._~+/=-]+$/;

/** The token in the request's `Cookie` header, or undefined. */
export function streamCookieToken(headers: IncomingHttpHeaders): string | undefined {
  const cookie = headers.cookie;
  if (typeof cookie !== 'string' || cookie.length > 16_384) return undefined;
  for (const part of cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== STREAM_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    return value.length > 0 && value.length <= MAX_COOKIE_TOKEN_LENGTH && TOKEN_CHARS.test(value) ? value : undefined;
  }
  return undefined;
}

/**
 * `Set-Cookie` for `token` until `expiresAt`: `HttpOnly` (page scripts cannot read it), `SameSite=Strict`
 * (never sent by another site's page), `Path=/sse`, and `Secure` when the request came over HTTPS.
 */
export function streamCookie(token: string, expiresAt: number | undefined, secure: boolean, now = Date.now()): string {
  const maxAge = expiresAt === undefined ? undefined : Math.max(0, Math.floor((expiresAt - now) / 1000));
  return [
    `${STREAM_COOKIE}=${token}`,
    `Path=${COOKIE_PATH}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(maxAge === undefined ? [] : [`Max-Age=${maxAge}`]),
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

/** `Set-Cookie` that removes the stream cookie. */
export function clearedStreamCookie(secure: boolean): string {
  return streamCookie('', 0, secure, 0);
}
