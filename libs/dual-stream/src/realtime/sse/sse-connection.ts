import type { ServerResponse } from 'node:http';
import type { RealtimeNotification } from '../../interfaces/dual-stream-event.interface.js';
import type { HubCounters } from '../hub-counters.js';
import { HubConnection, type ConnectionLimits, type DisconnectReason } from '../hub-connection.js';
import type { ServerDisconnectMessage } from '../realtime-hub.interfaces.js';
import type { LiveMessage } from '../socket-packet.js';
import type { SseCursorState } from './sse-cursor-state.js';
import { SSE_PING, sseMessage, sseWithId } from './sse-frame.js';

/** Grace for a cut stream's last bytes to leave before its socket is destroyed (a client that does not read). */
const CUT_DESTROY_AFTER_MS = 1000;

/**
 * A Server-Sent Events stream as a hub connection (docs/sse.md). Every message carries `id:` = the stream's
 * cursor as of that message, so the `Last-Event-ID` a client sends back restores every channel at once.
 *
 * The transport's buffer is the HTTP response's: the hub writes while `writableNeedDrain` is false (below the
 * socket's high-water mark) and keeps the rest in its bounded queue until `drain`. Conflation is not used on
 * a stream: a newer frame moved in front of events it covers would carry a cursor past them, and a client
 * that disconnected right after it would resume beyond events it never got.
 */
export class SseConnection extends HubConnection<string | Buffer> {
  private readonly onDrain = () => this.pump();
  private readonly heartbeat?: NodeJS.Timeout;

  constructor(
    id: string,
    readonly response: ServerResponse,
    principal: unknown,
    limits: ConnectionLimits,
    counters: HubCounters,
    private readonly cursor: SseCursorState,
    /** `: ping` comment interval while the stream is idle; 0: none. */
    heartbeatMs: number,
  ) {
    super(id, principal, limits, counters);
    response.on('drain', this.onDrain);
    if (heartbeatMs > 0) {
      this.heartbeat = setInterval(() => this.ping(), heartbeatMs);
      this.heartbeat.unref();
    }
  }

  sendEvent(message: LiveMessage<RealtimeNotification>, channel: string): void {
    if (this.closed) return;
    const frames = message.sseFrames(channel);
    this.cursor.advance(channel, frames.cursorSegment);
    // A one-channel stream's frame is the same bytes for every stream of that channel: shared, not rebuilt.
    this.sendPacket(this.cursor.single ? frames.singleChannelFrame : sseWithId(this.cursor.toString(), frames.message));
  }

  /** Queues a frame; `conflateKey` is ignored on streams (see the class comment). */
  override sendPacket(frame: string | Buffer): void {
    super.sendPacket(frame);
  }

  protected frameOf(event: string, payloadJson: string): string {
    return sseWithId(this.cursor.toString(), sseMessage(event, payloadJson));
  }

  protected sizeOf(frame: string | Buffer): number {
    return typeof frame === 'string' ? Buffer.byteLength(frame) : frame.length;
  }

  protected transportHasRoom(): boolean {
    return !this.response.writableNeedDrain;
  }

  protected write(frame: string | Buffer): boolean {
    const res = this.response;
    if (res.destroyed || res.writableEnded) return false;
    res.write(frame);
    this.counters.sseDelivered++;
    return true;
  }

  protected detachTransport(): void {
    this.response.off('drain', this.onDrain);
    clearInterval(this.heartbeat);
  }

  protected cut(reason: DisconnectReason): void {
    const res = this.response;
    if (!res.destroyed && !res.writableEnded) {
      const notice: ServerDisconnectMessage = { reason };
      res.end(sseMessage('server_disconnect', JSON.stringify(notice)));
    }
    // A client that does not read never lets the end reach it: free the socket's buffers after a grace.
    setTimeout(() => {
      if (!res.writableFinished) res.destroy();
    }, CUT_DESTROY_AFTER_MS).unref();
  }

  /** Only on an idle stream: with frames queued the stream is not idle, and a ping would only add to them. */
  private ping(): void {
    if (this.closed || this.queuedMessages > 0 || !this.transportHasRoom()) return;
    const res = this.response;
    if (!res.destroyed && !res.writableEnded) res.write(SSE_PING);
  }
}
