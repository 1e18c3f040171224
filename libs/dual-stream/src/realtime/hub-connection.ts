import type { RealtimeNotification } from '../interfaces/dual-stream-event.interface.js';
import type { ServerDisconnectMessage } from './realtime-hub.interfaces.js';
import type { HubCounters } from './hub-counters.js';
import type { LiveMessage } from './socket-packet.js';

export interface ConnectionLimits {
  maxMessages: number;
  maxBytes: number;
  /**
   * socket.io: packets allowed in engine.io's `writeBuffer` before the hub keeps messages in its own queue.
   * SSE streams use the response's own high-water mark instead (`writableNeedDrain`).
   */
  window: number;
  /** How long `waitForRoom` may wait before the client is disconnected with reason `slow` (`replay.clientWaitMs`). */
  maxRoomWaitMs: number;
}

interface Entry<F> {
  /** An encoded frame of the connection's transport, possibly shared with other connections. */
  frame: F;
  /** Its encoded size, as counted into `queuedBytes` (kept so the count goes back down by the same amount). */
  bytes: number;
  conflateKey?: string;
}

interface RoomWaiter {
  wake: (room: boolean) => void;
}

/** Why the hub disconnects a client (`server_disconnect`). */
export type DisconnectReason = ServerDisconnectMessage['reason'];

/**
 * One client connection's outbound side, whatever its transport (socket.io: `SocketConnection`, Server-Sent
 * Events: `SseConnection`): a bounded FIFO in front of the transport.
 *
 * Why this mechanism: a transport takes frames only while its own buffer has room (engine.io's `writeBuffer`
 * under `window` packets, an HTTP response under its high-water mark), and a client that stops reading makes
 * that buffer grow. The hub hands a frame to the transport only while it has room and keeps the rest here,
 * counted in messages and bytes (and conflated when asked); the transport's `drain` pumps it. Over
 * `maxMessages`/`maxBytes` the client is disconnected with reason `slow`, so a connection holds at most its
 * limits plus one transport buffer, however slow it is. No per-message acks: they would double the frames
 * on the wire for every client.
 *
 * `F` is the transport's frame type; subclasses say how a message is encoded (`sendEvent`, `frameOf`), when
 * the transport has room, how a frame is written and how the client is cut off.
 */
export abstract class HubConnection<F = unknown> {
  private queue: (Entry<F> | undefined)[] = [];
  private head = 0;
  private readonly latest = new Map<string, Entry<F>>();
  private roomWaiters: RoomWaiter[] = [];
  /** Cuts the client `slow` when the oldest room waiter has waited `maxRoomWaitMs`. */
  private roomTimer?: NodeJS.Timeout;
  queuedBytes = 0;
  closed = false;

  constructor(
    /** Unique among the hub's connections (a socket's id, an SSE stream's). */
    readonly id: string,
    readonly principal: unknown,
    protected readonly limits: ConnectionLimits,
    protected readonly counters: HubCounters,
  ) {}

  get queuedMessages(): number {
    return this.queue.length - this.head;
  }

  /**
   * Queues a live or replayed notification of `channel` (and `pattern` for a pattern subscription). The
   * frame is taken from `message`, which encodes it once for every subscriber of the channel.
   */
  abstract sendEvent(
    message: LiveMessage<RealtimeNotification>,
    channel: string,
    pattern?: string,
    conflateKey?: string,
  ): void;

  /** Queues a message `event` with a JSON payload; see `sendPacket`. */
  send(event: string, payloadJson: string, conflateKey?: string): void {
    this.sendPacket(this.frameOf(event, payloadJson), conflateKey);
  }

  /**
   * Queues an encoded frame (counted in encoded bytes, see `sizeOf`); with `conflateKey`, a still-queued
   * frame of the same key is replaced instead.
   */
  sendPacket(frame: F, conflateKey?: string): void {
    if (this.closed) return;
    if (conflateKey !== undefined) {
      const queued = this.latest.get(conflateKey);
      if (queued) {
        const bytes = this.sizeOf(frame);
        this.queuedBytes += bytes - queued.bytes;
        queued.frame = frame;
        queued.bytes = bytes;
        this.counters.conflated++;
        return;
      }
    }
    if (this.queuedMessages === 0 && this.transportHasRoom()) {
      this.writeCounted(frame);
      return;
    }
    const entry: Entry<F> = { frame, bytes: this.sizeOf(frame), conflateKey };
    this.queue.push(entry);
    this.queuedBytes += entry.bytes;
    if (conflateKey !== undefined) this.latest.set(conflateKey, entry);
    if (this.queuedMessages > this.limits.maxMessages || this.queuedBytes > this.limits.maxBytes) this.disconnectSlow();
  }

  /**
   * Resolves once the queue is below half its limits: replays and recovery flushes wait on it. True then;
   * false when the connection closed or `signal` aborted first. A client that leaves no room for
   * `maxRoomWaitMs` is disconnected with reason `slow` (so this never waits longer than that): a replay must
   * not wait on one client without bound, and below the queue limits the slow-client cut would never fire.
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

  /** Detaches from the transport and drops what is queued. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.detachTransport();
    this.queue = [];
    this.head = 0;
    this.queuedBytes = 0;
    this.latest.clear();
    this.wakeWaiters(false);
  }

  /** Closes the connection, tells the client why (`server_disconnect`) and ends its transport. */
  disconnect(reason: DisconnectReason): void {
    if (this.closed) return;
    this.close();
    this.cut(reason);
  }

  /** Below half of both limits: replays and recovery flushes go on only then. */
  hasRoom(): boolean {
    return this.queuedMessages * 2 < this.limits.maxMessages && this.queuedBytes * 2 < this.limits.maxBytes;
  }

  /** `event`'s frame with a JSON payload. */
  protected abstract frameOf(event: string, payloadJson: string): F;
  /** What a frame counts for in `queuedBytes`. */
  protected abstract sizeOf(frame: F): number;
  /** The transport's own buffer has room for one more frame. */
  protected abstract transportHasRoom(): boolean;
  /** Hands a frame to the transport; false when the transport is gone (nothing written). */
  protected abstract write(frame: F): boolean;
  /** Stops listening to the transport (`close`). */
  protected abstract detachTransport(): void;
  /** After `close`: sends `server_disconnect { reason }` past the queue and ends the transport. */
  protected abstract cut(reason: DisconnectReason): void;

  /** Moves queued frames to the transport while it has room; subclasses call it on the transport's `drain`. */
  protected pump(): void {
    while (this.queuedMessages > 0 && this.transportHasRoom() && !this.closed) {
      const entry = this.queue[this.head]!;
      this.queue[this.head++] = undefined;
      this.queuedBytes -= entry.bytes;
      if (entry.conflateKey !== undefined) this.latest.delete(entry.conflateKey);
      this.writeCounted(entry.frame);
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.hasRoom()) this.wakeWaiters(true);
  }

  private writeCounted(frame: F): void {
    if (this.write(frame)) this.counters.delivered++;
  }

  private disconnectSlow(): void {
    if (this.closed) return;
    this.counters.slowDisconnects++;
    this.disconnect('slow');
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
