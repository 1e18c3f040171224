import type { KafkaRecord } from '../kafka/kafka-port.interface.js';

/** Why a read ended before its range: limits, its caller, or the reader failing. */
export type ReadEndReason = 'scan-limit' | 'timeout' | 'cancelled' | 'error';

/** One bounded read of a partition: records with `fromExclusive < offset < untilExclusive`, in order. */
export interface PartitionReadRequest<T> {
  partition: number;
  fromExclusive: bigint;
  untilExclusive: bigint;
  /**
   * What to keep of a record (e.g. the source's own, as notifications); `undefined` skips it. Runs inside the
   * fetch loop: it must not block or wait.
   */
  select: (record: KafkaRecord) => T | undefined;
  /**
   * Receives what was kept, in order, a page at a time, outside the fetch loop; the next page comes once this
   * one settled. `signal` aborts when the read ends early (timeout, cancel): stop delivering then.
   */
  onItems: (items: T[], signal: AbortSignal) => Promise<void> | void;
  maxScanned: number;
  /** Epoch ms. */
  deadline: number;
  /** Ends the read early with reason `cancelled`, dropping what it holds. */
  signal?: AbortSignal;
}

export interface PartitionReadResult {
  scanned: number;
  complete: boolean;
  reason?: ReadEndReason;
  error?: string;
}

/** What a partition's fetch cursor needs of a read (see `PartitionCursor`). */
export interface CursorRead {
  /** The next offset this read needs. */
  readonly next: bigint;
  /** Not ended, and room in its buffer: worth fetching for. */
  readonly wantsRecords: boolean;
  /** Takes what it needs of a fetched batch whose records start at or before `fetchedOffset`. */
  take(fetchedOffset: bigint, records: KafkaRecord[]): void;
}

/**
 * The state of one read: its position, its own bounded buffer between the fetch loop and its consumer, and
 * its end. The fetch loop only ever appends to the buffer (`take`) and never waits for the consumer; `run`
 * hands the buffer over page by page and is the only place that waits for it. A full buffer just stops the
 * read from wanting records, so the partition's cursor serves other reads meanwhile.
 */
export class PartitionRead<T> implements CursorRead {
  next: bigint;
  scanned = 0;
  private items: T[] = [];
  private bytes = 0;
  private result?: PartitionReadResult;
  /** Aborted when the read ends early, so a consumer waiting on its client stops at once. */
  private readonly stop = new AbortController();
  private wake?: () => void;

  /**
   * @param maxBufferedBytes record bytes (key + value) the buffer holds before the read stops wanting records;
   *   the record that crosses it is kept, so a record larger than the bound still gets through.
   * @param changed called when the read wants records again (its buffer was taken) or ended early.
   */
  constructor(
    readonly request: PartitionReadRequest<T>,
    private readonly maxBufferedBytes: number,
    private readonly changed: () => void,
  ) {
    this.next = request.fromExclusive + 1n;
  }

  get wantsRecords(): boolean {
    return this.result === undefined && this.bytes < this.maxBufferedBytes;
  }

  get ended(): boolean {
    return this.result !== undefined;
  }

  take(fetchedOffset: bigint, records: KafkaRecord[]): void {
    // Offsets are immutable, so a batch is usable when it was fetched at or before the next offset we need
    // (it then holds every record from there on), whatever read it was fetched for.
    if (!this.wantsRecords || fetchedOffset > this.next) return;
    const { untilExclusive, maxScanned, select } = this.request;
    const before = this.items.length;
    for (const record of records) {
      const offset = BigInt(record.offset);
      if (offset < this.next) continue;
      if (offset >= untilExclusive || this.scanned >= maxScanned || this.bytes >= this.maxBufferedBytes) break;
      this.scanned++;
      this.next = offset + 1n;
      const item = select(record);
      if (item === undefined) continue;
      this.items.push(item);
      this.bytes += (record.key?.length ?? 0) + (record.value?.length ?? 0);
    }
    if (this.next >= untilExclusive) this.end({ scanned: this.scanned, complete: true });
    else if (this.scanned >= maxScanned) this.end({ scanned: this.scanned, complete: false, reason: 'scan-limit' });
    if (this.items.length > before || this.ended) this.wake?.();
  }

  /** Ends the read now: what it holds is dropped and a page being delivered is told to stop. */
  abort(reason: ReadEndReason, error?: string): void {
    if (this.ended) return;
    this.end({ scanned: this.scanned, complete: false, reason, ...(error !== undefined && { error }) });
    this.items = [];
    this.bytes = 0;
    this.stop.abort();
    this.changed();
    this.wake?.();
  }

  /**
   * Hands the buffer to `onItems` until the read ends; resolves with its result once the last page settled,
   * so nothing of this read is delivered after its result. Ends it at its deadline and on its signal.
   */
  async run(): Promise<PartitionReadResult> {
    const { signal, deadline, onItems } = this.request;
    const onAbort = () => this.abort('cancelled');
    const timer = setTimeout(() => this.abort('timeout'), Math.max(0, deadline - Date.now()));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    try {
      for (;;) {
        if (this.items.length === 0) {
          if (this.result) return this.result;
          await new Promise<void>((resolve) => (this.wake = resolve));
          this.wake = undefined;
          continue;
        }
        const page = this.items;
        this.items = [];
        this.bytes = 0;
        if (!this.ended) this.changed();
        try {
          await onItems(page, this.stop.signal);
        } catch (err) {
          // A page that was not delivered is a hole: say so instead of reading on.
          this.abort('error', (err as Error).message);
        }
      }
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private end(result: PartitionReadResult): void {
    this.result ??= result;
  }
}
