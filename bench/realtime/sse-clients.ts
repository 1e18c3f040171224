import http from 'node:http';
import { channelFor } from '@dual-stream/nestjs';
import { now } from './bench-clock.js';
import { benchSource } from './bench-fixtures.js';
import type { Collector } from './socket-clients.js';

/** One open SSE stream of the benchmark. */
export interface SseClient {
  close(): void;
}

/** Every stream of one benchmark process shares one agent (no socket limit, like separate browsers). */
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

/**
 * Opens `count` SSE streams `GET /sse?channel=...` (client `n` streams channel `(first + n) % channels`), 50 at
 * a time, each resolved once its subscribe `status` arrived, and records `event` messages into `collector`
 * when given. Messages are split on the blank line and only `event: event` ones are JSON-parsed: the same
 * per-message work as the socket.io clients' decoding, so the two rows compare the gateways, not the clients.
 */
export async function connectSseClients(
  url: string,
  options: { first: number; count: number; channels: number; type: string; authToken?: string; collector?: Collector },
): Promise<SseClient[]> {
  const { first, count, channels, type, authToken, collector } = options;
  const clients: SseClient[] = [];
  for (let i = 0; i < count; i += 50) {
    const batch = Array.from({ length: Math.min(50, count - i) }, (_, j) => first + i + j);
    clients.push(
      ...(await Promise.all(
        batch.map((n) => openOne(url, channelFor('', benchSource(type, n % channels)), authToken, collector)),
      )),
    );
  }
  return clients;
}

function openOne(
  url: string,
  channel: string,
  authToken: string | undefined,
  collector?: Collector,
): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${url}/sse?channel=${encodeURIComponent(channel)}`,
      { agent, headers: { accept: 'text/event-stream', ...(authToken && { authorization: `Bearer ${authToken}` }) } },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`GET /sse answered ${res.statusCode}`));
          res.resume();
          return;
        }
        res.setEncoding('utf8');
        let pending = '';
        let subscribed = false;
        res.on('data', (chunk: string) => {
          pending += chunk;
          let end: number;
          while ((end = pending.indexOf('\n\n')) >= 0) {
            const message = pending.slice(0, end);
            pending = pending.slice(end + 2);
            if (message.includes('\nevent: event\n')) {
              if (collector) record(message, collector);
            } else if (!subscribed && message.includes('\nevent: status\n') && message.includes('"ok":true')) {
              subscribed = true;
              resolve({ close: () => req.destroy() });
            }
          }
        });
      },
    );
    req.on('error', reject);
  });
}

function record(message: string, collector: Collector): void {
  const t = now();
  const data = message.slice(message.indexOf('\ndata: ') + 7);
  const { event } = JSON.parse(data) as { event: { id: string; data?: { t0: number } } };
  // Replayed events carry what the gateway inlines; without a stamp they are not latency samples.
  if (typeof event.data?.t0 !== 'number') return;
  const { t0 } = event.data;
  if (t0 < collector.measureFrom || t0 >= collector.measureTo) return;
  collector.latencies.push(t - t0);
  collector.ids.push(event.id);
  collector.times.push(t);
}
