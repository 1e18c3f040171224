import { decodeEntry, encodeEntry, type ReceiptStore, type Reservation, type StoredResponse } from './receipt-store.js';

/**
 * The fallback while Redis is unreachable: one process's memory, bounded (oldest entries go first past
 * `maxEntries`). It keeps retries against the same instance exact; across instances the derived event id is
 * what keeps a retry harmless (docs/operations.md "Idempotent publishing").
 */
export class MemoryReceiptStore implements ReceiptStore {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();

  constructor(private readonly maxEntries = 100_000) {}

  /** What the key holds here, without claiming it. */
  peek(key: string): Reservation {
    const entry = this.entries.get(key);
    if (!entry) return { state: 'new' };
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return { state: 'new' };
    }
    return decodeEntry(entry.value);
  }

  reserve(key: string, fingerprint: string, pendingMs: number): Promise<Reservation> {
    const held = this.peek(key);
    if (held.state === 'new') this.set(key, encodeEntry({ state: 'pending', fingerprint }), pendingMs);
    return Promise.resolve(held);
  }

  complete(key: string, fingerprint: string, response: StoredResponse, ttlMs: number): Promise<void> {
    this.set(key, encodeEntry({ state: 'done', fingerprint, response }), ttlMs);
    return Promise.resolve();
  }

  release(key: string): Promise<void> {
    this.entries.delete(key);
    return Promise.resolve();
  }

  private set(key: string, value: string, ttlMs: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, expiresAt: Date.now() + ttlMs });
  }
}
