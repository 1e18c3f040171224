import type { IncomingHttpHeaders } from 'node:http';
import { problem, ProblemException } from '@app/service-kit';

/** 1–255 printable ASCII characters without `"` or `\` (a UUID, a hash, an order number). */
const KEY = /^[\x21\x23-\x5b\x5d-\x7e]{1,255}$/;

/**
 * The one parser of the `Idempotency-Key` request header (IETF httpapi draft: a structured-field string, so
 * `"abc"`; the bare form `abc` is accepted too). Absent: undefined. Malformed, or sent twice:
 * `400 invalid_idempotency_key`.
 */
export function parseIdempotencyKey(headers: IncomingHttpHeaders): string | undefined {
  const raw = headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const text = typeof raw === 'string' ? raw.trim() : '';
  const key = /^".*"$/.test(text) ? text.slice(1, -1) : text;
  if (!KEY.test(key)) {
    throw new ProblemException(
      problem(
        'invalid_idempotency_key',
        'Idempotency-Key must be 1 to 255 printable ASCII characters (no quotes or backslashes), e.g. a UUID',
        [{ path: 'Idempotency-Key', message: 'must match ^[\\x21\\x23-\\x5b\\x5d-\\x7e]{1,255}$' }],
      ),
    );
  }
  return key;
}
