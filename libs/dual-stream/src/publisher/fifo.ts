/**
 * An array-backed FIFO: O(1) push and shift without `Array.shift()`'s copying, compacted as the head advances
 * so a long-lived queue does not keep every item it ever held.
 */
export class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get isEmpty(): boolean {
    return this.head >= this.items.length;
  }

  get length(): number {
    return this.items.length - this.head;
  }

  /** The oldest item, if any. */
  peek(): T | undefined {
    return this.items[this.head];
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** Removes and returns the oldest item; the queue must not be empty. */
  shift(): T {
    const item = this.items[this.head]!;
    this.items[this.head] = undefined;
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
