import type { ResolvedDualStreamOptions } from '../../dual-stream-options.resolver.js';
import { SseStreamRefusedError } from '../../errors/sse-stream-refused.error.js';
import type { EventSource } from '../../interfaces/dual-stream-event.interface.js';
import type { HubCounters } from '../hub-counters.js';
import type { PartitionLookups } from '../partition-lookups.js';
import { LiveMessage } from '../socket-packet.js';
import { planSseStream, type SseStreamChannel, type SseStreamPlan, type SseStreamRequest } from './sse-stream-plan.js';

/**
 * The checks of an SSE stream request (docs/sse.md) before anything is written or subscribed: the synchronous
 * ones (`planSseStream`), then that the principal may read every channel (`hub.canSubscribe`, the hook socket
 * subscriptions go through) and that each cursor position is one the stream could have sent (Kafka).
 */
export class SseStreamPlanner {
  constructor(
    private readonly options: Pick<ResolvedDualStreamOptions, 'redis' | 'hub'>,
    private readonly counters: HubCounters,
    private readonly partitions: PartitionLookups,
    private readonly topicOf: (source: EventSource) => string,
  ) {}

  /** The checked plan, or `SseStreamRefusedError` with the reason (the caller answers it with a 4xx). */
  async plan(principal: unknown, request: SseStreamRequest): Promise<SseStreamPlan> {
    if (this.options.redis === false) {
      throw new SseStreamRefusedError('disabled', 'realtime is disabled on this gateway (redis: false)');
    }
    const plan = planSseStream(request);
    const allowed = await Promise.all(
      plan.channels.map(async ({ channel }) => {
        try {
          return await this.options.hub.canSubscribe(principal, channel);
        } catch {
          return false;
        }
      }),
    );
    const refused = plan.channels.find((_, i) => !allowed[i]);
    if (refused) {
      this.counters.subscribeRefused++;
      throw new SseStreamRefusedError('forbidden', `this token may not read ${refused.channel}`, refused.channel);
    }
    await Promise.all(plan.channels.map((c) => this.checkResumePosition(c)));
    return plan;
  }

  /**
   * A cursor position must be one the stream could have sent: on the partition the channel's events go to,
   * below that partition's high-water mark. When Kafka cannot say, the replay will report what it finds.
   */
  private async checkResumePosition(c: SseStreamChannel): Promise<void> {
    if (!c.resume || !('offset' in c.at)) return;
    const topic = this.topicOf(c.source);
    const [partition, high] = await Promise.all([
      this.partitions.partitionOf(c.source, topic).catch(() => undefined),
      this.partitions.highWatermark(topic, c.at.partition, LiveMessage.lastSeq).catch(() => undefined),
    ]);
    if (partition !== undefined && partition !== c.at.partition) {
      throw new SseStreamRefusedError(
        'invalid-cursor',
        `the cursor's position for ${c.channel} is on partition ${c.at.partition}, where this channel's events ` +
          'never go: send the id the stream sent, unchanged',
        c.channel,
      );
    }
    if (high !== undefined && BigInt(c.at.offset) >= high) {
      throw new SseStreamRefusedError(
        'invalid-cursor',
        `the cursor's position for ${c.channel} is past the end of its partition: ` +
          'send the id the stream sent, unchanged',
        c.channel,
      );
    }
  }
}
