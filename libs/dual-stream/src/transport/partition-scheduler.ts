/** What the scheduler needs to know about a record: its ordering key. */
interface SchedulableRecord {
  offset: string;
  /** Records with the same key run one at a time, in offset order; `null` keys never wait for each other. */
  key: string | null;
}

/**
 * Key-level parallelism inside one partition, as Confluent's Parallel Consumer does it: up to `maxInFlight`
 * records run at once, never two with the same key, each key in offset order, oldest ready record first; the
 * committable position is the end of the contiguous completed prefix, so a commit never skips an unfinished
 * record. Records are appended as fetches arrive; each gets a sequence number (`seq`) used by `complete()`.
 */
export class PartitionScheduler<R extends SchedulableRecord> {
  /** Records from `base` on; the completed prefix is trimmed now and then to bound memory. */
  private records: R[] = [];
  private done: boolean[] = [];
  private base = 0;
  private prefix = 0;
  private readonly pendingByKey = new Map<string, number[]>();
  /** Records that may start now (their key is idle and they head its queue), oldest first. */
  private readonly ready = new MinHeap();
  private inFlight = 0;
  private completedCount = 0;
  private lastCompleted: R | undefined;

  constructor(private readonly maxInFlight: number) {
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError('maxInFlight must be an integer >= 1');
  }

  append(records: readonly R[]): void {
    for (const record of records) {
      const seq = this.base + this.records.length;
      this.records.push(record);
      this.done.push(false);
      if (record.key === null) {
        this.ready.push(seq);
        continue;
      }
      const queue = this.pendingByKey.get(record.key);
      if (queue) queue.push(seq);
      else {
        this.pendingByKey.set(record.key, [seq]);
        this.ready.push(seq);
      }
    }
  }

  /** The next record to start, or `undefined` when the in-flight limit is reached or nothing is ready. */
  next(): { seq: number; record: R } | undefined {
    if (this.inFlight >= this.maxInFlight) return undefined;
    const seq = this.ready.pop();
    if (seq === undefined) return undefined;
    this.inFlight++;
    return { seq, record: this.records[seq - this.base] };
  }

  /** Marks a started record finished (handled or dead-lettered); its key's next record becomes ready. */
  complete(seq: number): void {
    const i = seq - this.base;
    if (i < 0 || this.done[i]) throw new Error(`record ${seq} completed twice`);
    this.done[i] = true;
    this.inFlight--;
    this.completedCount++;
    const key = this.records[i].key;
    if (key !== null) {
      const queue = this.pendingByKey.get(key)!;
      queue.shift();
      if (queue.length > 0) this.ready.push(queue[0]);
      else this.pendingByKey.delete(key);
    }
    while (this.prefix - this.base < this.done.length && this.done[this.prefix - this.base]) this.prefix++;
    if (this.prefix > this.base) this.lastCompleted = this.records[this.prefix - this.base - 1];
    this.trim();
  }

  /** The last record of the contiguous completed prefix (what may be committed), if any. */
  lastCommittable(): R | undefined {
    return this.lastCompleted;
  }

  /** Records appended and not yet completed (running or waiting). */
  get outstanding(): number {
    return this.base + this.records.length - this.completedCount;
  }

  /** True when `next()` would return a record. */
  get hasReady(): boolean {
    return this.inFlight < this.maxInFlight && this.ready.size > 0;
  }

  get inFlightCount(): number {
    return this.inFlight;
  }

  /** True when every appended record completed. */
  get idle(): boolean {
    return this.outstanding === 0;
  }

  private trim(): void {
    const completedPrefix = this.prefix - this.base;
    if (completedPrefix < 1024 || completedPrefix * 2 < this.records.length) return;
    this.records = this.records.slice(completedPrefix);
    this.done = this.done.slice(completedPrefix);
    this.base = this.prefix;
  }
}

/** A binary min-heap of sequence numbers. */
class MinHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(value: number): void {
    const items = this.items;
    let i = items.push(value) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent] <= value) break;
      items[i] = items[parent];
      i = parent;
    }
    items[i] = value;
  }

  pop(): number | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0];
    const last = items.pop()!;
    if (items.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= items.length) break;
        const child = left + 1 < items.length && items[left + 1] < items[left] ? left + 1 : left;
        if (items[child] >= last) break;
        items[i] = items[child];
        i = child;
      }
      items[i] = last;
    }
    return top;
  }
}
