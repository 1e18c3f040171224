import type { LoggerService } from '@nestjs/common';
import type { KafkaTopicFetcherPort } from '../kafka/kafka-port.interface.js';
import { PartitionCursor, type FetchControl } from './partition-cursor.js';
import {
  PartitionRead,
  type PartitionReadRequest,
  type PartitionReadResult,
  type ReadEndReason,
} from './partition-read.js';

interface TopicReaderSettings {
  /** Each read's own buffer (`replay.maxBufferedBytes`). */
  maxBufferedBytes: number;
}

/**
 * Reads ranges of one topic's partitions for replays, through one assign-and-seek fetcher of the Kafka port
 * (every partition paused until a read wants it; see the driver's fetcher for how it reads without a group or
 * with a throwaway one). A partition's `PartitionCursor` seeks and resumes it while some read of it wants
 * records. The fetcher is started once per topic instead of once per replay.
 *
 * The fetcher's `onBatch` never waits: it copies what each read needs into that read's own bounded buffer and
 * returns; reads hand their buffers to their clients outside it (`PartitionRead.run`). A client that stops
 * reading therefore stalls only its own read, never a partition, the fetch loop or another read.
 */
export class TopicReader {
  private started?: Promise<void>;
  private readonly cursors = new Map<number, PartitionCursor>();
  private readonly reads = new Set<PartitionRead<unknown>>();
  /** Reads asked for and not ended, those still waiting for the consumer to start included. */
  private pending = 0;
  lastUsedAt = Date.now();

  private readonly control: FetchControl = {
    seek: (partition, offset) => this.fetcher.seek(partition, offset),
    pause: (partition) => this.fetcher.pause(partition),
    resume: (partition) => this.fetcher.resume(partition),
  };

  constructor(
    private readonly fetcher: KafkaTopicFetcherPort,
    readonly topic: string,
    private readonly settings: TopicReaderSettings,
    private readonly logger: LoggerService,
  ) {}

  get busy(): boolean {
    return this.pending > 0;
  }

  /** Reads in progress (their cursors and buffers are freed when they end). */
  get activeReads(): number {
    return this.reads.size;
  }

  async read<T>(request: PartitionReadRequest<T>): Promise<PartitionReadResult> {
    this.lastUsedAt = Date.now();
    if (request.fromExclusive + 1n >= request.untilExclusive) return { scanned: 0, complete: true };
    this.pending++;
    try {
      await this.start();
      return await this.readStarted(request);
    } finally {
      this.pending--;
      this.lastUsedAt = Date.now();
    }
  }

  /** Ends every read in progress (`reason`) and stops the fetcher (a later read starts it again). */
  async close(reason: ReadEndReason = 'cancelled'): Promise<void> {
    for (const read of [...this.reads]) read.abort(reason);
    const wasStarted = this.started !== undefined;
    this.started = undefined;
    if (wasStarted) await this.fetcher.close().catch(() => undefined);
  }

  private async readStarted<T>(request: PartitionReadRequest<T>): Promise<PartitionReadResult> {
    const cursor = this.cursorOf(request.partition);
    const read = new PartitionRead(request, this.settings.maxBufferedBytes, () => cursor.changed());
    this.reads.add(read as PartitionRead<unknown>);
    cursor.add(read);
    try {
      const result = await read.run();
      if (result.reason === 'error' && result.error !== undefined) {
        this.logger.warn(`replay of ${this.topic}[${request.partition}] failed to deliver a page: ${result.error}`);
      }
      return result;
    } finally {
      this.reads.delete(read as PartitionRead<unknown>);
      cursor.remove(read);
      if (cursor.size === 0) this.cursors.delete(request.partition);
    }
  }

  private cursorOf(partition: number): PartitionCursor {
    let cursor = this.cursors.get(partition);
    if (!cursor) this.cursors.set(partition, (cursor = new PartitionCursor(partition, this.control)));
    return cursor;
  }

  private start(): Promise<void> {
    this.started ??= this.fetcher
      .start({
        onBatch: (partition, fetchedOffset, records) => this.cursors.get(partition)?.onBatch(fetchedOffset, records),
        // Partitions are paused and without positions again: let the cursors take their reads up again.
        onReset: () => {
          for (const cursor of this.cursors.values()) cursor.rejoined();
        },
        // After a fatal error the next read starts the fetcher again; the reads in progress end with `error`.
        onFatal: (error) => {
          this.logger.warn(`replay reader of ${this.topic} crashed: ${error.message}`);
          void this.close('error');
        },
      })
      .catch((err: unknown) => {
        this.started = undefined;
        throw err;
      });
    return this.started;
  }
}
