import { BackpressureError } from '../errors/backpressure.error.js';

interface Waiter {
  events: number;
  bytes: number;
  since: number;
  timer: NodeJS.Timeout;
  grant: () => void;
  fail: (err: Error) => void;
}

/**
 * Counts events accepted but not yet answered (queued, in a Kafka batch, or waiting for Redis) against
 * `maxEvents` / `maxBytes`. A caller that does not fit waits in FIFO order up to `maxBlockMs`.
 *
 * Callback style on purpose: `grant` runs synchronously when room frees up, so a granted caller enqueues
 * before any later caller can slip in — that keeps per-source call order through backpressure.
 */
export class PublishBuffer {
  private events = 0;
  private bytes = 0;
  private readonly waiters: Waiter[] = [];

  constructor(
    readonly maxEvents: number,
    readonly maxBytes: number,
    private readonly maxBlockMs: number,
  ) {}

  get bufferedEvents(): number {
    return this.events;
  }

  get bufferedBytes(): number {
    return this.bytes;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** True when the reservation can never fit, whatever is released. */
  exceedsCapacity(events: number, bytes: number): boolean {
    return events > this.maxEvents || bytes > this.maxBytes;
  }

  /**
   * Reserves room: calls `grant` at once (returns true) or later, or `fail` with `BackpressureError` after
   * `maxBlockMs`. Never both.
   */
  acquire(events: number, bytes: number, grant: () => void, fail: (err: Error) => void): boolean {
    if (this.waiters.length === 0 && this.fits(events, bytes)) {
      this.take(events, bytes);
      grant();
      return true;
    }
    const waiter: Waiter = {
      events,
      bytes,
      since: Date.now(),
      grant,
      fail,
      timer: setTimeout(() => this.expire(waiter), this.maxBlockMs),
    };
    this.waiters.push(waiter);
    return false;
  }

  release(events: number, bytes: number): void {
    this.events -= events;
    this.bytes -= bytes;
    while (this.waiters.length > 0 && this.fits(this.waiters[0].events, this.waiters[0].bytes)) {
      const waiter = this.waiters.shift()!;
      clearTimeout(waiter.timer);
      this.take(waiter.events, waiter.bytes);
      waiter.grant();
    }
  }

  /** Fails every waiter with `err` (used at shutdown when nothing will free room any more). */
  failAll(err: Error): void {
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.fail(err);
    }
  }

  private fits(events: number, bytes: number): boolean {
    // An empty buffer always admits one reservation that fits the bounds at all, however large.
    if (this.events === 0) return true;
    return this.events + events <= this.maxEvents && this.bytes + bytes <= this.maxBytes;
  }

  private take(events: number, bytes: number): void {
    this.events += events;
    this.bytes += bytes;
  }

  private expire(waiter: Waiter): void {
    const index = this.waiters.indexOf(waiter);
    if (index < 0) return;
    this.waiters.splice(index, 1);
    waiter.fail(new BackpressureError(Date.now() - waiter.since, this.events, this.bytes));
    // The expired waiter may have blocked smaller ones behind it.
    this.release(0, 0);
  }
}
