import type { PubSubSubscriber } from '../pubsub-subscriber.js';
import type { KafkaReplayService } from '../replay/kafka-replay.service.js';
import { ChannelSubscription } from './channel-subscription.js';
import type { ConnectionEntry } from './connection-entry.js';
import type { HubCounters } from './hub-counters.js';
import type { RealtimeHubMetrics } from './realtime-hub.interfaces.js';
import { SseConnection } from './sse/sse-connection.js';

/** What `RealtimeHub.metrics()` is made of. */
interface HubMetricSources {
  entries: Iterable<ConnectionEntry>;
  redis: PubSubSubscriber<unknown, unknown>;
  replay: Pick<KafkaReplayService, 'activeReplays'>;
  counters: HubCounters;
}

/** The hub's metrics now: gauges counted over the attached connections, then the running totals. */
export function hubMetrics({ entries, redis, replay, counters }: HubMetricSources): RealtimeHubMetrics {
  let connections = 0;
  let subscriptions = 0;
  let patternSubscriptions = 0;
  let sseStreams = 0;
  let queuedMessages = 0;
  let queuedBytes = 0;
  for (const { connection, subs } of entries) {
    connections++;
    if (connection instanceof SseConnection) sseStreams++;
    queuedMessages += connection.queuedMessages;
    queuedBytes += connection.queuedBytes;
    for (const sub of subs.values()) {
      if (sub instanceof ChannelSubscription) subscriptions++;
      else patternSubscriptions++;
    }
  }
  return {
    connections,
    subscriptions,
    patternSubscriptions,
    redisChannels: redis.channelCount,
    redisPatterns: redis.patternCount,
    redisUp: redis.up,
    queuedMessages,
    queuedBytes,
    activeReplays: replay.activeReplays,
    sseStreams,
    ...counters,
  };
}
