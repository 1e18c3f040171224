import { hash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { bearerToken, MAX_CREDENTIAL_LENGTH } from './bearer-token.js';

/**
 * Checks `x-api-key: <key>` or `Authorization: Bearer <key>` against the configured keys (the ingester's
 * `INGESTER_API_KEYS`, the `METRICS_TOKEN`). Keys are compared as SHA-256 digests with `timingSafeEqual`
 * (equal lengths, constant time), and never logged.
 */
export class ApiKeyVerifier {
  private readonly digests: Buffer[];
  /** The hex identity of each digest, computed once (the ingester asks per request). */
  private readonly identities: Map<Buffer, string>;

  constructor(keys: readonly string[]) {
    this.digests = keys.map(digest);
    this.identities = new Map(this.digests.map((d) => [d, d.toString('hex')]));
  }

  get open(): boolean {
    return this.digests.length === 0;
  }

  /** The presented key, if any (header names are lower-case in Node). */
  static presented(headers: IncomingHttpHeaders): string | undefined {
    const header = headers['x-api-key'];
    if (typeof header === 'string' && header && header.length <= MAX_CREDENTIAL_LENGTH) return header;
    return bearerToken(headers);
  }

  /** The matching key's digest (hex, a stable identity that is not the key), or undefined. Open: `'anonymous'`. */
  identify(headers: IncomingHttpHeaders): string | undefined {
    if (this.open) return 'anonymous';
    const key = ApiKeyVerifier.presented(headers);
    if (!key) return undefined;
    const d = digest(key);
    // Compare against every key so the time taken does not reveal which one matched.
    let found: Buffer | undefined;
    for (const known of this.digests) if (timingSafeEqual(d, known)) found = known;
    return found && this.identities.get(found);
  }

  verify(headers: IncomingHttpHeaders): boolean {
    return this.identify(headers) !== undefined;
  }
}

// One-shot hash: no Hash object per request.
const digest = (key: string): Buffer => hash('sha256', key, 'buffer');
