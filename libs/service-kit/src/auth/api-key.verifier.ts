import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Checks `x-api-key: <key>` or `Authorization: Bearer <key>` against the configured keys. Keys are compared
 * as SHA-256 digests with `timingSafeEqual` (equal lengths, constant time), and never logged.
 */
export class ApiKeyVerifier {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map(digest);
  }

  get open(): boolean {
    return this.digests.length === 0;
  }

  /** The presented key, if any (header names are lower-case in Node). */
  static presented(headers: IncomingHttpHeaders): string | undefined {
    const header = headers['x-api-key'];
    if (typeof header === 'string' && header) return header;
    const auth = headers.authorization;
    const match = typeof auth === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
    return match?.[1];
  }

  verify(headers: IncomingHttpHeaders): boolean {
    if (this.open) return true;
    const key = ApiKeyVerifier.presented(headers);
    if (!key) return false;
    const d = digest(key);
    // Compare against every key so the time taken does not reveal which one matched.
    let ok = false;
    for (const known of this.digests) ok = timingSafeEqual(d, known) || ok;
    return ok;
  }
}

const digest = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();
