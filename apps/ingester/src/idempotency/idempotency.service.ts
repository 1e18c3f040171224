import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { problem, ProblemException, RateLimitedLog } from '@app/service-kit';
import { INGESTER_CONFIG, type IngesterConfig } from '../config/ingester.config.js';
import { IngesterMetrics } from '../metrics/ingester.metrics.js';
import { MemoryReceiptStore } from './memory-receipt.store.js';
import type { ReceiptStore, Reservation, StoredResponse } from './receipt-store.js';
import { RedisReceiptStore } from './redis-receipt.store.js';

/** One idempotent request: where its receipt is kept, what body it was made with, and the seed of its ids. */
export interface IdempotentRequest {
  storeKey: string;
  fingerprint: string;
  /** Hex digest of (caller, route, key): the input of `derivedEventId`, never the key itself. */
  seed: string;
}

/** Set on a response that replays the stored answer of an earlier request with the same key. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Retries of a POST with the same `Idempotency-Key` (or, on `POST /events`, the same client-chosen event `id`)
 * from the same caller (API key) answer the original receipt for `INGESTER_IDEMPOTENCY_TTL_S`, and publish
 * nothing. A concurrent request with a key still in flight gets `409 idempotency_key_in_use` (retry it); a key
 * reused with another body gets `422 idempotency_key_reused`. Receipts live in Redis (`SET NX PX`) shared by
 * all instances; while Redis is unreachable, in this process's memory. A failed publish frees the key.
 */
@Injectable()
export class IdempotencyService implements OnApplicationShutdown {
  private readonly redis?: RedisReceiptStore;
  private readonly memory = new MemoryReceiptStore();
  private readonly log = new RateLimitedLog('Idempotency', 10_000);
  private readonly ttlMs: number;
  private readonly pendingMs: number;
  private readonly keyPrefix: string;

  constructor(
    @Inject(INGESTER_CONFIG) config: IngesterConfig,
    private readonly metrics: IngesterMetrics,
  ) {
    const { redisUrl, redisClusterNodes, channelPrefix } = config.service;
    if (redisUrl) this.redis = new RedisReceiptStore(redisUrl, undefined, redisClusterNodes);
    this.ttlMs = config.idempotencyTtlSeconds * 1000;
    // A key stays pending at most as long as a publish can take, so a crashed instance does not block it.
    this.pendingMs = 2 * config.durableTimeoutMs + 5000;
    this.keyPrefix = `${channelPrefix}ingester:idempotency:`;
  }

  /** The request's idempotency, from its key (header, or `id:<event id>`), or undefined when it has none. */
  identify(caller: string, route: string, key: string | undefined, body: unknown): IdempotentRequest | undefined {
    if (key === undefined) return undefined;
    const seed = sha256(`${caller}\0${route}\0${key}`);
    return { storeKey: `${this.keyPrefix}${seed}`, fingerprint: sha256(JSON.stringify(body) ?? ''), seed };
  }

  /** Runs `publish` once per key and window; a repeat answers what the first one answered. */
  async run<T>(
    request: IdempotentRequest,
    res: { setHeader(name: string, value: string): unknown },
    publish: () => Promise<T>,
  ): Promise<T> {
    const { store, reservation } = await this.reserve(request);
    const storeName = store === this.memory ? 'memory' : 'redis';
    if (reservation.state !== 'new') {
      if (reservation.fingerprint !== request.fingerprint) {
        this.metrics.idempotency('reused', storeName);
        throw new ProblemException(
          problem(
            'idempotency_key_reused',
            'this Idempotency-Key (or event id) was already used with a different request body: use a new key for a new request',
          ),
        );
      }
      if (reservation.state === 'pending') {
        this.metrics.idempotency('in_use', storeName);
        throw new ProblemException(
          problem(
            'idempotency_key_in_use',
            'a request with this Idempotency-Key is still being processed: retry it shortly',
          ),
          { 'Retry-After': '1' },
        );
      }
      this.metrics.idempotency('replayed', storeName);
      res.setHeader(REPLAYED_HEADER, 'true');
      return reservation.response.body as T;
    }
    let result: T;
    try {
      result = await publish();
    } catch (err) {
      await store
        .release(request.storeKey)
        .catch((e: Error) => this.log.warn(`cannot free an idempotency key: ${e.message}`));
      throw err;
    }
    this.metrics.idempotency('published', storeName);
    const response: StoredResponse = { status: 202, body: result };
    await store
      .complete(request.storeKey, request.fingerprint, response, this.ttlMs)
      // Published all the same: a retry after the pending entry expired republishes with the same event ids.
      .catch((e: Error) =>
        this.log.warn(`cannot store a receipt (a retry may write a duplicate record): ${e.message}`),
      );
    return result;
  }

  private async reserve(request: IdempotentRequest): Promise<{ store: ReceiptStore; reservation: Reservation }> {
    const claim = async (store: ReceiptStore) => ({
      store,
      reservation: await store.reserve(request.storeKey, request.fingerprint, this.pendingMs),
    });
    // A key this process already holds in memory (taken while Redis was down) is answered from there.
    if (!this.redis || this.memory.peek(request.storeKey).state !== 'new') return claim(this.memory);
    try {
      return await claim(this.redis);
    } catch (err) {
      this.log.warn(`Redis unreachable for idempotency keys, using this process's memory: ${(err as Error).message}`);
      return claim(this.memory);
    }
  }

  onApplicationShutdown(): void {
    this.redis?.close();
  }
}
