import type { ServerResponse } from 'node:http';
import type { KafkaPosition } from '../../interfaces/dual-stream-event.interface.js';
import type { KafkaReplayService } from '../../replay/kafka-replay.service.js';
import type { ConnectionRegistry } from '../connection-registry.js';
import type { ConnectionEntry } from '../connection-entry.js';
import type { ConnectionLimits } from '../hub-connection.js';
import type { HubCounters } from '../hub-counters.js';
import type { SseStreamOptions, SubscribeAck } from '../realtime-hub.interfaces.js';
import type { SubscriptionOpener } from '../subscription-opener.js';
import { SseConnection } from './sse-connection.js';
import { SseCursorState } from './sse-cursor-state.js';
import { sseRetry } from './sse-frame.js';
import type { SseStreamChannel, SseStreamPlan } from './sse-stream-plan.js';

/** The response headers of an SSE stream (docs/sse.md "Proxies"): never cached, transformed or buffered. */
const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
  'X-Content-Type-Options': 'nosniff',
  // The body ends with the connection (no chunked encoding, see `open`): say so.
  Connection: 'close',
} as const;

/**
 * Serves planned SSE streams (docs/sse.md) as hub connections: each is registered like a socket (detached
 * when its response closes, cut `slow` and at `expiresAt`) and subscribes its channels through the same
 * opener, from its cursor where it had one.
 */
export class SseStreamOpener {
  private opened = 0;

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly subscriptions: SubscriptionOpener,
    private readonly replay: Pick<KafkaReplayService, 'topicOf' | 'positionAt'>,
    private readonly limits: ConnectionLimits,
    private readonly counters: HubCounters,
  ) {}

  /**
   * Writes the headers and the `retry:` hint on `response` (headers not sent yet), attaches the stream, then
   * subscribes its channels; each channel's outcome is sent as a `status` message with the socket.io subscribe
   * ack's JSON. Resolves once every channel is subscribed (and replayed).
   */
  async open(
    response: ServerResponse,
    principal: unknown,
    plan: SseStreamPlan,
    options: SseStreamOptions,
  ): Promise<void> {
    // No chunked transfer encoding: the body runs until the connection closes (RFC 9112 section 6.3), as an
    // SSE stream does anyway. Each message is then one socket write instead of four (chunk size, CRLF,
    // message, CRLF), which is most of a delivery's cost (docs/benchmarks.md "Realtime fan-out").
    response.removeHeader('Transfer-Encoding');
    response.writeHead(200, SSE_HEADERS);
    response.socket?.setNoDelay(true);
    response.write(sseRetry(options.retryMs));
    const id = `sse-${++this.opened}`;
    const cursor = new SseCursorState(plan.channels.map((c) => c.at));
    const connection = new SseConnection(
      id,
      response,
      principal,
      this.limits,
      this.counters,
      cursor,
      options.heartbeatMs,
    );
    const entry = this.registry.register(connection, options);
    this.counters.sseStreamsOpened++;
    response.once('close', () => this.registry.detach(id));
    if (response.destroyed) this.registry.detach(id);
    await Promise.all(
      plan.channels.map(async (c) => {
        const ack = await this.subscribe(entry, c);
        if (!entry.gone) connection.send('status', JSON.stringify(ack));
      }),
    );
  }

  /**
   * Ends every stream before the HTTP server closes: the server waits for open responses, and a stream never
   * ends by itself. Clients reconnect (to another instance) with their last `id`.
   */
  endAll(): void {
    for (const entry of [...this.registry.values()]) {
      if (!(entry.connection instanceof SseConnection)) continue;
      const { response } = entry.connection;
      this.registry.detach(entry.connection.id);
      if (!response.writableEnded) response.end();
    }
  }

  /**
   * One channel of a stream: from its cursor position, or (a channel the stream had delivered nothing on)
   * from the Kafka position at its `since` time, as a Redis reconnect recovers; live only without a cursor.
   */
  private async subscribe(entry: ConnectionEntry, c: SseStreamChannel): Promise<SubscribeAck> {
    let from: KafkaPosition | undefined;
    if (c.resume && 'since' in c.at) {
      from = await this.replay.positionAt(c.source, c.at.since).catch(() => undefined);
      if (!from) {
        const ack = await this.subscriptions.channel(entry, c.channel, c.source, undefined, false);
        return ack.ok ? { ...ack, recovered: false, reason: 'error' } : ack;
      }
    } else if (c.resume && 'offset' in c.at) {
      from = { topic: this.replay.topicOf(c.source), partition: c.at.partition, offset: c.at.offset };
    }
    return this.subscriptions.channel(entry, c.channel, c.source, from, false);
  }
}
