import type { ClientsMessage } from './clients-protocol.js';
import type { KafkaAudit } from './kafka-audit.js';
import type { ProjectionAudit } from './projection-audit.js';
import type { RssSummary } from './rss-sampler.js';
import type { SoakPlan } from './soak-plan.js';

type ClientsReport = Extract<ClientsMessage, { kind: 'report' }>;

export interface ClientTotals {
  client: number;
  gateway: number;
  expected: number;
  /** Acknowledged events of its sources it has neither received nor reloaded: lost for this client. */
  missing: number;
  /** Acknowledged events it did not receive, inside a hole it was told of, that its reload from the read model brought. */
  filledByReload: number;
  holes: number;
  duplicated: number;
  reconnects: number;
  resets: number;
  gaps: number;
}

export interface Verdict {
  acknowledged: number;
  kafka: {
    records: number;
    acknowledgedMissing: number;
    /** Events in Kafka more than once whose batch was sent once: the idempotent producer failed. */
    duplicatedUnexplained: number;
    /** Events in Kafka more than once whose batch was retried after an unknown outcome (allowed, deduplicated downstream). */
    duplicatedAfterRetry: number;
    unacknowledgedPresent: number;
    foreign: number;
  };
  projection: {
    rows: number;
    acknowledgedMissing: number;
    /** Events in Kafka that the read model does not hold (it must project every record). */
    kafkaMissing: number;
    duplicated: number;
    foreign: number;
    unreadSources: number;
  };
  clients: {
    subscriptions: number;
    expectedDeliveries: number;
    received: number;
    missing: number;
    filledByReload: number;
    holes: number;
    subscriptionsWithHoles: number;
    duplicated: number;
    /** Deliveries of events that are not in Kafka at all. */
    phantom: number;
    foreign: number;
    clientsWithMissing: number;
    clientsWithDuplicates: number;
    maxMissingPerClient: number;
    maxDuplicatedPerClient: number;
    resets: number;
    gaps: number;
    reconnects: number;
    perClient: ClientTotals[];
  };
  growth: Record<string, { firstThirdMaxMb: number; lastThirdMaxMb: number; ratio: number; failed: boolean }>;
  failures: string[];
}

/**
 * Everything acknowledged must be in Kafka, in the projection and at every client following its source; nothing
 * may be there twice (in Kafka: unless its batch was retried after an unknown outcome, which the id deduplicates
 * downstream); the processes that are never killed must not keep growing.
 */
export function judge(
  plan: SoakPlan,
  issued: number,
  acked: Uint8Array,
  retried: Uint8Array,
  kafka: KafkaAudit,
  projection: ProjectionAudit,
  clients: ClientsReport,
  rss: Record<string, RssSummary>,
  growthChecked: string[],
  growthLimit: number,
  findings: string[],
): Verdict {
  let acknowledged = 0;
  const v: Verdict = {
    acknowledged: 0,
    kafka: {
      records: kafka.records,
      acknowledgedMissing: 0,
      duplicatedUnexplained: 0,
      duplicatedAfterRetry: 0,
      unacknowledgedPresent: 0,
      foreign: kafka.foreign,
    },
    projection: {
      rows: projection.rows,
      acknowledgedMissing: 0,
      kafkaMissing: 0,
      duplicated: 0,
      foreign: projection.foreign,
      unreadSources: projection.unreadSources,
    },
    clients: {
      subscriptions: clients.subscriptions.length,
      expectedDeliveries: 0,
      received: 0,
      missing: 0,
      filledByReload: 0,
      holes: 0,
      subscriptionsWithHoles: 0,
      duplicated: 0,
      phantom: 0,
      foreign: 0,
      clientsWithMissing: 0,
      clientsWithDuplicates: 0,
      maxMissingPerClient: 0,
      maxDuplicatedPerClient: 0,
      resets: 0,
      gaps: 0,
      reconnects: 0,
      perClient: [],
    },
    growth: {},
    failures: [...findings],
  };
  for (let n = 0; n < issued; n++) {
    const inKafka = kafka.copies[n];
    if (acked[n]) {
      acknowledged++;
      if (inKafka === 0) v.kafka.acknowledgedMissing++;
      if (projection.copies[n] === 0) v.projection.acknowledgedMissing++;
    } else if (inKafka > 0) v.kafka.unacknowledgedPresent++;
    if (inKafka > 1) {
      if (retried[n]) v.kafka.duplicatedAfterRetry++;
      else v.kafka.duplicatedUnexplained++;
    }
    if (inKafka > 0 && projection.copies[n] === 0) v.projection.kafkaMissing++;
    if (projection.copies[n] > 1) v.projection.duplicated++;
  }
  v.acknowledged = acknowledged;

  const perClient = new Map<number, ClientTotals>(
    clients.clients.map((c) => [
      c.client,
      {
        client: c.client,
        gateway: c.gateway,
        expected: 0,
        missing: 0,
        filledByReload: 0,
        holes: 0,
        duplicated: 0,
        reconnects: c.reconnects,
        resets: c.resets,
        gaps: c.gaps,
      },
    ]),
  );
  for (const sub of clients.subscriptions) {
    const totals = perClient.get(sub.client)!;
    v.clients.foreign += sub.foreign;
    totals.holes += sub.holes;
    if (sub.holes > 0) v.clients.subscriptionsWithHoles++;
    // k = 0 is the seed the client subscribed from; it must see every later event of its source.
    for (let k = 1, n = plan.sources + sub.source; n < issued; k++, n += plan.sources) {
      const got = sub.counts[k] ?? 0;
      v.clients.received += got;
      const copies = kafka.copies[n];
      if (acked[n]) {
        totals.expected++;
        if (got === 0 && (sub.reloaded[k] ?? 0) > 0) totals.filledByReload++;
        else if (got === 0) totals.missing++;
      }
      if (got > 0 && copies === 0) v.clients.phantom += got;
      if (got > Math.max(1, copies)) totals.duplicated += got - Math.max(1, copies);
    }
  }
  for (const totals of perClient.values()) {
    const c = v.clients;
    c.expectedDeliveries += totals.expected;
    c.missing += totals.missing;
    c.filledByReload += totals.filledByReload;
    c.holes += totals.holes;
    c.duplicated += totals.duplicated;
    c.resets += totals.resets;
    c.gaps += totals.gaps;
    c.reconnects += totals.reconnects;
    if (totals.missing > 0) c.clientsWithMissing++;
    if (totals.duplicated > 0) c.clientsWithDuplicates++;
    c.maxMissingPerClient = Math.max(c.maxMissingPerClient, totals.missing);
    c.maxDuplicatedPerClient = Math.max(c.maxDuplicatedPerClient, totals.duplicated);
    c.perClient.push(totals);
  }

  for (const name of growthChecked) {
    const r = rss[name];
    if (!r || r.firstThirdMaxMb === 0) continue;
    const ratio = Math.round((r.lastThirdMaxMb / r.firstThirdMaxMb) * 100) / 100;
    // A ratio alone would flag a 40 MB process that reaches 70 MB: growth must also be large in absolute terms.
    const failed = ratio > growthLimit && r.lastThirdMaxMb - r.firstThirdMaxMb > 64;
    v.growth[name] = { firstThirdMaxMb: r.firstThirdMaxMb, lastThirdMaxMb: r.lastThirdMaxMb, ratio, failed };
    if (failed) {
      v.failures.push(`${name} RSS grew ${r.firstThirdMaxMb} -> ${r.lastThirdMaxMb} MB (limit ${growthLimit}x)`);
    }
  }

  const { kafka: k, projection: p, clients: c } = v;
  const fail = (where: string, checks: [number, string][]) => {
    for (const [count, what] of checks) if (count > 0) v.failures.push(`${count} ${what} ${where}`);
  };
  fail('in Kafka', [
    [k.acknowledgedMissing, 'acknowledged event(s) missing'],
    [k.duplicatedUnexplained, 'event(s) twice although sent once'],
    [k.foreign, 'record(s) that are not events of the run'],
  ]);
  fail('in the projection', [
    [p.acknowledgedMissing, 'acknowledged event(s) missing'],
    [p.kafkaMissing, 'event(s) of Kafka missing'],
    [p.duplicated, 'event(s) twice'],
    [p.foreign + p.unreadSources, 'row(s) of another source or source(s) not readable'],
  ]);
  fail('at clients following their source', [
    [c.missing, 'acknowledged event(s) missing'],
    [c.duplicated, 'duplicate deliveries'],
    [c.phantom + c.foreign, 'deliveries of events not in Kafka or of another source'],
  ]);
  return v;
}
