import { eventNumber, sourceOf, type SoakPlan } from './soak-plan.js';

export interface ProjectionAudit {
  /** Copies of each event in the consumer's read model, by event number (saturating at 255). */
  copies: Uint8Array;
  rows: number;
  foreign: number;
  /** Catch-up requests that failed for good (after retries): a source that could not be read. */
  unreadSources: number;
}

interface Page {
  events: { id: string }[];
  last: { offset: string } | null;
  cursor?: { offset: string } | null;
}

/**
 * Reads every source's events through the consumer's public catch-up API (the gateway's token), paging with
 * its cursor, and counts every event's copies.
 */
export async function auditProjection(
  consumerUrl: string,
  token: string,
  plan: SoakPlan,
  capacity: number,
  pageSize = 1000,
): Promise<ProjectionAudit> {
  const audit: ProjectionAudit = { copies: new Uint8Array(capacity), rows: 0, foreign: 0, unreadSources: 0 };
  const readSource = async (s: number) => {
    const { type, id } = sourceOf(plan, s);
    let after: string | undefined;
    for (;;) {
      const query = new URLSearchParams({ limit: String(pageSize), ...(after !== undefined && { after }) });
      const page = await getPage(`${consumerUrl}/sources/${type}/${encodeURIComponent(id)}/events?${query}`, token);
      for (const event of page.events) {
        audit.rows++;
        const n = eventNumber(plan, event.id);
        if (n < 0 || n >= capacity || n % plan.sources !== s) audit.foreign++;
        else if (audit.copies[n] < 255) audit.copies[n]++;
      }
      if (page.events.length < pageSize) return;
      after = (page.cursor ?? page.last)!.offset;
    }
  };
  let next = 0;
  const worker = async () => {
    while (next < plan.sources) {
      const s = next++;
      try {
        await readSource(s);
      } catch {
        audit.unreadSources++;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return audit;
}

async function getPage(url: string, token: string, attempts = 5): Promise<Page> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(url, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(30_000),
      });
      if (res.ok) return (await res.json()) as Page;
      throw new Error(`catch-up answered ${res.status}: ${await res.text()}`);
    } catch (err) {
      if (attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 1000 * attempt));
    }
  }
}
