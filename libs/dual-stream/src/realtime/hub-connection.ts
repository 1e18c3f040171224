import type { Socket } from 'socket.io';
import type { ServerDisconnectMessage } from './realtime-hub.interfaces.js';
import type { HubCounters } from './hub-counters.js';
import { eventPacket, OutgoingPacket } from './socket-packet.js';

export interface ConnectionLimits {
  maxMessages: number;
  maxBytes: number;
  /** Packets allowed in engine.io's `writeBuffer` before the hub keeps messages in its own queue. */
  window: number;
  /** How long `waitForRoom` may wait before the client is disconnected with reason `slow` (`replay.clientWaitMs`). */
  maxRoomWaitMs: number;
}

interface Entry {
  /** A socket.io packet, already encoded (see `eventPacket`), possibly shared with other connections. */
  packet: OutgoingPacket;
  /** Its encoded size, as counted into `queuedBytes` (kept so the count goes back down by the same amount). */
  bytes: number;
  conflateKey?: string;
}

interface RoomWaiter {
  wake: (room: boolean) => void;
}

/** engine.io's write options as its websocket transport reads them (the typings only declare `compress`). */
interface PreEncodedWrite {
  compress?: boolean;
  wsPreEncodedFrame?: Buffer[];
}

/** Grace for a disconnected slow client's transport to close before its socket is destroyed. */
const SLOW_TERMINATE_AFTER_MS = 1000;

/**
 * One socket's outbound side: a bounded FIFO in front of socket.io.
 *
 * Why this mechanism: engine.io flushes its `writeBuffer` to the transport only while the transport is
 * writable, and the websocket transport stays unwritable until `ws` reports the previous frames written to
 * the kernel (polling: until the client polls again). A client that stops reading therefore makes
 * `socket.conn.writeBuffer` grow, packet by packet. The hub hands a message to socket.io only while that
 * buffer holds fewer than `window` packets and keeps the rest here, counted in messages and bytes (and
 * conflated when asked); engine.io's `drain` event pumps it. Over `maxMessages`/`maxBytes` the client is
 * disconnected with reason `slow`, so a connection holds at most its limits plus `window` packets, however
 * slow it is. No per-message acks: they would double the packets on the wire for every client.
 */
export class HubConnection {
  private queue: (Entry | undefined)[] = [];
  private head = 0;
  private readonly latest = new Map<string, Entry>();
  private roomWaiters: RoomWaiter[] = [];
  /** Cuts the client `slow` when the oldest room waiter has waited `maxRoomWaitMs`. */
  private roomTimer?: NodeJS.Timeout;
  private readonly onDrain = () => this.pump();
  queuedBytes = 0;
  closed = false;

  constructor(
    readonly socket: Socket,
    readonly principal: unknown,
    private readonly limits: ConnectionLimits,
    private readonly counters: HubCounters,
  ) {
    socket.conn?.on('drain', this.onDrain);
  }

  get queuedMessages(): number {
    return this.queue.length - this.head;
  }

  /** The socket.io namespace the packets of this connection are encoded for. */
  get namespace(): string {
    return this.socket.nsp?.name ?? '/';
  }

  /** Queues `event` with a JSON payload; see `sendPacket`. */
  send(event: string, payloadJson: string, conflateKey?: string): void {
    this.sendPacket(new OutgoingPacket(eventPacket(this.namespace, event, payloadJson)), conflateKey);
  }

  /**
   * Queues an encoded socket.io packet (counted in encoded bytes, see `bytesOf`); with `conflateKey`, a
   * still-queued packet of the same key is replaced instead.
   */
  sendPacket(packet: OutgoingPacket, conflateKey?: string): void {
    if (this.closed) return;
    if (conflateKey !== undefined) {
      const queued = this.latest.get(conflateKey);
      if (queued) {
        const bytes = this.bytesOf(packet);
        this.queuedBytes += bytes - queued.bytes;
        queued.packet = packet;
        queued.bytes = bytes;
        this.counters.conflated++;
        return;
      }
    }
    if (this.queuedMessages === 0 && this.socketHasRoom()) {
      this.write(packet);
      return;
    }
    const entry: Entry = { packet, bytes: this.bytesOf(packet), conflateKey };
    this.queue.push(entry);
    this.queuedBytes += entry.bytes;
    if (conflateKey !== undefined) this.latest.set(conflateKey, entry);
    if (this.queuedMessages > this.limits.maxMessages || this.queuedBytes > this.limits.maxBytes) this.disconnectSlow();
  }

  /**
   * Resolves once the queue is below half its limits: replays and recovery flushes wait on it. True then;
   * false when the connection closed or `signal` aborted first. A client that leaves no room for
   * `maxRoomWaitMs` is disconnected with reason `slow` (so this never waits longer than that): a replay must
   * not wait on one socket without bound, and below the queue limits the slow-client cut would never fire.
   */
  waitForRoom(signal?: AbortSignal): Promise<boolean> {
    if (this.closed || signal?.aborted) return Promise.resolve(false);
    if (this.hasRoom()) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const onAbort = () => {
        this.roomWaiters = this.roomWaiters.filter((w) => w !== waiter);
        if (this.roomWaiters.length === 0) this.stopRoomTimer();
        resolve(false);
      };
      const waiter: RoomWaiter = {
        wake: (room) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(room);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.roomWaiters.push(waiter);
      this.roomTimer ??= setTimeout(() => this.disconnectSlow(), this.limits.maxRoomWaitMs);
    });
  }

  /** Detaches from the socket and drops what is queued. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.conn?.off('drain', this.onDrain);
    this.queue = [];
    this.head = 0;
    this.queuedBytes = 0;
    this.latest.clear();
    this.wakeWaiters(false);
  }

  private disconnectSlow(): void {
    this.counters.slowDisconnects++;
    this.close();
    const notice: ServerDisconnectMessage = { reason: 'slow' };
    this.socket.emit('server_disconnect', notice);
    this.socket.disconnect(true);
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

  private pump(): void {
    while (this.queuedMessages > 0 && this.socketHasRoom() && !this.closed) {
      const entry = this.queue[this.head]!;
      this.queue[this.head++] = undefined;
      this.queuedBytes -= entry.bytes;
      if (entry.conflateKey !== undefined) this.latest.delete(entry.conflateKey);
      this.write(entry.packet);
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.hasRoom()) this.wakeWaiters(true);
  }

  private write(packet: OutgoingPacket): void {
    // What socket.io's Client#_packet does after encoding: nothing for a closed engine.io socket.
    const conn = this.socket.conn;
    if (!conn || conn.readyState !== 'open') return;
    this.counters.delivered++;
    // Polling transports ignore the frame and encode `packet` themselves; build it only for websockets.
    const options: PreEncodedWrite =
      conn.transport?.name === 'websocket' ? { wsPreEncodedFrame: packet.wsFrame() } : {};
    conn.write(packet.packet, options);
  }

  private socketHasRoom(): boolean {
    const buffered = (this.socket.conn as unknown as { writeBuffer?: unknown[] } | undefined)?.writeBuffer?.length ?? 0;
    return buffered < this.limits.window;
  }

  /** Below half of both limits: replays and recovery flushes go on only then. */
  hasRoom(): boolean {
    return this.queuedMessages * 2 < this.limits.maxMessages && this.queuedBytes * 2 < this.limits.maxBytes;
  }

  /**
   * What a packet counts for in `queuedBytes`: its WebSocket frame's length on a websocket transport (built
   * once per packet and shared by every connection it goes to, so free here), else its UTF-8 length.
   */
  private bytesOf(packet: OutgoingPacket): number {
    return this.socket.conn?.transport?.name === 'websocket'
      ? packet.wsFrame()[0]!.length
      : Buffer.byteLength(packet.packet);
  }

  private stopRoomTimer(): void {
    clearTimeout(this.roomTimer);
    this.roomTimer = undefined;
  }

  private wakeWaiters(room: boolean): void {
    this.stopRoomTimer();
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const waiter of waiters) waiter.wake(room);
  }
}
