import type { Socket } from 'socket.io-client';
import { channelFor } from '@dual-stream/nestjs';
import { connectClient } from '../../test/support/socket-client.js';
import { now } from './bench-clock.js';
import { benchSource } from './bench-fixtures.js';

/** Deliveries whose publish stamp falls in [measureFrom, measureTo): when each arrived and how late. */
export interface Collector {
  latencies: number[];
  ids: string[];
  times: number[];
  measureFrom: number;
  measureTo: number;
}

/**
 * Connects `count` socket.io clients to `/events` (client `n` subscribes to channel `(first + n) % channels`),
 * 50 at a time, and records into `collector` when given.
 */
export async function connectClients(
  url: string,
  options: { first: number; count: number; channels: number; type: string; authToken?: string; collector?: Collector },
): Promise<Socket[]> {
  const { first, count, channels, type, authToken, collector } = options;
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i += 50) {
    const batch = Array.from({ length: Math.min(50, count - i) }, (_, j) => first + i + j);
    sockets.push(
      ...(await Promise.all(
        batch.map(async (n) => {
          const socket = await connectClient(url, authToken);
          if (collector) {
            socket.on('event', (message: { event: { id: string; data?: { t0: number } } }) => {
              const t = now();
              // Replayed events carry what the gateway inlines; without a stamp they are not latency samples.
              if (typeof message.event.data?.t0 !== 'number') return;
              const { t0 } = message.event.data;
              if (t0 < collector.measureFrom || t0 >= collector.measureTo) return;
              collector.latencies.push(t - t0);
              collector.ids.push(message.event.id);
              collector.times.push(t);
            });
          }
          // Clients name channels without the deployment's prefix.
          const channel = channelFor('', benchSource(type, n % channels));
          const ack = (await socket.timeout(30_000).emitWithAck('subscribe', { channel })) as { ok: boolean };
          if (!ack.ok) throw new Error(`subscribe refused: ${JSON.stringify(ack)}`);
          return socket;
        }),
      )),
    );
  }
  return sockets;
}
