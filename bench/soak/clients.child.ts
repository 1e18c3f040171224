// The soak's socket clients in a process of their own (a fleet of browsers, not the driver's event loop): each
// client is the SDK (@dual-stream/client) on one gateway instance, following its sources from their seed
// position; it resumes from the last delivered event after every reconnect and fills refused resumes from the
// consumer's catch-up API. Every delivery is counted per event, so the parent can tell missing from duplicated.
import { catchUpFrom, connect, type DualStreamClient } from '@dual-stream/client';
import type { ClientReport, ClientsCommand, ClientsMessage } from './clients-protocol.js';
import { channelOf, eventNumber, gatewayOfClient, sourcesOfClient, type SoakPlan } from './soak-plan.js';

interface Followed {
  client: number;
  source: number;
  channel: string;
  counts: number[];
  foreign: number;
  holes: number;
  reloaded: number[];
}

const clients: DualStreamClient[] = [];
const reports: ClientReport[] = [];
const followed: Followed[] = [];
const errorSamples: string[] = [];
let received = 0;
let plan: SoakPlan;
let fetchRecent: ReturnType<typeof catchUpFrom>;

const send = (message: ClientsMessage) => process.send!(message);

function noteError(report: ClientReport, what: string): void {
  report.errors++;
  if (errorSamples.length < 20) errorSamples.push(`client ${report.client}: ${what}`);
}

function start(command: Extract<ClientsCommand, { cmd: 'start' }>): void {
  const { seeds, token, gatewayUrls, consumerUrl } = command;
  plan = command.plan;
  const getToken = () => token;
  fetchRecent = catchUpFrom(consumerUrl, { getToken });
  const startedAt = Date.now();
  for (let c = 0; c < plan.clients; c++) {
    const gateway = gatewayOfClient(c, gatewayUrls.length);
    const report: ClientReport = {
      client: c,
      gateway,
      reconnects: 0,
      duplicatesDropped: 0,
      malformedMessages: 0,
      resets: 0,
      gaps: 0,
      errors: 0,
    };
    reports.push(report);
    const client = connect({
      url: gatewayUrls[gateway],
      getToken,
      reconnectDelayMaxMs: 5_000,
      socketOptions: { transports: ['websocket'] },
    });
    client.on('error', (err) => noteError(report, `${err.name}: ${err.message}`));
    for (const source of sourcesOfClient(plan, c)) follow(client, report, source, seeds);
    clients.push(client);
  }
  const timer = setInterval(() => {
    if (clients.every((client) => client.status === 'live')) {
      clearInterval(timer);
      send({ kind: 'live', ms: Date.now() - startedAt });
    }
  }, 200);
}

function follow(
  client: DualStreamClient,
  report: ClientReport,
  source: number,
  seeds: Record<number, { topic: string; partition: number; offset: string }>,
): void {
  const channel = channelOf(plan, source);
  const entry: Followed = { client: report.client, source, channel, counts: [], foreign: 0, holes: 0, reloaded: [] };
  followed.push(entry);
  client.subscribe(channel, {
    from: seeds[source],
    fetchRecent,
    onEvent: (event) => {
      received++;
      const n = eventNumber(plan, event.id);
      if (n < 0 || n % plan.sources !== source) {
        entry.foreign++;
        return;
      }
      const k = Math.floor(n / plan.sources);
      entry.counts[k] = (entry.counts[k] ?? 0) + 1;
    },
    onReset: (info) => {
      report.resets++;
      entry.holes++;
      noteError(report, `reset ${info.channel}: ${info.reason} ${info.gatewayReason ?? ''} ${info.cause ?? ''}`);
    },
    onGap: (info) => {
      report.gaps++;
      entry.holes++;
      noteError(report, `gap ${info.channel}: ${info.reason} ${info.cause ?? ''}`);
    },
    onError: (err) => noteError(report, `${err.name}: ${err.message}`),
  });
}

/**
 * What docs/client.md asks of an app told of a hole: reload the channel from the read model. Done once at the
 * end (the read model has drained by then), for every subscription that was told of one.
 */
async function reload(): Promise<ClientsMessage> {
  const holed = followed.filter((f) => f.holes > 0);
  let failed = 0;
  let next = 0;
  const worker = async () => {
    while (next < holed.length) {
      const entry = holed[next++];
      try {
        const { events } = await fetchRecent({ channel: entry.channel });
        for (const event of events) {
          const n = eventNumber(plan, event.id);
          if (n >= 0 && n % plan.sources === entry.source) {
            const k = Math.floor(n / plan.sources);
            entry.reloaded[k] = (entry.reloaded[k] ?? 0) + 1;
          }
        }
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return { kind: 'reloaded', subscriptions: holed.length, failed };
}

function progress(): ClientsMessage {
  const statuses: Record<string, number> = {};
  for (const client of clients) statuses[client.status] = (statuses[client.status] ?? 0) + 1;
  return { kind: 'progress', received, live: statuses.live ?? 0, statuses };
}

function report(): ClientsMessage {
  clients.forEach((client, c) => {
    const metrics = client.metrics();
    reports[c].reconnects = metrics.reconnects;
    reports[c].duplicatesDropped = metrics.duplicatesDropped;
    reports[c].malformedMessages = metrics.malformedMessages;
  });
  const subscriptions = followed.map(({ channel: _, ...f }) => ({
    ...f,
    counts: Array.from(f.counts, (v) => v ?? 0),
    reloaded: Array.from(f.reloaded, (v) => v ?? 0),
  }));
  return { kind: 'report', clients: reports, subscriptions, errorSamples };
}

process.on('message', (command: ClientsCommand) => {
  switch (command.cmd) {
    case 'start':
      start(command);
      break;
    case 'progress':
      send(progress());
      break;
    case 'reload':
      void reload().then(send);
      break;
    case 'report':
      send(report());
      break;
    case 'close':
      for (const client of clients) client.close();
      setTimeout(() => process.exit(0), 200);
      break;
  }
});
process.on('disconnect', () => process.exit(0));
