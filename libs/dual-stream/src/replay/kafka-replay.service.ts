import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import { sourceKey } from '../events/event-naming.js';
import type {
  DualStreamEvent,
  EventSource,
  KafkaPosition,
  RealtimeNotification,
} from '../interfaces/dual-stream-event.interface.js';
import { kafkaDriverFor } from '../kafka/kafka-driver.factory.js';
import type { KafkaAdminPort, KafkaDriver, KafkaRecord } from '../kafka/kafka-port.interface.js';
import { keyPartition } from '../kafka/key-partition.js';
import { DUAL_STREAM_RESOLVED_OPTIONS as RESOLVED_OPTIONS_TOKEN } from '../constants.js';
import { toNotification } from './record-notification.js';
import { ReplaySlots } from './replay-slots.js';
import { TopicReader } from './topic-reader.js';

export interface ReplayBounds {
  /** @default replay.maxRecordsScanned */
  maxRecordsScanned?: number;
  /**
   * Wall time of the replay from the moment it has its slot (a replay that waits for one, `waitForSlot`, is not
   * charged for the wait: it has not read anything yet, so giving up then would report a hole that nobody
   * looked for). @default replay.timeoutMs
   */
  timeoutMs?: number;
  /** Ends the replay at once with reason `cancelled` (a dropped subscription, a socket gone). @default undefined */
  signal?: AbortSignal;
  /**
   * With all `replay.maxConcurrent` slots taken: `false` answers reason `busy` at once, `true` waits for a
   * slot (in arrival order) until `signal` aborts. The wait is bounded all the same: each running replay ends
   * within `timeoutMs` (or `replay.clientWaitMs` for a client that stops reading), so a slot frees up. @default false
   */
  waitForSlot?: boolean;
}

/** Why a replay did not recover everything (docs/protocol.md "Positions and cursors"). */
export type ReplayReason =
  'scan-limit' | 'timeout' | 'retention' | 'unknown-partition' | 'error' | 'busy' | 'cancelled';

export interface ReplayResult {
  /** Every event of the source after `from` up to the high-water mark at the start was handed to `onPage`. */
  recovered: boolean;
  /** Events of the source handed to `onPage`. */
  replayed: number;
  /** Records read from the partition (all keys). */
  scanned: number;
  /** Why `recovered` is false. */
  reason?: ReplayReason;
  error?: string;
}

/**
 * Replays one source's events from Kafka after a position: reads the source's partition from `offset + 1` to
 * the high-water mark taken at the start (later events reach the caller live), keeps the records keyed
 * `sourceKey(source)`, hands them over page by page and stops at `maxRecordsScanned` or `timeoutMs` with
 * `recovered: false`. One pooled reader per topic (see `TopicReader` for why), closed when idle; at most
 * `replay.maxConcurrent` replays at once per process.
 */
@Injectable()
export class KafkaReplayService implements OnApplicationShutdown {
  private readonly driver: KafkaDriver;
  private admin?: Promise<KafkaAdminPort>;
  private readonly readers = new Map<string, TopicReader>();
  private readonly slots: ReplaySlots;
  private idleTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(@Inject(RESOLVED_OPTIONS_TOKEN) private readonly options: ResolvedDualStreamOptions) {
    this.slots = new ReplaySlots(options.replay.maxConcurrent);
    this.driver = kafkaDriverFor(options);
  }

  /** Replays running now (each holds one of the `replay.maxConcurrent` slots): a gauge for metrics. */
  get activeReplays(): number {
    return this.slots.active;
  }

  /** The topic a source's events are written to (the publisher's `kafka.topic`). */
  topicOf(source: EventSource): string {
    return this.options.kafka.topic({ source } as DualStreamEvent);
  }

  /**
   * Hands the source's events after `from` to `onPage`, page by page, each page once the previous one settled.
   * `onPage` may wait (for its client), but should stop when `signal` aborts (the replay ended early).
   */
  async replay(
    source: EventSource,
    from: KafkaPosition,
    onPage: (events: RealtimeNotification[], signal: AbortSignal) => Promise<void> | void,
    bounds: ReplayBounds = {},
  ): Promise<ReplayResult> {
    const maxRecordsScanned = bounds.maxRecordsScanned ?? this.options.replay.maxRecordsScanned;
    const { signal } = bounds;
    const slot = bounds.waitForSlot ? await this.slots.acquire(Infinity, signal) : this.slots.tryAcquire();
    if (!slot) return { recovered: false, replayed: 0, scanned: 0, reason: signal?.aborted ? 'cancelled' : 'busy' };
    const deadline = Date.now() + (bounds.timeoutMs ?? this.options.replay.timeoutMs);
    let replayed = 0;
    try {
      const admin = await this.connectAdmin();
      const offsets = await admin.topicOffsets(from.topic);
      const partition = offsets.find((p) => p.partition === from.partition);
      if (!partition) return { recovered: false, replayed: 0, scanned: 0, reason: 'unknown-partition' };
      const { low, high } = partition;
      let fromExclusive = BigInt(from.offset);
      // Records before `low` were deleted by retention: replay what is left and say it is incomplete.
      const truncated = fromExclusive + 1n < low;
      if (truncated) fromExclusive = low - 1n;
      const result = await this.readerFor(from.topic).read({
        partition: from.partition,
        fromExclusive,
        untilExclusive: high,
        maxScanned: maxRecordsScanned,
        deadline,
        signal,
        select: this.selector(source, from),
        onItems: (events, stop) => {
          replayed += events.length;
          return onPage(events, stop);
        },
      });
      const { scanned } = result;
      if (!result.complete) return { recovered: false, replayed, scanned, reason: result.reason, error: result.error };
      if (truncated) return { recovered: false, replayed, scanned, reason: 'retention' };
      return { recovered: true, replayed, scanned };
    } catch (err) {
      return { recovered: false, replayed, scanned: 0, reason: 'error', error: (err as Error).message };
    } finally {
      this.slots.release();
    }
  }

  /**
   * The position just before the source's first event at or after `timestampMs` (record CreateTime), for
   * recovering a subscription that has no delivered position yet. Assumes the publisher's partitioner is the
   * default (murmur2 of the key, as the Java client: `keyPartition`), which `DualStreamPublisher` uses.
   */
  async positionAt(source: EventSource, timestampMs: number): Promise<KafkaPosition | undefined> {
    const topic = this.topicOf(source);
    const admin = await this.connectAdmin();
    const count = await admin.partitionCount(topic);
    if (count === 0) return undefined;
    const partition = keyPartition(sourceKey(source), count);
    const offsets = await admin.offsetsAtTime(topic, timestampMs);
    const found = offsets.find((p) => p.partition === partition);
    if (!found) return undefined;
    return { topic, partition, offset: (found.offset - 1n).toString() };
  }

  // ---- Added for the realtime hub (realtime/partition-lookups.ts): dedupe-poisoning checks and range-gap routing.
  /** Each partition's high-water mark (the offset its next record will get) of `topic`. */
  async highWatermarks(topic: string): Promise<Map<number, bigint>> {
    const admin = await this.connectAdmin();
    const offsets = await admin.topicOffsets(topic);
    return new Map(offsets.map((p) => [p.partition, p.high]));
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

  /**
   * The source's records as notifications (what the publisher announced for them), others skipped. `data` is
   * inlined by this process's own `realtime.inlineData` / `maxInlineBytes`, which is why a gateway's realtime
   * settings must match its publishers'.
   */
  private selector(
    source: EventSource,
    from: KafkaPosition,
  ): (record: KafkaRecord) => RealtimeNotification | undefined {
    const key = Buffer.from(sourceKey(source));
    const { inlineData, maxInlineBytes } = this.options.realtime;
    return (record) =>
      record.key && key.equals(record.key)
        ? toNotification(record, from.topic, from.partition, inlineData, maxInlineBytes)
        : undefined;
  }

  private connectAdmin(): Promise<KafkaAdminPort> {
    if (this.closed) return Promise.reject(new Error('KafkaReplayService is shut down'));
    this.admin ??= (async () => {
      const admin = this.driver.admin('replay');
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
      const { maxWaitMs, maxBufferedBytes } = this.options.replay;
      const fetcher = this.driver.topicFetcher(
        topic,
        { maxWaitMs, groupPrefix: this.options.kafka.clientId },
        'replay',
      );
      reader = new TopicReader(fetcher, topic, { maxBufferedBytes }, this.options.logger);
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
