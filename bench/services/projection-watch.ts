import type { Admin } from 'kafkajs';
import { sleep } from '../../test/support/local-infra/proc.mjs';

/** Records written to the source topics and records the projection's groups committed, summed over partitions. */
export interface Progress {
  at: number;
  high: number;
  committed: number;
}

export interface Drain {
  /** Records the load added. */
  events: number;
  /** Projection rate from its first to its last commit of the window (records committed / seconds). */
  eventsPerSec: number;
  /** Seconds from the end of the load until the groups had committed everything (estimated when not reached). */
  drainSeconds: number;
  drained: boolean;
  /** Largest (high watermark - committed offset) seen while watching. */
  maxLag: number;
  /** From the load's start to the drain (or the timeout): the window of the consumer's loop and HTTP numbers. */
  windowMs: number;
}

/**
 * Follows the consumer from the broker's side, the same way for any build: high watermarks of the source topics
 * against the committed offsets of the projection's consumer groups (one group per topic).
 */
export class ProjectionWatch {
  constructor(
    private readonly admin: Admin,
    private readonly topics: string[],
    private readonly groupOf: (topic: string) => string,
  ) {}

  async progress(): Promise<Progress> {
    let high = 0;
    let committed = 0;
    await Promise.all(
      this.topics.map(async (topic) => {
        const [ends, [groupOffsets]] = await Promise.all([
          this.admin.fetchTopicOffsets(topic),
          this.admin.fetchOffsets({ groupId: this.groupOf(topic), topics: [topic] }),
        ]);
        for (const end of ends) {
          high += Number(end.high);
          const c = groupOffsets?.partitions.find((p) => p.partition === end.partition);
          committed += c && Number(c.offset) >= 0 ? Number(c.offset) : Number(end.low);
        }
      }),
    );
    return { at: Date.now(), high, committed };
  }

  /** Waits until the groups committed everything written so far (e.g. after a warm-up). */
  async settle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const p = await this.progress();
      if (p.committed >= p.high || Date.now() > deadline) return;
      await sleep(250);
    }
  }

  /**
   * Samples every 250 ms while `load` runs and afterwards until the groups committed everything the load wrote,
   * at most `drainTimeoutMs` after the load ended.
   */
  async during<T>(load: () => Promise<T>, drainTimeoutMs: number): Promise<{ result: T; drain: Drain }> {
    const base = await this.progress();
    const startedAt = Date.now();
    const samples: Progress[] = [base];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        await sleep(250);
        samples.push(await this.progress());
      }
    })();
    const result = await load();
    const loadEndedAt = Date.now();
    sampling = false;
    await sampler;
    const target = (await this.progress()).high;
    for (;;) {
      const p = await this.progress();
      samples.push(p);
      if (p.committed >= target || p.at - loadEndedAt > drainTimeoutMs) break;
      await sleep(250);
    }
    return { result, drain: summarize(samples, base, target, startedAt, loadEndedAt) };
  }
}

function summarize(samples: Progress[], base: Progress, target: number, startedAt: number, loadEndedAt: number): Drain {
  const last = samples[samples.length - 1];
  const first = samples.find((s) => s.committed > base.committed) ?? last;
  const drained = last.committed >= target;
  const span = (last.at - first.at) / 1000;
  const rate = span > 0 ? (last.committed - first.committed) / span : 0;
  const remaining = target - last.committed;
  return {
    events: target - base.high,
    eventsPerSec: Math.round(rate),
    drainSeconds: Number(
      (Math.max(0, last.at - loadEndedAt) / 1000 + (drained || rate === 0 ? 0 : remaining / rate)).toFixed(2),
    ),
    drained,
    maxLag: Math.max(...samples.map((s) => s.high - s.committed)),
    windowMs: last.at - startedAt,
  };
}
