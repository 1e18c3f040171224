import type { LoggerService } from '@nestjs/common';
import type { KafkaRecord } from '../kafka/kafka-port.interface.js';
import { PartitionScheduler } from './partition-scheduler.js';
import type { PartitionSlots } from './partition-slots.js';
import type { Outcome } from './delivery.interface.js';

interface QueuedRecord {
  offset: string;
  key: string | null;
  message: KafkaRecord;
}

/** How long a partition keeps its slot while others wait: switching per record would thrash. */
const SLOT_QUANTUM_RECORDS = 100;
const SLOT_QUANTUM_MS = 50;

interface PipelineDeps {
  process(message: KafkaRecord): Promise<Outcome>;
  /** Commits `offset` (the next one to read) for this partition. */
  commit(offset: string): Promise<void>;
  slots: PartitionSlots<PartitionPipeline>;
  commitIntervalMs: number;
  logger: LoggerService;
}

/**
 * The records of one assigned partition, from fetch to commit. Fetches append here and return at once, so
 * kafkajs keeps fetching (its next fetch waits for every batch of the previous one) while a slow key is still
 * busy; only a full buffer (`maxBuffered`) makes a fetch wait. Records start under the key scheduler and the
 * group's partition slots; the contiguous completed prefix is committed at most once per interval.
 */
export class PartitionPipeline {
  private readonly scheduler: PartitionScheduler<QueuedRecord>;
  private readonly running = new Set<Promise<void>>();
  private nextExpected: bigint | undefined;
  private hasSlot = false;
  private startedWithSlot = 0;
  private slotSince = 0;
  private closed = false;
  private roomWaiters: (() => void)[] = [];
  private committed: string | undefined;
  private committing: Promise<void> | undefined;
  private commitTimer: NodeJS.Timeout | undefined;
  private lastCommitAt = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
    keyConcurrency: number,
    private readonly maxBuffered: number,
    private readonly deps: PipelineDeps,
  ) {
    this.scheduler = new PartitionScheduler(keyConcurrency);
  }

  get outstanding(): number {
    return this.scheduler.outstanding;
  }

  /** Adds fetched records; ones seen before (a refetch after a rebalance) are skipped. */
  append(messages: KafkaRecord[]): void {
    if (this.closed) return;
    const fresh =
      this.nextExpected === undefined ? messages : messages.filter((m) => BigInt(m.offset) >= this.nextExpected!);
    if (fresh.length === 0) return;
    this.nextExpected = BigInt(fresh[fresh.length - 1].offset) + 1n;
    this.scheduler.append(
      fresh.map((message) => ({
        offset: message.offset,
        key: message.key === null ? null : message.key.toString(),
        message,
      })),
    );
    this.pump();
  }

  /** Resolves when the buffer has room again (or the pipeline closed). */
  waitForRoom(): Promise<void> {
    if (this.closed || this.scheduler.outstanding < this.maxBuffered) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** Shutdown: start nothing new, wait for running records until `deadline`, then commit what is done. */
  async drain(deadline: number): Promise<number> {
    this.closed = true;
    this.wakeRoomWaiters();
    if (this.running.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(this.running),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now())))),
      ]);
      clearTimeout(timer);
    }
    await this.flush();
    this.releaseSlot();
    return this.running.size;
  }

  /** The partition went to another member: stop, commit nothing more (the new owner takes over). */
  revoke(): void {
    this.closed = true;
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    this.wakeRoomWaiters();
    this.releaseSlot();
  }

  /** Commits the completed prefix now (best-effort before a rebalance, and at shutdown). */
  async flush(): Promise<void> {
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    await this.committing;
    await this.commitNow();
  }

  private pump(): void {
    if (this.closed) return;
    if (!this.hasSlot) {
      if (!this.scheduler.hasReady) return;
      const granted = () => {
        this.hasSlot = true;
        this.startedWithSlot = 0;
        this.slotSince = Date.now();
      };
      if (
        !this.deps.slots.acquire(this, () => (this.closed ? this.deps.slots.release(this) : (granted(), this.pump())))
      ) {
        return;
      }
      granted();
    }
    // When others wait for a slot, use up a quantum, finish what runs, then hand it on (round robin).
    const yieldSlot =
      this.deps.slots.contended &&
      (this.startedWithSlot >= SLOT_QUANTUM_RECORDS || Date.now() - this.slotSince >= SLOT_QUANTUM_MS);
    if (!yieldSlot) {
      for (let next = this.scheduler.next(); next !== undefined; next = this.scheduler.next()) {
        this.start(next.seq, next.record);
        this.startedWithSlot++;
      }
    }
    if (this.scheduler.inFlightCount === 0) {
      this.releaseSlot();
      if (this.scheduler.hasReady) this.pump();
    }
  }

  private start(seq: number, record: QueuedRecord): void {
    const work: Promise<void> = this.deps.process(record.message).then(
      (outcome) => this.finish(work, seq, outcome),
      (err: unknown) => {
        // process() never rejects by contract; if it did, keep the record uncommitted and say so loudly.
        this.deps.logger.error(
          `dual-stream: ${this.topic}[${this.partition}]@${record.offset} crashed the pipeline: ${String(err)}`,
        );
        this.finish(work, seq, 'abandoned');
      },
    );
    this.running.add(work);
  }

  private finish(work: Promise<void>, seq: number, outcome: Outcome): void {
    this.running.delete(work);
    if (outcome === 'done') this.scheduler.complete(seq);
    this.scheduleCommit();
    if (this.scheduler.outstanding < this.maxBuffered) this.wakeRoomWaiters();
    this.pump();
  }

  private scheduleCommit(): void {
    if (this.closed && this.commitTimer === undefined) return;
    const wait = this.lastCommitAt + this.deps.commitIntervalMs - Date.now();
    if (wait <= 0 && !this.committing) {
      void this.commitNow();
      return;
    }
    if (this.commitTimer) return;
    this.commitTimer = setTimeout(
      () => {
        this.commitTimer = undefined;
        void this.flush();
      },
      Math.max(wait, 10),
    );
    this.commitTimer.unref();
  }

  private async commitNow(): Promise<void> {
    const last = this.scheduler.lastCommittable();
    if (!last || last.offset === this.committed || this.committing) return;
    this.lastCommitAt = Date.now();
    const offset = (BigInt(last.offset) + 1n).toString();
    this.committing = this.deps
      .commit(offset)
      .then(() => void (this.committed = last.offset))
      .catch((err: Error) =>
        this.deps.logger.warn(
          `dual-stream: commit of ${this.topic}[${this.partition}]@${offset} failed (${err.message}); ` +
            'the next commit covers it, and uncommitted records may be delivered again.',
        ),
      )
      .finally(() => (this.committing = undefined));
    await this.committing;
  }

  /** Also withdraws a pending request, so a closed pipeline is never granted a slot it would keep. */
  private releaseSlot(): void {
    this.hasSlot = false;
    this.deps.slots.release(this);
  }

  private wakeRoomWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }
}
