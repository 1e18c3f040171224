import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, prefix: 'dual_stream_' });
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
    return new Counter({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const s of safeReadSync(read)) {
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
    return new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        const samples = await safeRead(read);
        this.reset();
        for (const s of samples) {
          if (s.labels) this.set(s.labels, s.value);
          else this.set(s.value);
        }
      },
    });
  }

  contentType(): string {
    return this.registry.contentType;
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }
}

/** A snapshot that throws (a component not started yet) must not break the whole scrape. */
function safeReadSync<T>(read: () => T[]): T[] {
  try {
    return read() ?? [];
  } catch {
    return [];
  }
}

async function safeRead<T>(read: () => T[] | Promise<T[]>): Promise<T[]> {
  try {
    return (await read()) ?? [];
  } catch {
    return [];
  }
}
