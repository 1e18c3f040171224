import type { KafkaRecord } from '../kafka/kafka-port.interface.js';
import type { CursorRead } from './partition-read.js';

/** The consumer's per-partition fetch controls (kafkajs `seek` / `pause` / `resume` of one topic). */
export interface FetchControl {
  seek(partition: number, offset: bigint): void;
  pause(partition: number): void;
  resume(partition: number): void;
}

/**
 * The one fetch position a consumer has per partition, time-sliced between the reads of that partition.
 *
 * Why this mechanism: kafkajs has one fetch offset per partition and a consumer per read would pay a group
 * join each (seconds on brokers with the default `group.initial.rebalance.delay.ms`). So the cursor serves
 * one read at a time, round-robin, one fetched batch per turn: it seeks to that read's next offset, and when
 * the batch arrives every read whose next offset the batch covers takes its part (reads resuming from nearby
 * positions share fetches), then the turn passes to the next read that wants records. A read with a full
 * buffer does not want records and is skipped, so a client that stops reading parks only its own read; when
 * no read wants records the partition is paused, and the first one that does again resumes it. Measured
 * (`npm run bench:replay`, docs/benchmarks.md "Replay"): four replays of one partition at once read as fast
 * together as one alone, and a 10-event replay started behind a long or a stuck one ends in ~40 ms; a consumer
 * per replay (or a pool) would pay a group join per consumer and its own fetch loop and heartbeats instead.
 */
export class PartitionCursor {
  private readonly reads: CursorRead[] = [];
  private serving?: CursorRead;
  private paused = true;

  constructor(
    readonly partition: number,
    private readonly control: FetchControl,
  ) {}

  get size(): number {
    return this.reads.length;
  }

  add(read: CursorRead): void {
    this.reads.push(read);
    this.changed();
  }

  remove(read: CursorRead): void {
    const at = this.reads.indexOf(read);
    if (at < 0) return;
    this.reads.splice(at, 1);
    if (this.serving === read) this.serving = undefined;
    this.changed();
  }

  /** A batch fetched for this partition: every read takes its part, then the turn passes on. */
  onBatch(fetchedOffset: bigint, records: KafkaRecord[]): void {
    for (const read of [...this.reads]) read.take(fetchedOffset, records);
    this.serve(this.nextAfter(this.serving));
  }

  /** A read wants records again or ended: keep serving the current one if it still wants them. */
  changed(): void {
    if (this.serving?.wantsRecords && !this.paused) return;
    this.serve(this.nextAfter(this.serving));
  }

  /** After a (re)join the consumer has every partition paused and no position: take it up again. */
  rejoined(): void {
    this.paused = true;
    this.serving = undefined;
    this.changed();
  }

  /** The first read after `current` (in arrival order, wrapping round, `current` last) that wants records. */
  private nextAfter(current: CursorRead | undefined): CursorRead | undefined {
    const start = current ? this.reads.indexOf(current) + 1 : 0;
    for (let i = 0; i < this.reads.length; i++) {
      const read = this.reads[(start + i) % this.reads.length]!;
      if (read.wantsRecords) return read;
    }
    return undefined;
  }

  private serve(read: CursorRead | undefined): void {
    this.serving = read;
    if (!read) {
      if (!this.paused) this.control.pause(this.partition);
      this.paused = true;
      return;
    }
    // Always seek: after a batch the consumer's own position is past its last record, which is not where this
    // read (or the one whose buffer filled up mid-batch) goes on.
    this.control.seek(this.partition, read.next);
    if (this.paused) this.control.resume(this.partition);
    this.paused = false;
  }
}
