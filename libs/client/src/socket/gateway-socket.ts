import { io, type ManagerOptions, type SocketOptions } from 'socket.io-client';

/** The part of a socket.io client socket the SDK uses (a fake implements it in unit tests). */
export interface GatewaySocket {
  readonly connected: boolean;
  connect(): unknown;
  disconnect(): unknown;
  on(event: string, listener: (...args: never[]) => void): unknown;
  emit(event: string, payload: unknown, ack: (response: unknown) => void): unknown;
}

/** socket.io options the SDK passes through (`path`, `extraHeaders` in Node, `transports`, ...). */
export type SocketIoOptions = Partial<ManagerOptions & SocketOptions>;

export interface SocketSettings {
  /** Gateway URL plus namespace, e.g. `https://gateway.example.com/events`. */
  url: string;
  /** Called by socket.io before every connection attempt: where a fresh token comes in. */
  auth: (send: (data: { token?: string }) => void) => void;
  socketOptions: SocketIoOptions;
}

export type OpenSocket = (settings: SocketSettings) => GatewaySocket;

/**
 * A socket.io client socket that never reconnects by itself: socket.io does not resume after
 * `io server disconnect` or a refused handshake anyway, so the SDK owns every reconnect (one backoff, one path).
 */
export const openSocketIo: OpenSocket = ({ url, auth, socketOptions }) =>
  io(url, { ...socketOptions, auth, reconnection: false, autoConnect: false, forceNew: true });
