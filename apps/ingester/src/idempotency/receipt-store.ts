/** What a replayed request answers: the original status and body. */
export interface StoredResponse {
  status: number;
  body: unknown;
}

/** The state of one idempotency key: `fingerprint` identifies the request body it was first used with. */
export type Reservation =
  | { state: 'new' }
  | { state: 'pending'; fingerprint: string }
  | { state: 'done'; fingerprint: string; response: StoredResponse };

/** Where receipts of idempotent requests live for the replay window (`INGESTER_IDEMPOTENCY_TTL_S`). */
export interface ReceiptStore {
  /** Atomically claims `key` as pending for `pendingMs`, or says what it already holds. */
  reserve(key: string, fingerprint: string, pendingMs: number): Promise<Reservation>;
  /** The request succeeded: keep its response for `ttlMs`. */
  complete(key: string, fingerprint: string, response: StoredResponse, ttlMs: number): Promise<void>;
  /** The request failed before an answer worth replaying: free the key for a retry. */
  release(key: string): Promise<void>;
}

/** One encoding of a stored entry for every store. */
export function encodeEntry(entry: Exclude<Reservation, { state: 'new' }>): string {
  return JSON.stringify(entry);
}

/** Entries are written only by the ingester, but Redis is still a process boundary: anything odd counts as new. */
export function decodeEntry(text: string | null | undefined): Reservation {
  try {
    const value = JSON.parse(text ?? '') as Partial<Exclude<Reservation, { state: 'new' }>>;
    if (typeof value?.fingerprint !== 'string') return { state: 'new' };
    if (value.state === 'pending') return { state: 'pending', fingerprint: value.fingerprint };
    const response = (value as { response?: Partial<StoredResponse> }).response;
    if (value.state === 'done' && typeof response?.status === 'number') {
      return {
        state: 'done',
        fingerprint: value.fingerprint,
        response: { status: response.status, body: response.body },
      };
    }
  } catch {
    // fall through
  }
  return { state: 'new' };
}
