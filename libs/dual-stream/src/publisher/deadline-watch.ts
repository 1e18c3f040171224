import { Fifo } from './fifo.js';

/** Something answered by a deadline (`performance.now()` time) unless it was settled before. */
interface Expirable {
  readonly deadline: number;
  readonly settled: boolean;
}

/**
 * Hands every item whose deadline passed to `onExpired`, whatever it is waiting for. Items are added in
 * deadline order (accept time + one fixed timeout), so one timer for the oldest unsettled item is enough, and
 * items settled in time are dropped from the head as new ones arrive.
 */
export class DeadlineWatch<T extends Expirable> {
  private readonly items = new Fifo<T>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;

  constructor(private readonly onExpired: (items: T[]) => void) {}

  /** Items watched (settled ones at the head included until they are dropped). */
  get size(): number {
    return this.items.length;
  }

  /** Watches `item`; its deadline must not be earlier than any watched item's. */
  add(item: T): void {
    this.dropSettled();
    this.items.push(item);
    this.arm();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private dropSettled(): void {
    while (this.items.peek()?.settled) this.items.shift();
  }

  private arm(): void {
    const head = this.items.peek();
    if (!head || head.deadline >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = head.deadline;
    // +1: a timer may fire up to a millisecond early by performance.now(); the item must be due when it runs.
    this.timer = setTimeout(() => this.fire(), Math.max(0, head.deadline - performance.now()) + 1);
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    const expired: T[] = [];
    for (let head = this.items.peek(); head && (head.settled || head.deadline <= now); head = this.items.peek()) {
      this.items.shift();
      if (!head.settled) expired.push(head);
    }
    if (expired.length > 0) this.onExpired(expired);
    this.dropSettled();
    this.arm();
  }
}
