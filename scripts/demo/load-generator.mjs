#!/usr/bin/env node
// A steady trickle of events for the demo: a few sources, a fixed rate, POSTed to the ingester.
//   INGESTER_URL=http://127.0.0.1:3000 DEMO_RATE=5 node scripts/demo/load-generator.mjs
// Used by `npm run demo` (imported) and by the `loadgen` service of docker-compose (run directly).
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** Sources of the default source types (SOURCE_TYPES, default order,user,sensor). */
const KNOWN_SOURCES = [
  { type: 'order', id: 'o-1001', events: ['order.created', 'order.paid', 'order.shipped'] },
  { type: 'order', id: 'o-1002', events: ['order.created', 'order.paid', 'order.cancelled'] },
  { type: 'user', id: 'octocat', events: ['user.login', 'user.updated'] },
  { type: 'user', id: 'hubot', events: ['user.login', 'user.logout'] },
  { type: 'sensor', id: 'greenhouse-1', events: ['sensor.reading'] },
];

/**
 * The demo posts only source types the ingester accepts: `SOURCE_TYPES`, the list the ingester and the
 * consumer read (a type without a known source gets one, `{type}-1`).
 */
export function demoSources(sourceTypes = process.env.SOURCE_TYPES || 'order,user,sensor') {
  return sourceTypes
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .flatMap((type) => {
      const known = KNOWN_SOURCES.filter((s) => s.type === type);
      return known.length ? known : [{ type, id: `${type}-1`, events: [`${type}.updated`] }];
    });
}

/**
 * @param {{ url: string, rate?: number, apiKey?: string, log?: (line: string) => void, sources?: ReturnType<typeof demoSources> }} opts
 * @returns {{ stop: () => Promise<void>, stats: { sent: number, accepted: number, refused: number, failed: number } }}
 */
export function startLoad({ url, rate = 5, apiKey, log = () => {}, sources = demoSources() }) {
  const stats = { sent: 0, accepted: 0, refused: 0, failed: 0 };
  const headers = { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) };
  const interval = 1000 / Math.max(rate, 0.1);
  let running = true;
  let lastError = '';

  const sendOne = async (n) => {
    const source = sources[n % sources.length];
    const type = source.events[Math.floor(n / sources.length) % source.events.length];
    const data =
      source.type === 'sensor' ? { celsius: +(18 + 6 * Math.sin(n / 20)).toFixed(2) } : { n, amount: (n * 7) % 100 };
    stats.sent++;
    try {
      const res = await fetch(`${url}/events`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ type, source: { type: source.type, id: source.id }, data }),
        signal: AbortSignal.timeout(15_000),
      });
      if (res.status === 202) stats.accepted++;
      else {
        stats.refused++;
        const text = await res.text();
        if (text !== lastError) log(`ingester answered ${res.status}: ${text.slice(0, 200)}`);
        lastError = text;
      }
    } catch (err) {
      stats.failed++;
      if (err.message !== lastError) log(`cannot reach the ingester: ${err.message}`);
      lastError = err.message;
    }
  };

  const loop = (async () => {
    const inflight = new Set();
    for (let n = 0; running; n++) {
      // Fire at a steady rate; never more than 50 requests outstanding if the ingester is slow.
      if (inflight.size < 50) {
        const p = sendOne(n).finally(() => inflight.delete(p));
        inflight.add(p);
      }
      await sleep(interval);
    }
    await Promise.allSettled(inflight);
  })();

  return {
    stats,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

// Run directly (docker-compose `loadgen`): until SIGTERM/SIGINT, a stats line every 10 s.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const url = process.env.INGESTER_URL ?? 'http://127.0.0.1:3000';
  const load = startLoad({
    url,
    rate: Number(process.env.DEMO_RATE ?? 5),
    apiKey: process.env.DEMO_API_KEY || (process.env.INGESTER_API_KEYS ?? '').split(',')[0]?.trim() || undefined,
    log: (l) => console.log(`[loadgen] ${l}`),
  });
  console.log(`[loadgen] posting ~${process.env.DEMO_RATE ?? 5} events/s to ${url}/events`);
  const timer = setInterval(() => console.log(`[loadgen] ${JSON.stringify(load.stats)}`), 10_000);
  const stop = async () => {
    clearInterval(timer);
    await load.stop();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
