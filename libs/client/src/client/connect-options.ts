import { checkTokenSource, type TokenSource } from '../auth/token-source.js';
import type { SocketIoOptions } from '../socket/gateway-socket.js';

export interface ConnectOptions extends TokenSource {
  /**
   * The gateway's base URL (the namespace is appended).
   * @example 'https://gateway.example.com'
   */
  url: string;
  /**
   * The socket.io namespace of the realtime protocol.
   * @default '/events'
   */
  namespace?: string;
  /**
   * First reconnect delay; it doubles per failed attempt (with jitter) up to `reconnectDelayMaxMs`.
   * @default 500
   */
  reconnectDelayMs?: number;
  /**
   * Longest reconnect delay. A connection that stayed up this long starts the next backoff from the beginning.
   * @default 10000
   */
  reconnectDelayMaxMs?: number;
  /**
   * How long a subscribe may take to be answered (it includes the gateway's replay) before the SDK reconnects.
   * @default 60000
   */
  ackTimeoutMs?: number;
  /**
   * How long a refused resume may wait for the read model to catch up without any progress before the SDK
   * gives up and calls `onReset` (`read-model-stalled`).
   * @default 60000
   */
  fillTimeoutMs?: number;
  /**
   * Longest wait between two read-model polls (or resubscribes) while filling; the first comes at once.
   * @default 5000
   */
  fillRetryDelayMaxMs?: number;
  /**
   * Events one subscription holds back while it resubscribes or fills; past it they are dropped and replayed.
   * @default 10000
   */
  maxHeldEvents?: number;
  /**
   * Passed to socket.io-client (`path`, `transports`, `extraHeaders` in Node, ...); `auth`, `reconnection`,
   * `autoConnect` and `forceNew` are the SDK's.
   * @default {} (socket.io's defaults: long-polling upgraded to WebSocket)
   */
  socketOptions?: SocketIoOptions;
}

export type ResolvedConnectOptions = Required<Omit<ConnectOptions, 'token' | 'getToken'>> & TokenSource;

const positive = (name: string, value: number | undefined, fallback: number): number => {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`connect(): \`${name}\` must be a positive number.`);
  return value;
};

/** Checks the options and fills every default (the SDK's one place for them). */
export function resolveConnectOptions(options: ConnectOptions): ResolvedConnectOptions {
  if (typeof options?.url !== 'string' || options.url.length === 0) {
    throw new TypeError("connect() needs `url`, the gateway's base URL (e.g. https://gateway.example.com).");
  }
  checkTokenSource(options, 'connect()');
  const namespace = options.namespace ?? '/events';
  return {
    url: options.url.replace(/\/+$/, ''),
    ...(options.token !== undefined && { token: options.token }),
    ...(options.getToken !== undefined && { getToken: options.getToken }),
    namespace: namespace.startsWith('/') ? namespace : `/${namespace}`,
    reconnectDelayMs: positive('reconnectDelayMs', options.reconnectDelayMs, 500),
    reconnectDelayMaxMs: positive('reconnectDelayMaxMs', options.reconnectDelayMaxMs, 10_000),
    ackTimeoutMs: positive('ackTimeoutMs', options.ackTimeoutMs, 60_000),
    fillTimeoutMs: positive('fillTimeoutMs', options.fillTimeoutMs, 60_000),
    fillRetryDelayMaxMs: positive('fillRetryDelayMaxMs', options.fillRetryDelayMaxMs, 5_000),
    maxHeldEvents: positive('maxHeldEvents', options.maxHeldEvents, 10_000),
    socketOptions: options.socketOptions ?? {},
  };
}
