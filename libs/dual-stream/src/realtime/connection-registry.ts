import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import { ConnectionEntry, type Subscription } from './connection-entry.js';
import { ConnectionExpiry } from './connection-expiry.js';
import type { ConnectionLimits, HubConnection } from './hub-connection.js';
import type { HubCounters } from './hub-counters.js';
import type { AttachOptions } from './realtime-hub.interfaces.js';

/** The queue limits of every hub connection, socket or stream, from the resolved options. */
export function connectionLimits(options: ResolvedDualStreamOptions): ConnectionLimits {
  const { maxQueuedMessages, maxQueuedBytes, socketWindow } = options.hub;
  return {
    maxMessages: maxQueuedMessages,
    maxBytes: maxQueuedBytes,
    window: socketWindow,
    maxRoomWaitMs: options.replay.clientWaitMs,
  };
}

/**
 * The hub's attached connections by id, sockets and SSE streams alike: registered with their credentials'
 * expiry, and on detach (a disconnect, a closed response, an expired token) closed with every subscription
 * dropped (`drop`, which gives up its Redis channels).
 */
export class ConnectionRegistry {
  private readonly entries = new Map<string, ConnectionEntry>();

  constructor(
    private readonly counters: HubCounters,
    private readonly drop: (sub: Subscription) => void,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(id: string): ConnectionEntry | undefined {
    return this.entries.get(id);
  }

  /** The entry of `connection` while it is still the one attached under its id. */
  entryOf(connection: HubConnection): ConnectionEntry | undefined {
    const entry = this.entries.get(connection.id);
    return entry?.connection === connection ? entry : undefined;
  }

  values(): IterableIterator<ConnectionEntry> {
    return this.entries.values();
  }

  register(connection: HubConnection, options: AttachOptions): ConnectionEntry {
    const entry = new ConnectionEntry(connection);
    this.entries.set(connection.id, entry);
    if (options.expiresAt !== undefined) {
      entry.expiry = new ConnectionExpiry(options.expiresAt, () => this.expire(entry));
    }
    return entry;
  }

  detach(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    entry.expiry?.cancel();
    entry.connection.close();
    for (const sub of entry.subs.values()) this.drop(sub);
    entry.subs.clear();
  }

  /** The token ran out: tell the client why, disconnect it and forget its subscriptions. */
  expire(entry: ConnectionEntry): void {
    if (entry.connection.closed) return;
    this.counters.tokenExpiries++;
    entry.connection.disconnect('token-expired');
    this.detach(entry.connection.id);
  }

  /** At shutdown: every connection closed (nothing sent), nothing dropped one by one (Redis closes next). */
  closeAll(): void {
    for (const entry of this.entries.values()) {
      entry.expiry?.cancel();
      entry.connection.close();
    }
    this.entries.clear();
  }
}
