import type { Position } from '@dual-stream/client';
import { eventId, sourceOf, type SoakPlan } from './soak-plan.js';

export interface LoadSettings {
  ingesterUrl: string;
  apiKey: string;
  /** Events per request to `POST /events/batch`. */
  batchSize: number;
  /** Requests in flight at most; past it the driver falls behind the rate (reported as the rate reached). */
  maxInFlight: number;
  /** Pause before a failed request is sent again (same Idempotency-Key, same body). */
  retryDelayMs: number;
}

export interface LoadStats {
  sent: number;
  acknowledged: number;
  requests: number;
  /** Answers other than 202 and transport errors, by status (`network` for no answer). */
  failures: Record<string, number>;
  retriedEvents: number;
  /** Events still unacknowledged when the driver gave up retrying. */
  abandoned: number;
  /** Request latency to a 202, ms. */
  latenciesMs: number[];
  /** 202 answers whose receipts do not match the request's events (a finding: fails the soak). */
  badReceipts: string[];
}

interface Batch {
  key: string;
  first: number;
  count: number;
  body: string;
  attempts: number;
}

/**
 * Drives `POST /events/batch` open loop at a rate: every 20 ms it sends what is due, in batches with client-chosen
 * event ids and an Idempotency-Key per batch; a failed batch is retried after `retryDelayMs` with the same key
 * and body until it is acknowledged (or the driver gives up at the end), as a real producer would.
 */
export class LoadDriver {
  /** 1 = acknowledged (a 202 receipt names it), by event number. */
  readonly acked: Uint8Array;
  /** 1 = its batch was sent more than once (a duplicate of it in Kafka is then allowed). */
  readonly retried: Uint8Array;
  readonly positions = new Map<number, Position>();
  readonly stats: LoadStats = {
    sent: 0,
    acknowledged: 0,
    requests: 0,
    failures: {},
    retriedEvents: 0,
    abandoned: 0,
    latenciesMs: [],
    badReceipts: [],
  };
  private next = 0;
  private inFlight = 0;
  private readonly retries: Batch[] = [];
  private readonly pending = new Set<Promise<void>>();
  private batchNo = 0;

  constructor(
    private readonly plan: SoakPlan,
    private readonly settings: LoadSettings,
    readonly capacity: number,
  ) {
    this.acked = new Uint8Array(capacity);
    this.retried = new Uint8Array(capacity);
  }

  /** Events numbered so far (the next one's number). */
  get issued(): number {
    return this.next;
  }

  /** Sends events [next, next + count) as fast as allowed and waits for every one to be acknowledged. */
  async sendAll(count: number, keepPositions: boolean): Promise<void> {
    const end = this.next + count;
    while (this.next < end || this.retries.length > 0) {
      if (this.inFlight < this.settings.maxInFlight) {
        const retry = this.retries.shift();
        if (retry) this.launch(retry, keepPositions);
        else if (this.next < end) {
          this.launch(this.batch(Math.min(this.settings.batchSize, end - this.next)), keepPositions);
        }
        continue;
      }
      await Promise.race(this.pending);
    }
    await Promise.all(this.pending);
    if (this.retries.length > 0) await this.sendAll(0, keepPositions);
  }

  /** Open loop at `eventsPerSec` until `signal` aborts; the rate actually reached is what the stats show. */
  async run(eventsPerSec: number, signal: AbortSignal): Promise<{ startedAt: number; endedAt: number }> {
    const startedAt = Date.now();
    const base = this.next;
    while (!signal.aborted) {
      const due = Math.min(this.capacity, base + Math.floor(((Date.now() - startedAt) / 1000) * eventsPerSec));
      while (this.inFlight < this.settings.maxInFlight) {
        const retry = this.retries.shift();
        if (retry) {
          this.launch(retry, false);
          continue;
        }
        if (due - this.next <= 0) break;
        this.launch(this.batch(Math.min(this.settings.batchSize, due - this.next)), false);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return { startedAt, endedAt: Date.now() };
  }

  /** After the load: keeps retrying failed batches for up to `timeoutMs`, then counts what is left as abandoned. */
  async finish(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((this.pending.size > 0 || this.retries.length > 0) && Date.now() < deadline) {
      const retry = this.inFlight < this.settings.maxInFlight ? this.retries.shift() : undefined;
      if (retry) this.launch(retry, false);
      else await Promise.race([...this.pending, new Promise((r) => setTimeout(r, 100))]);
    }
    await Promise.all(this.pending);
    this.stats.abandoned = this.retries.reduce((sum, b) => sum + b.count, 0);
    this.retries.length = 0;
  }

  private batch(count: number): Batch {
    const first = this.next;
    this.next += count;
    this.stats.sent += count;
    const events = Array.from({ length: count }, (_, i) => {
      const n = first + i;
      return JSON.stringify({
        id: eventId(this.plan, n),
        type: 'soak.tick',
        source: sourceOf(this.plan, n),
        data: { n },
      });
    });
    return { key: `${this.plan.runId}-b${this.batchNo++}`, first, count, body: `[${events.join(',')}]`, attempts: 0 };
  }

  private launch(batch: Batch, keepPositions: boolean): void {
    this.inFlight++;
    const request = this.post(batch, keepPositions).finally(() => {
      this.inFlight--;
      this.pending.delete(request);
    });
    this.pending.add(request);
  }

  private async post(batch: Batch, keepPositions: boolean): Promise<void> {
    batch.attempts++;
    if (batch.attempts === 2) {
      this.retried.fill(1, batch.first, batch.first + batch.count);
      this.stats.retriedEvents += batch.count;
    }
    this.stats.requests++;
    const started = performance.now();
    let outcome: string;
    let answer: { receipts: (Position & { id: string })[] } | undefined;
    try {
      const res = await fetch(`${this.settings.ingesterUrl}/events/batch`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-api-key': this.settings.apiKey,
          'idempotency-key': batch.key,
        },
        body: batch.body,
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      outcome = String(res.status);
      if (res.status === 202) answer = JSON.parse(text) as { receipts: (Position & { id: string })[] };
    } catch (err) {
      outcome = (err as Error).name === 'TimeoutError' ? 'timeout' : 'network';
    }
    if (answer) {
      this.acknowledge(batch, answer, keepPositions);
      this.stats.latenciesMs.push(performance.now() - started);
      return;
    }
    this.stats.failures[outcome] = (this.stats.failures[outcome] ?? 0) + 1;
    await new Promise((r) => setTimeout(r, this.settings.retryDelayMs));
    this.retries.push(batch);
  }

  private acknowledge(batch: Batch, answer: { receipts: (Position & { id: string })[] }, keepPositions: boolean): void {
    const { receipts } = answer;
    if (receipts.length !== batch.count) {
      this.stats.badReceipts.push(`batch ${batch.key}: ${receipts.length} receipts for ${batch.count} events`);
      return;
    }
    receipts.forEach((receipt, i) => {
      const n = batch.first + i;
      if (receipt.id !== eventId(this.plan, n)) {
        this.stats.badReceipts.push(`batch ${batch.key}: receipt ${i} names ${receipt.id}, not event ${n}`);
        return;
      }
      if (this.acked[n] === 0) this.stats.acknowledged++;
      this.acked[n] = 1;
      if (keepPositions) {
        this.positions.set(n, { topic: receipt.topic, partition: receipt.partition, offset: receipt.offset });
      }
    });
  }
}
