/**
 * Where notifications go: one Redis server (one shard) or the masters of a Redis Cluster. RedisLane keeps a
 * breaker and gap ranges per shard, so one unreachable master does not stop announcements on the others.
 */
export interface NotificationShards {
  /**
   * The events of a batch grouped by the shard that owns their channel now, as indexes into the batch;
   * undefined when one shard takes everything (a single server), which spares the grouping.
   */
  route(count: number, channelAt: (index: number) => string): Map<string, number[]> | undefined;
  /** The shard key `route` uses when it returns undefined. */
  readonly only: string;
  /** Sends `messages` (channel, payload, channel, payload, ...) of one shard in one round trip; rejects unless all were taken. */
  publish(shard: string, messages: string[]): Promise<void>;
  /** Resolves once the shard answers again, or no longer owns anything (failed over: its channels live elsewhere now). */
  probe(shard: string): Promise<void>;
  /** Connection state for health output (`ready`, `connecting`, ...). */
  readonly status: string;
  /** Starts connecting without waiting. */
  connect(): void;
  /** Closes gracefully (pending replies are awaited). */
  quit(): Promise<void>;
  disconnect(): void;
}
