import type { KafkaRecord } from '../kafka/kafka-port.interface.js';
import { PartitionCursor, type FetchControl } from './partition-cursor.js';
import type { CursorRead } from './partition-read.js';

/** A read that takes every record it is offered until `capacity` records, then is full until `drain()`. */
class FakeRead implements CursorRead {
  taken: string[] = [];
  ended = false;
  private held = 0;

  constructor(
    public next: bigint,
    private readonly capacity = 1000,
  ) {}

  get wantsRecords(): boolean {
    return !this.ended && this.held < this.capacity;
  }

  take(fetchedOffset: bigint, records: KafkaRecord[]): void {
    if (!this.wantsRecords || fetchedOffset > this.next) return;
    for (const record of records) {
      if (BigInt(record.offset) < this.next) continue;
      if (this.held >= this.capacity) break;
      this.taken.push(record.offset);
      this.held++;
      this.next = BigInt(record.offset) + 1n;
    }
  }

  drain(): void {
    this.held = 0;
  }
}

function recording(): FetchControl & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    seek: (p, offset) => calls.push(`seek ${p}@${offset}`),
    pause: (p) => calls.push(`pause ${p}`),
    resume: (p) => calls.push(`resume ${p}`),
  };
}

const records = (from: number, count: number): KafkaRecord[] =>
  Array.from({ length: count }, (_, i) => ({ offset: String(from + i) }) as KafkaRecord);

describe('PartitionCursor', () => {
  it('seeks and resumes for the first read and pauses once no read wants records', () => {
    const control = recording();
    const cursor = new PartitionCursor(4, control);
    const read = new FakeRead(10n);
    cursor.add(read);
    expect(control.calls).toEqual(['seek 4@10', 'resume 4']);
    cursor.onBatch(10n, records(10, 5));
    expect(read.taken).toEqual(['10', '11', '12', '13', '14']);
    expect(control.calls.at(-1)).toBe('seek 4@15');
    read.ended = true;
    cursor.changed();
    expect(control.calls.at(-1)).toBe('pause 4');
    cursor.remove(read);
    expect(cursor.size).toBe(0);
  });

  it('passes the turn round-robin, one batch each, seeking to each read in turn', () => {
    const control = recording();
    const cursor = new PartitionCursor(0, control);
    const a = new FakeRead(0n);
    const b = new FakeRead(100n);
    cursor.add(a);
    cursor.add(b);
    cursor.onBatch(0n, records(0, 3));
    expect(control.calls.at(-1)).toBe('seek 0@100');
    cursor.onBatch(100n, records(100, 3));
    expect(control.calls.at(-1)).toBe('seek 0@3');
    expect(a.taken).toEqual(['0', '1', '2']);
    expect(b.taken).toEqual(['100', '101', '102']);
  });

  it('skips a read whose buffer is full and serves it again once it has room', () => {
    const control = recording();
    const cursor = new PartitionCursor(0, control);
    const stuck = new FakeRead(0n, 2);
    const other = new FakeRead(50n);
    cursor.add(stuck);
    cursor.add(other);
    cursor.onBatch(0n, records(0, 10));
    expect(stuck.taken).toEqual(['0', '1']);
    // The stuck read is full: only the other one is served, batch after batch.
    for (let i = 0; i < 3; i++) {
      expect(control.calls.at(-1)).toBe(`seek 0@${50 + 5 * i}`);
      cursor.onBatch(BigInt(50 + 5 * i), records(50 + 5 * i, 5));
    }
    other.ended = true;
    cursor.changed();
    expect(control.calls.at(-1)).toBe('pause 0');
    stuck.drain();
    cursor.changed();
    expect(control.calls.slice(-2)).toEqual(['seek 0@2', 'resume 0']);
  });

  it('lets every read whose position a batch covers take its part of it', () => {
    const cursor = new PartitionCursor(0, recording());
    const a = new FakeRead(5n);
    const b = new FakeRead(7n);
    const ahead = new FakeRead(3n);
    cursor.add(a);
    cursor.add(b);
    cursor.add(ahead);
    cursor.onBatch(5n, records(4, 6));
    expect(a.taken).toEqual(['5', '6', '7', '8', '9']);
    expect(b.taken).toEqual(['7', '8', '9']);
    // Fetched from offset 5: the batch may lack offset 3 and 4, so the read at 3 must not take any of it.
    expect(ahead.taken).toEqual([]);
  });

  it('takes its reads up again after a rejoin', () => {
    const control = recording();
    const cursor = new PartitionCursor(1, control);
    const read = new FakeRead(42n);
    cursor.add(read);
    control.calls.length = 0;
    cursor.rejoined();
    expect(control.calls).toEqual(['seek 1@42', 'resume 1']);
  });
});
