import { Cluster, Redis } from 'ioredis';
import { decodeEntry, encodeEntry, type ReceiptStore, type Reservation, type StoredResponse } from './receipt-store.js';

/** SET NX and, when the key exists, GET: one atomic step, so two concurrent retries cannot both claim a key. */
const RESERVE = `
local claimed = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
if claimed then return false end
return redis.call('GET', KEYS[1])`;

/**
 * Receipts in Redis (`SET NX PX`), shared by every ingester instance. Commands fail fast while Redis is down
 * (no offline queue, one try, `timeoutMs`), so the caller can fall back instead of waiting.
 */
export class RedisReceiptStore implements ReceiptStore {
  private readonly redis: Redis | Cluster;

  /** `cluster`: seeds of a Redis Cluster (one key per command, so any slot works), used instead of `url`. */
  constructor(url: string, timeoutMs = 250, cluster?: { host: string; port: number }[]) {
    const retryStrategy = (attempt: number) => Math.min(100 * 2 ** Math.min(attempt, 5), 2000);
    const node = { connectionName: 'ingester-idempotency', maxRetriesPerRequest: 0, commandTimeout: timeoutMs };
    this.redis = (
      cluster
        ? new Cluster(cluster, { enableOfflineQueue: false, clusterRetryStrategy: retryStrategy, redisOptions: node })
        : new Redis(url, { ...node, enableOfflineQueue: false, retryStrategy, lazyConnect: false })
    ).on('error', () => undefined);
  }

  async reserve(key: string, fingerprint: string, pendingMs: number): Promise<Reservation> {
    const held = (await this.redis.eval(RESERVE, 1, key, encodeEntry({ state: 'pending', fingerprint }), pendingMs)) as
      string | null;
    return held === null ? { state: 'new' } : decodeEntry(held);
  }

  async complete(key: string, fingerprint: string, response: StoredResponse, ttlMs: number): Promise<void> {
    await this.redis.set(key, encodeEntry({ state: 'done', fingerprint, response }), 'PX', ttlMs);
  }

  async release(key: string): Promise<void> {
    await this.redis.del(key);
  }

  close(): void {
    this.redis.disconnect();
  }
}
