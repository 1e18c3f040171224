import type { RealtimeNotification } from '../interfaces/dual-stream-event.interface.js';
import type { RealtimeHubSocket, ServerDisconnectMessage } from './realtime-hub.interfaces.js';
import type { HubCounters } from './hub-counters.js';
import { HubConnection, type ConnectionLimits, type DisconnectReason } from './hub-connection.js';
import { eventPacket, OutgoingPacket, type LiveMessage } from './socket-packet.js';

/** Grace for a disconnected slow client's transport to close before its socket is destroyed. */
const SLOW_TERMINATE_AFTER_MS = 1000;

/**
 * A socket.io client as a hub connection. engine.io flushes its `writeBuffer` to the transport only while the
 * transport is writable, and the websocket transport stays unwritable until `ws` reports the previous frames
 * written to the kernel (polling: until the client polls again), so the hub hands a packet over only while
 * that buffer holds fewer than `window` packets; engine.io's `drain` event pumps the rest.
 */
export class SocketConnection extends HubConnection<OutgoingPacket> {
  private readonly onDrain = () => this.pump();

  constructor(
    readonly socket: RealtimeHubSocket,
    principal: unknown,
    limits: ConnectionLimits,
    counters: HubCounters,
  ) {
    super(socket.id, principal, limits, counters);
    socket.conn?.on('drain', this.onDrain);
  }

  /** The socket.io namespace the packets of this connection are encoded for. */
  get namespace(): string {
    return this.socket.nsp?.name ?? '/';
  }

  sendEvent(message: LiveMessage<RealtimeNotification>, channel: string, pattern?: string, conflateKey?: string): void {
    this.sendPacket(message.eventPacket(this.namespace, channel, pattern), conflateKey);
  }

  protected frameOf(event: string, payloadJson: string): OutgoingPacket {
    return new OutgoingPacket(eventPacket(this.namespace, event, payloadJson));
  }

  protected detachTransport(): void {
    this.socket.conn?.off('drain', this.onDrain);
  }

  protected cut(reason: DisconnectReason): void {
    const notice: ServerDisconnectMessage = { reason };
    this.socket.emit('server_disconnect', notice);
    this.socket.disconnect(true);
    if (reason !== 'slow') return;
    // engine.io waits for its write buffer to drain before closing the transport, which a client that does
    // not read never lets happen: destroy the socket after a short grace so its buffers are freed now.
    const conn = this.socket.conn as unknown as {
      readyState?: string;
      transport?: { socket?: { terminate?: () => void } };
    };
    setTimeout(() => {
      if (conn?.readyState !== 'closed') conn?.transport?.socket?.terminate?.();
    }, SLOW_TERMINATE_AFTER_MS).unref();
  }

  protected write(packet: OutgoingPacket): boolean {
    // What socket.io's Client#_packet does after encoding: nothing for a closed engine.io socket.
    const conn = this.socket.conn;
    if (!conn || conn.readyState !== 'open') return false;
    // Polling transports ignore the frame and encode `packet` themselves; build it only for websockets.
    conn.write(packet.packet, conn.transport?.name === 'websocket' ? { wsPreEncodedFrame: packet.wsFrame() } : {});
    return true;
  }

  protected transportHasRoom(): boolean {
    const buffered = (this.socket.conn as unknown as { writeBuffer?: unknown[] } | undefined)?.writeBuffer?.length ?? 0;
    return buffered < this.limits.window;
  }

  /**
   * What a packet counts for in `queuedBytes`: its WebSocket frame's length on a websocket transport (built
   * once per packet and shared by every connection it goes to, so free here), else its UTF-8 length.
   */
  protected sizeOf(packet: OutgoingPacket): number {
    return this.socket.conn?.transport?.name === 'websocket'
      ? packet.wsFrame()[0]!.length
      : Buffer.byteLength(packet.packet);
  }
}
