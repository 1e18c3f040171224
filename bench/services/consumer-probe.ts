/** What the concurrent probe saw of the consumer's HTTP side during one load and its drain. */
export interface ConsumerHttpReading {
  catchUpLatenciesMs: number[];
  metricsLatenciesMs: number[];
  /** Scrapes of `/metrics` that answered 200 with at least one `dual_stream_consumer_lag` sample. */
  scrapesWithLag: number;
  scrapes: number;
  failures: number;
}

const LAG_SAMPLE = /^dual_stream_consumer_lag\{[^}]*\} \d+/m;
const MAX_IN_FLIGHT = 64;
/** How long `stop()` waits for the scrapes still in flight (the target's HTTP p99 is 250 ms). */
const STOP_GRACE_MS = 2_000;

/**
 * Open-loop probe of the consumer while it catches up: a catch-up read every 100 ms and a `/metrics` scrape every
 * 500 ms, each fired on schedule whether or not earlier ones answered (so a stalled event loop shows up as the
 * latency it causes, not as fewer samples). Requests still open at `stop()` count with the time they waited.
 */
export class ConsumerHttpProbe {
  private readonly reading: ConsumerHttpReading = {
    catchUpLatenciesMs: [],
    metricsLatenciesMs: [],
    scrapesWithLag: 0,
    scrapes: 0,
    failures: 0,
  };
  private readonly open = new Set<{ startedAt: number; into: number[] }>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly pending = new Set<Promise<unknown>>();
  private n = 0;

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly sources: string[],
  ) {}

  start(): void {
    this.timers.push(
      setInterval(() => this.catchUp(), 100),
      setInterval(() => this.scrape(), 500),
    );
  }

  /**
   * Stops firing and gives the requests still in flight up to `STOP_GRACE_MS` to answer: a scrape fired just
   * before the end is answered like any other, while one the consumer cannot answer by then still counts as a
   * scrape without a lag sample (and its latency is what it waited).
   */
  async stop(): Promise<ConsumerHttpReading> {
    for (const timer of this.timers) clearInterval(timer);
    await Promise.race([
      Promise.allSettled(this.pending),
      new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS)),
    ]);
    const now = Date.now();
    for (const request of this.open) request.into.push(now - request.startedAt);
    this.open.clear();
    return this.reading;
  }

  private catchUp(): void {
    const source = this.sources[this.n++ % this.sources.length];
    void this.timed(
      `/sources/${source}/events?limit=20`,
      { authorization: `Bearer ${this.token}` },
      this.reading.catchUpLatenciesMs,
    );
  }

  private scrape(): void {
    // Every scrape fired counts: one that never answers, or fails, had no lag sample either.
    this.reading.scrapes++;
    const scrape = this.timed('/metrics', {}, this.reading.metricsLatenciesMs).then((body) => {
      if (body !== undefined && LAG_SAMPLE.test(body)) this.reading.scrapesWithLag++;
    });
    this.pending.add(scrape);
    void scrape.finally(() => this.pending.delete(scrape));
  }

  /** Resolves with the body of a 200 answer, undefined otherwise; records the latency unless `stop()` did. */
  private async timed(route: string, headers: Record<string, string>, into: number[]): Promise<string | undefined> {
    if (this.open.size >= MAX_IN_FLIGHT) return undefined;
    const request = { startedAt: Date.now(), into };
    this.open.add(request);
    try {
      const res = await fetch(`${this.url}${route}`, { headers, signal: AbortSignal.timeout(120_000) });
      const body = await res.text();
      if (!this.open.delete(request)) return undefined;
      into.push(Date.now() - request.startedAt);
      if (!res.ok) this.reading.failures++;
      return res.ok ? body : undefined;
    } catch {
      if (this.open.delete(request)) {
        into.push(Date.now() - request.startedAt);
        this.reading.failures++;
      }
      return undefined;
    }
  }
}
