import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Partitioners, type Admin, type Kafka, type KafkaMessage } from 'kafkajs';
import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import { sourceKey } from '../events/event-naming.js';
import type {
  DualStreamEvent,
  EventSource,
  KafkaPosition,
  RealtimeNotification,
} from '../interfaces/dual-stream-event.interface.js';
import { createKafkaClient } from '../kafka-client.factory.js';
import { DUAL_STREAM_RESOLVED_OPTIONS as RESOLVED_OPTIONS_TOKEN } from '../constants.js';
import { toNotification } from './record-notification.js';
import { TopicReader } from './topic-reader.js';

export interface ReplayBounds {
  /** @default replay.maxRecordsScanned */
  maxRecordsScanned?: number;
  /** @default replay.timeoutMs */
  timeoutMs?: number;
}

export interface ReplayResult {
  /** Every event of the source after `from` up to the high-water mark at the start was handed to `onPage`. */
  recovered: boolean;
  /** Events of the source handed to `onPage`. */
  replayed: number;
  /** Records read from the partition (all keys). */
  scanned: number;
  /** Why `recovered` is false. */
  reason?: 'scan-limit' | 'timeout' | 'retention' | 'unknown-partition' | 'error';
  error?: string;
}

/**
 * Replays one source's events from Kafka after a position: reads the source's partition from `offset + 1` to
 * the high-water mark taken at the start (later events reach the caller live), keeps the records keyed
 * `sourceKey(source)`, hands them over page by page and stops at `maxRecordsScanned` or `timeoutMs` with
 * `recovered: false`. One pooled reader per topic (see `TopicReader` for why), closed when idle.
 */
@Injectable()
export class KafkaReplayService implements OnApplicationShutdown {
  private kafka?: Kafka;
  private admin?: Promise<Admin>;
  private readonly readers = new Map<string, TopicReader>();
  private idleTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(@Inject(RESOLVED_OPTIONS_TOKEN) private readonly options: ResolvedDualStreamOptions) {}

  /** The topic a source's events are written to (the publisher's `kafka.topic`). */
  topicOf(source: EventSource): string {
    return this.options.kafka.topic({ source } as DualStreamEvent);
  }

  async replay(
    source: EventSource,
    from: KafkaPosition,
    onPage: (events: RealtimeNotification[]) => Promise<void> | void,
    bounds: ReplayBounds = {},
  ): Promise<ReplayResult> {
    const maxRecordsScanned = bounds.maxRecordsScanned ?? this.options.replay.maxRecordsScanned;
    const deadline = Date.now() + (bounds.timeoutMs ?? this.options.replay.timeoutMs);
    try {
      const admin = await this.connectAdmin();
      const offsets = await admin.fetchTopicOffsets(from.topic);
      const partition = offsets.find((p) => p.partition === from.partition);
      if (!partition) return { recovered: false, replayed: 0, scanned: 0, reason: 'unknown-partition' };
      const low = BigInt(partition.low);
      const high = BigInt(partition.high);
      let fromExclusive = BigInt(from.offset);
      // Records before `low` were deleted by retention: replay what is left and say it is incomplete.
      const truncated = fromExclusive + 1n < low;
      if (truncated) fromExclusive = low - 1n;
      const key = sourceKey(source);
      const { inlineData, maxInlineBytes } = this.options.realtime;
      let replayed = 0;
      const result = await this.readerFor(from.topic).read({
        partition: from.partition,
        fromExclusive,
        untilExclusive: high,
        maxScanned: maxRecordsScanned,
        deadline,
        onRecords: (records: KafkaMessage[]) => {
          const page: RealtimeNotification[] = [];
          for (const record of records) {
            if (record.key?.toString() !== key) continue;
            const notification = toNotification(record, from.topic, from.partition, inlineData, maxInlineBytes);
            if (notification) page.push(notification);
          }
          replayed += page.length;
          return page.length > 0 ? onPage(page) : undefined;
        },
      });
      if (!result.complete) return { recovered: false, replayed, scanned: result.scanned, reason: result.reason };
      if (truncated) return { recovered: false, replayed, scanned: result.scanned, reason: 'retention' };
      return { recovered: true, replayed, scanned: result.scanned };
    } catch (err) {
      return { recovered: false, replayed: 0, scanned: 0, reason: 'error', error: (err as Error).message };
    }
  }

  /**
   * The position just before the source's first event at or after `timestampMs` (record CreateTime), for
   * recovering a subscription that has no delivered position yet. Assumes the publisher's partitioner is
   * kafkajs' default (murmur2 of the key, as the Java client), which `DualStreamPublisher` uses.
   */
  async positionAt(source: EventSource, timestampMs: number): Promise<KafkaPosition | undefined> {
    const topic = this.topicOf(source);
    const admin = await this.connectAdmin();
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitionMetadata = metadata.topics[0]?.partitions ?? [];
    if (partitionMetadata.length === 0) return undefined;
    const partition = Partitioners.DefaultPartitioner()({
      topic,
      partitionMetadata,
      message: { key: sourceKey(source), value: null },
    });
    const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, timestampMs);
    const found = offsets.find((p) => p.partition === partition);
    if (!found) return undefined;
    return { topic, partition, offset: (BigInt(found.offset) - 1n).toString() };
  }

  // ---- Added for the realtime hub (realtime/partition-lookups.ts): dedupe-poisoning checks and range-gap routing.
  /** Each partition's high-water mark (the offset its next record will get) of `topic`. */
  async highWatermarks(topic: string): Promise<Map<number, bigint>> {
    const admin = await this.connectAdmin();
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((p) => [p.partition, BigInt(p.high)]));
  }
  // ---- End of the realtime hub's addition.

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearInterval(this.idleTimer);
    const readers = [...this.readers.values()];
    this.readers.clear();
    await Promise.all(readers.map((reader) => reader.close()));
    const admin = this.admin;
    this.admin = undefined;
    await admin?.then((a) => a.disconnect()).catch(() => undefined);
  }

  private client(): Kafka {
    this.kafka ??= createKafkaClient(this.options, 'replay');
    return this.kafka;
  }

  private connectAdmin(): Promise<Admin> {
    if (this.closed) return Promise.reject(new Error('KafkaReplayService is shut down'));
    this.admin ??= (async () => {
      const admin = this.client().admin();
      await admin.connect();
      return admin;
    })().catch((err) => {
      this.admin = undefined;
      throw err;
    });
    return this.admin;
  }

  private readerFor(topic: string): TopicReader {
    let reader = this.readers.get(topic);
    if (!reader) {
      const { maxWaitMs } = this.options.replay;
      reader = new TopicReader(this.client(), topic, maxWaitMs, this.options.kafka.clientId, this.options.logger);
      this.readers.set(topic, reader);
      this.armIdleSweep();
    }
    return reader;
  }

  /** Readers unused for `idleCloseMs` leave their group; the next replay of that topic joins again. */
  private armIdleSweep(): void {
    if (this.idleTimer) return;
    const { idleCloseMs } = this.options.replay;
    this.idleTimer = setInterval(
      () => {
        for (const [topic, reader] of this.readers) {
          if (!reader.busy && Date.now() - reader.lastUsedAt > idleCloseMs) {
            this.readers.delete(topic);
            void reader.close();
          }
        }
        if (this.readers.size === 0) {
          clearInterval(this.idleTimer);
          this.idleTimer = undefined;
        }
      },
      Math.max(1000, Math.floor(idleCloseMs / 2)),
    );
    this.idleTimer.unref();
  }
}
