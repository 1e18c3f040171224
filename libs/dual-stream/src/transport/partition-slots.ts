/**
 * `concurrency` of a group: how many partitions may process records at the same time. A partition holds a
 * slot while it has records in flight; when others wait, it stops starting records, finishes what runs and
 * hands the slot on (FIFO), so no partition starves.
 */
export class PartitionSlots<Owner> {
  private readonly holders = new Set<Owner>();
  private readonly waiting: { owner: Owner; granted: () => void }[] = [];

  constructor(private readonly limit: number) {}

  /** True when `owner` holds a slot now; otherwise `granted` runs once it does. */
  acquire(owner: Owner, granted: () => void): boolean {
    if (this.holders.has(owner)) return true;
    if (this.holders.size < this.limit && this.waiting.length === 0) {
      this.holders.add(owner);
      return true;
    }
    if (!this.waiting.some((w) => w.owner === owner)) this.waiting.push({ owner, granted });
    return false;
  }

  release(owner: Owner): void {
    const index = this.waiting.findIndex((w) => w.owner === owner);
    if (index >= 0) this.waiting.splice(index, 1);
    if (!this.holders.delete(owner)) return;
    while (this.holders.size < this.limit && this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      this.holders.add(next.owner);
      next.granted();
    }
  }

  /** Someone waits for a slot: holders should stop starting records. */
  get contended(): boolean {
    return this.waiting.length > 0;
  }
}
