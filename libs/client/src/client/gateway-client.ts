import { readToken } from '../auth/token-source.js';
import type { FetchRecent } from '../catch-up/fetch-recent.js';
import { AckTimeoutError } from '../errors/ack-timeout.error.js';
import { ConnectionRefusedError } from '../errors/connection-refused.error.js';
import { DuplicateSubscriptionError } from '../errors/duplicate-subscription.error.js';
import { MalformedMessageError } from '../errors/malformed-message.error.js';
import type { GatewayState } from '../protocol/server-messages.js';
import {
  parseEventMessage,
  parseGapMessage,
  parseGatewayState,
  parseRecoveryMessage,
  parseServerDisconnect,
} from '../protocol/server-message.parser.js';
import type { GatewaySocket, OpenSocket } from '../socket/gateway-socket.js';
import { ChannelSubscription } from '../subscriptions/channel-subscription.js';
import { PatternSubscription } from '../subscriptions/pattern-subscription.js';
import type { SubscriptionHost } from '../subscriptions/subscription-host.js';
import type {
  ChannelHandlers,
  PatternSubscribeOptions,
  SubscribeOptions,
  Unsubscribe,
} from '../subscriptions/subscription-options.js';
import { Backoff } from './backoff.js';
import type { ClientMetrics } from './client-metrics.js';
import type { ResolvedConnectOptions } from './connect-options.js';
import type { ConnectionStatus } from './connection-status.js';
import type { DualStreamClient } from './dual-stream-client.js';
import { Listeners } from './listeners.js';

interface PendingRequest {
  fail(error: Error): void;
}

/** Errors without a listener are written to the console at most this often. */
const UNHANDLED_ERROR_LOG_MS = 10_000;

/**
 * The `DualStreamClient` behind `connect()`: one socket to the gateway's `/events` namespace and the
 * subscriptions on it. The SDK owns reconnection: after any drop (network, `slow`, `token-expired`, a refused
 * handshake with `getToken`) it reconnects with backoff, asks `getToken` again, and subscribes every channel
 * again from the last position it handed over.
 */
export class GatewayClient implements DualStreamClient {
  private readonly socket: GatewaySocket;
  private readonly channels = new Map<string, ChannelSubscription>();
  private readonly patterns = new Map<string, PatternSubscription>();
  private readonly pending = new Set<PendingRequest>();
  private readonly sleepers = new Set<{ timer: ReturnType<typeof setTimeout>; wake: () => void }>();
  private readonly listeners = new Listeners();
  private readonly backoff: Backoff;
  private readonly host: SubscriptionHost;
  private readonly counters: ClientMetrics = { reconnects: 0, duplicatesDropped: 0, malformedMessages: 0 };
  private currentStatus: ConnectionStatus = 'offline';
  private gatewayState: GatewayState = 'live';
  private reconnectTimer?: ReturnType<typeof setTimeout>;
  private connectedAt?: number;
  private everConnected = false;
  private serverReason?: string;
  private closed = false;
  private lastUnhandledLog = 0;

  constructor(
    private readonly settings: ResolvedConnectOptions,
    openSocket: OpenSocket,
  ) {
    this.backoff = new Backoff(settings.reconnectDelayMs, settings.reconnectDelayMaxMs);
    this.host = {
      settings,
      request: (event, payload) => this.request(event, payload),
      statusChanged: () => this.updateStatus(),
      forget: (target, kind) => (kind === 'channel' ? this.channels : this.patterns).delete(target),
      report: (error, onError) => this.report(error, onError),
      duplicateDropped: () => void this.counters.duplicatesDropped++,
      sleep: (ms) => this.sleep(ms),
    };
    this.socket = openSocket({
      url: `${settings.url}${settings.namespace}`,
      auth: (send) => this.authenticate(send),
      socketOptions: settings.socketOptions,
    });
    this.listen(this.socket);
    this.socket.connect();
  }

  get status(): ConnectionStatus {
    return this.currentStatus;
  }

  metrics(): ClientMetrics {
    return { ...this.counters };
  }

  on(event: 'status', listener: (status: ConnectionStatus) => void): () => void;
  on(event: 'error', listener: (error: Error) => void): () => void;
  on(event: 'disconnect', listener: (reason: string) => void): () => void;
  on(event: 'status' | 'error' | 'disconnect', listener: (value: never) => void): () => void {
    return this.listeners.add(event, listener as (value: unknown) => void);
  }

  subscribe<TData = unknown>(channel: string, options: SubscribeOptions<TData>): Unsubscribe {
    return this.addChannel(channel, options as SubscribeOptions);
  }

  joinMidStream<TData = unknown>(
    channel: string,
    fetchRecent: FetchRecent,
    handlers: ChannelHandlers<TData>,
  ): Unsubscribe {
    if (typeof fetchRecent !== 'function') {
      throw new TypeError('joinMidStream(channel, fetchRecent, handlers): fetchRecent must be a function.');
    }
    return this.addChannel(channel, { ...(handlers as ChannelHandlers), fetchRecent, join: true });
  }

  subscribePattern<TData = unknown>(pattern: string, options: PatternSubscribeOptions<TData>): Unsubscribe {
    this.checkUsable(options);
    if (this.patterns.has(pattern)) throw new DuplicateSubscriptionError(pattern);
    const subscription = new PatternSubscription(pattern, options as PatternSubscribeOptions, this.host);
    return this.register(this.patterns, pattern, subscription, { pattern });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    for (const subscription of [...this.channels.values(), ...this.patterns.values()]) subscription.close();
    this.channels.clear();
    this.patterns.clear();
    this.failPending(new Error('client closed'));
    for (const sleeper of this.sleepers) {
      clearTimeout(sleeper.timer);
      sleeper.wake();
    }
    this.sleepers.clear();
    this.socket.disconnect();
    this.updateStatus();
  }

  private addChannel(channel: string, spec: SubscribeOptions & { join?: boolean }): Unsubscribe {
    this.checkUsable(spec);
    if (this.channels.has(channel)) throw new DuplicateSubscriptionError(channel);
    return this.register(this.channels, channel, new ChannelSubscription(channel, spec, this.host), { channel });
  }

  private checkUsable(options: { onEvent?: unknown } | undefined): void {
    if (this.closed) throw new Error('This client is closed: create a new one with connect().');
    if (typeof options?.onEvent !== 'function') {
      throw new TypeError('subscribe options need `onEvent(event, info)`, called once per event in offset order.');
    }
  }

  /** Starts the subscription when connected; the returned function ends it, once. */
  private register<S extends { start(): void; close(): void }>(
    registry: Map<string, S>,
    key: string,
    subscription: S,
    request: { channel: string } | { pattern: string },
  ): Unsubscribe {
    registry.set(key, subscription);
    if (this.socket.connected) subscription.start();
    return () => {
      if (registry.get(key) !== subscription) return;
      registry.delete(key);
      subscription.close();
      // Best effort: a dropped connection ends every subscription at the gateway anyway.
      if (this.socket.connected) this.request('unsubscribe', request).catch(() => undefined);
      this.updateStatus();
    };
  }

  private listen(socket: GatewaySocket): void {
    socket.on('connect', () => this.onConnect());
    socket.on('disconnect', (reason: string) => this.onDisconnect(reason));
    socket.on('connect_error', (err: Error & { type?: string }) => this.onConnectError(err));
    socket.on('event', (raw: unknown) => {
      const message = parseEventMessage(raw);
      if (!message) return this.malformed('event');
      if (message.pattern !== undefined) this.patterns.get(message.pattern)?.receive(message);
      else this.channels.get(message.channel)?.receive(message.event);
    });
    socket.on('gap', (raw: unknown) => {
      const message = parseGapMessage(raw);
      if (!message) return this.malformed('gap');
      this.patterns.get(message.pattern)?.gap(message);
    });
    socket.on('status', (raw: unknown) => {
      const state = parseGatewayState(raw);
      if (!state) return this.malformed('status');
      this.gatewayState = state;
      this.updateStatus();
    });
    socket.on('recovery', (raw: unknown) => {
      const message = parseRecoveryMessage(raw);
      if (!message) return this.malformed('recovery');
      this.channels.get(message.channel)?.gatewayHole(message.reason, message.cause);
    });
    socket.on('server_disconnect', (raw: unknown) => {
      this.serverReason = parseServerDisconnect(raw);
    });
  }

  private onConnect(): void {
    if (this.closed) return;
    if (this.everConnected) this.counters.reconnects++;
    this.everConnected = true;
    this.connectedAt = Date.now();
    this.gatewayState = 'live';
    for (const subscription of [...this.channels.values(), ...this.patterns.values()]) subscription.start();
    this.updateStatus();
  }

  private onDisconnect(reason: string): void {
    for (const subscription of [...this.channels.values(), ...this.patterns.values()]) subscription.stop();
    this.failPending(new Error(`disconnected (${reason})`));
    this.gatewayState = 'live';
    this.updateStatus();
    this.emit('disconnect', this.serverReason ?? reason);
    this.serverReason = undefined;
    // A connection that held long enough starts the next backoff from the beginning; one dropped right away
    // (a `slow` client, a refused token) keeps backing off.
    if (this.connectedAt !== undefined && Date.now() - this.connectedAt >= this.settings.reconnectDelayMaxMs) {
      this.backoff.reset();
    }
    this.connectedAt = undefined;
    this.scheduleReconnect();
  }

  private onConnectError(err: Error & { type?: string; data?: { error?: unknown } }): void {
    this.updateStatus();
    // A transport failure (gateway unreachable) is what `offline` says; a handshake refusal carries the gateway's message.
    if (err.type !== 'TransportError') {
      this.report(new ConnectionRefusedError(err.message));
      // A refused token (`data.error: 'unauthorized'`, docs/protocol.md "Socket protocol"): a fixed one would be refused again.
      if (!this.settings.getToken && err.data?.error === 'unauthorized') return;
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer !== undefined) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.closed && !this.socket.connected) this.socket.connect();
    }, this.backoff.next());
  }

  /** socket.io asks before every connection attempt: a fresh token each time. */
  private authenticate(send: (data: { token?: string }) => void): void {
    readToken(this.settings).then(
      (token) => send({ token }),
      (err: unknown) => {
        this.report(err);
        send({});
      },
    );
  }

  private request(event: 'subscribe' | 'unsubscribe', payload: object): Promise<unknown> {
    if (!this.socket.connected) return Promise.reject(new Error('not connected'));
    return new Promise((resolve, reject) => {
      const entry: PendingRequest = {
        fail: (error) => {
          clearTimeout(timer);
          this.pending.delete(entry);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        entry.fail(new AckTimeoutError(event, this.settings.ackTimeoutMs));
        this.report(new AckTimeoutError(event, this.settings.ackTimeoutMs));
        // Subscriptions wait on this answer: a fresh connection subscribes them again.
        this.socket.disconnect();
      }, this.settings.ackTimeoutMs);
      this.pending.add(entry);
      this.socket.emit(event, payload, (response: unknown) => {
        if (!this.pending.delete(entry)) return;
        clearTimeout(timer);
        resolve(response);
      });
    });
  }

  private failPending(error: Error): void {
    for (const entry of [...this.pending]) entry.fail(error);
  }

  private sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper = {
        timer: setTimeout(() => {
          this.sleepers.delete(sleeper);
          resolve();
        }, ms),
        wake: resolve,
      };
      this.sleepers.add(sleeper);
    });
  }

  private updateStatus(): void {
    const status = this.computeStatus();
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    this.emit('status', status);
  }

  private computeStatus(): ConnectionStatus {
    if (this.closed || !this.socket.connected) return 'offline';
    if (this.gatewayState === 'degraded') return 'degraded';
    if (this.gatewayState === 'recovering') return 'recovering';
    for (const subscription of this.channels.values()) if (subscription.holding) return 'recovering';
    return 'live';
  }

  private malformed(kind: string): void {
    this.counters.malformedMessages++;
    this.report(new MalformedMessageError(kind));
  }

  private report(error: unknown, onError?: (error: Error) => void): void {
    const err = error instanceof Error ? error : new Error(String(error));
    if (onError) {
      try {
        onError(err);
        return;
      } catch (thrown) {
        return this.report(thrown);
      }
    }
    if (this.listeners.count('error') > 0) return this.emit('error', err);
    const now = Date.now();
    if (now - this.lastUnhandledLog < UNHANDLED_ERROR_LOG_MS) return;
    this.lastUnhandledLog = now;
    console.warn(`[@dual-stream/client] ${err.name}: ${err.message} (listen with client.on('error') to handle it)`);
  }

  private emit(event: 'status' | 'error' | 'disconnect', value: unknown): void {
    this.listeners.emit(event, value, (err) => {
      if (event !== 'error') this.report(err);
    });
  }
}
