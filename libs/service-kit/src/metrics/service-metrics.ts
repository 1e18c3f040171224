import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { RateLimitedLog } from '../logging/rate-limited-log.js';

/** One sample read from a library snapshot at scrape time. */
export interface SnapshotSample<L extends string = string> {
  labels?: Partial<Record<L, string | number>>;
  value: number;
}

/**
 * The service's Prometheus registry (one per app, never the global one, so tests that start several apps in
 * one process do not collide). Library components keep their own counters in `metrics()` snapshots; the
 * `fromSnapshot*` helpers turn those into Prometheus series read at scrape time, so nothing is counted twice.
 */
@Injectable()
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly readFailures: Counter<'metric'>;
  private readonly log = new RateLimitedLog('Metrics', 30_000);

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, prefix: 'dual_stream_' });
    this.readFailures = this.counter(
      'dual_stream_metrics_read_failures_total',
      'Scrape-time reads of a snapshot metric that threw (that series is left out of the scrape)',
      ['metric'],
    );
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets?: number[],
  ): Histogram<L> {
    return new Histogram({ name, help, labelNames, registers: [this.registry], ...(buckets && { buckets }) });
  }

  /** A counter whose value is a running total kept elsewhere (e.g. `publisher.metrics().published`). */
  fromSnapshotCounter<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    read: () => SnapshotSample<L>[],
  ): Counter<L> {
    const readSafely = () => this.readOrCount(name, read);
    return new Counter({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const s of readSafely() as SnapshotSample<L>[]) {
          if (s.value <= 0) continue;
          if (s.labels) this.inc(s.labels, s.value);
          else this.inc(s.value);
        }
      },
    });
  }

  /** A gauge read at scrape time (queue sizes, lag, connection counts, breaker state); `read` may be async. */
  fromSnapshotGauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    read: () => SnapshotSample<L>[] | Promise<SnapshotSample<L>[]>,
  ): Gauge<L> {
    const readSafely = () => this.readOrCount(name, read);
    return new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        const samples = await readSafely();
        this.reset();
        for (const s of samples) {
          if (s.labels) this.set(s.labels, s.value);
          else this.set(s.value);
        }
      },
    });
  }

  /**
   * A snapshot that throws (a component not started yet) must not break the whole scrape: its series is left
   * out, and the failure is counted and logged (rate-limited), never swallowed.
   */
  private readOrCount<T>(metric: string, read: () => T[] | Promise<T[]>): T[] | Promise<T[]> {
    const failed = (err: unknown): T[] => {
      this.readFailures.inc({ metric });
      this.log.warn(`reading ${metric} for /metrics failed: ${(err as Error)?.message ?? String(err)}`);
      return [];
    };
    try {
      const samples = read();
      return samples instanceof Promise ? samples.then((v) => v ?? [], failed) : (samples ?? []);
    } catch (err) {
      return failed(err);
    }
  }

  contentType(): string {
    return this.registry.contentType;
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }
}
