import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import type { PubSubSubscriber } from '../pubsub-subscriber.js';
import type { ConnectionEntry } from './connection-entry.js';

/** Why a connection whose token expired gets nothing more. */
export const TOKEN_EXPIRED = 'token expired: reconnect with a fresh token';

/** A new subscription's kind, and for patterns the Redis pattern it would PSUBSCRIBE. */
type Admitting = { kind: 'channel' } | { kind: 'pattern'; redisPattern: string };

/**
 * Whether a new subscription may be created: the caps (per connection, patterns per connection, distinct
 * patterns per gateway) and the app's authorization. The caps are checked before authorization (cheap
 * refusal) and again after it, in the same synchronous step as the insert (`create`), so concurrent
 * subscribes cannot all pass a check that only one of them fits.
 */
export class SubscriptionAdmission {
  constructor(
    private readonly hub: ResolvedDualStreamOptions['hub'],
    private readonly redis: PubSubSubscriber<unknown, unknown>,
  ) {}

  /** Creates the subscription with `create` when admitted; else the reason it was refused. */
  async admit<S>(
    entry: ConnectionEntry,
    what: Admitting,
    allowed: () => boolean | Promise<boolean>,
    create: () => S,
  ): Promise<S | string> {
    const full = this.capProblem(entry, what);
    if (full) return full;
    let ok: boolean;
    try {
      ok = await allowed();
    } catch {
      ok = false;
    }
    if (!ok) return 'forbidden';
    if (entry.connection.closed) return 'disconnected';
    if (entry.gone) return TOKEN_EXPIRED;
    return this.capProblem(entry, what) ?? create();
  }

  private capProblem(entry: ConnectionEntry, what: Admitting): string | undefined {
    const { maxSubscriptionsPerConnection, maxPatternsPerConnection, maxPatterns } = this.hub;
    if (entry.subs.size >= maxSubscriptionsPerConnection) {
      return `subscription limit reached (${maxSubscriptionsPerConnection} per connection): unsubscribe first`;
    }
    if (what.kind === 'channel') return undefined;
    if (entry.patternCount() >= maxPatternsPerConnection) {
      return `pattern limit reached (${maxPatternsPerConnection} per connection): unsubscribe a pattern first`;
    }
    if (!this.redis.hasPattern(what.redisPattern) && this.redis.patternCount >= maxPatterns) {
      return `pattern limit reached: this gateway holds ${maxPatterns} distinct patterns; use one already in use or try later`;
    }
    return undefined;
  }
}
