/** Why a pattern subscription is refused with sharded Pub/Sub (also the hub's subscribe-ack error text). */
export const PATTERNS_NOT_SHARDED =
  'pattern subscriptions are not available with sharded Pub/Sub (redis.cluster): Redis has no sharded ' +
  'PSUBSCRIBE, a shard channel lives on one master. Subscribe to exact channels (events:{type}:{id}) instead';

/**
 * A pattern subscription (`@OnRealtime('events:order:*')`, a hub `pattern` subscribe) on a module configured for
 * a Redis Cluster: sharded Pub/Sub has no pattern form (docs/production.md "Redis Cluster").
 */
export class PatternNotShardedError extends Error {
  override readonly name = 'PatternNotShardedError';

  constructor(readonly pattern: string) {
    super(`Cannot subscribe to the pattern "${pattern.slice(0, 80)}": ${PATTERNS_NOT_SHARDED}.`);
  }
}
