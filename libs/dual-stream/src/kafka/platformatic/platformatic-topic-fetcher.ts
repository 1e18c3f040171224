import { randomUUID } from 'node:crypto';
import type { ResolvedDualStreamOptions } from '../../dual-stream-options.resolver.js';
import type { KafkaTopicFetcherPort, TopicFetcherEvents, TopicFetcherSettings } from '../kafka-port.interface.js';
import { PartitionFetchLoop, type BufferConsumer } from './partition-fetch-loop.js';
import { platformaticBaseOptions } from './platformatic-client.js';
import { toPortError } from './platformatic-errors.js';
import { loadPlatformatic } from './platformatic-module.js';

/**
 * Assign-and-seek reads of one topic without a consumer group: `@platformatic/kafka`'s `Consumer.fetch` reads
 * any partition at any offset, so no group is joined (nothing to wait for, nothing left on the coordinator; the
 * group id the client requires is never sent). Every partition starts paused and without position.
 * `onBatch` is called synchronously from the fetch's callback and must not wait.
 */
export class PlatformaticTopicFetcher implements KafkaTopicFetcherPort {
  private consumer: BufferConsumer | undefined;
  private loop: PartitionFetchLoop | undefined;

  constructor(
    private readonly options: ResolvedDualStreamOptions,
    private readonly topic: string,
    private readonly settings: TopicFetcherSettings,
    private readonly role: string,
  ) {}

  async start(events: TopicFetcherEvents): Promise<void> {
    const { Consumer } = await loadPlatformatic();
    const consumer: BufferConsumer = new Consumer({
      ...platformaticBaseOptions(this.options, this.role),
      groupId: `${this.settings.groupPrefix}-replay-${randomUUID()}`,
      autocommit: false,
    });
    this.consumer = consumer;
    try {
      const metadata = await consumer.metadata({ topics: [this.topic], forceUpdate: true });
      const count = metadata.topics.get(this.topic)!.partitionsCount;
      const loop = new PartitionFetchLoop(
        consumer,
        { maxWaitMs: this.settings.maxWaitMs },
        {
          onRecords: (state, records, fetchedOffset, nextOffset) => {
            // Auto-advance past the batch; a seek from inside onBatch wins.
            state.offset = nextOffset;
            events.onBatch(state.partition, fetchedOffset, records);
          },
          onError: (error, fatal) => {
            if (fatal && this.consumer === consumer) events.onFatal(error);
          },
        },
      );
      for (let partition = 0; partition < count; partition++) loop.add(this.topic, partition, undefined, true);
      this.loop = loop;
      events.onReset();
    } catch (err) {
      this.consumer = undefined;
      void consumer.close(true).catch(() => undefined);
      throw toPortError(err);
    }
  }

  seek(partition: number, offset: bigint): void {
    const state = this.loop?.get(this.topic, partition);
    if (state) this.loop!.seek(state, offset);
  }

  pause(partition: number): void {
    const state = this.loop?.get(this.topic, partition);
    if (state) this.loop!.setPaused(state, true);
  }

  resume(partition: number): void {
    const state = this.loop?.get(this.topic, partition);
    if (state) this.loop!.setPaused(state, false);
  }

  async close(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    this.loop?.stop();
    this.loop = undefined;
    await consumer?.close(true).catch(() => undefined);
  }
}
