import type { EventMessage, RealtimeNotification, SubscribeAck, SubscribeRequest } from '@dual-stream/nestjs';
import { io, type Socket as ClientSocket } from 'socket.io-client';

export type { ClientSocket };

/**
 * The one socket.io client of the tests: a client of the gateway's `/events` namespace (websocket only unless
 * told, no automatic reconnection: tests reconnect explicitly). Rejects with the server's refusal.
 */
export function connectClient(
  url: string,
  authToken?: string,
  transports: ('websocket' | 'polling')[] = ['websocket'],
): Promise<ClientSocket> {
  const socket = io(`${url}/events`, {
    auth: authToken === undefined ? {} : { token: authToken },
    transports,
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

export function subscribe(socket: ClientSocket, request: SubscribeRequest): Promise<SubscribeAck> {
  return socket.timeout(60_000).emitWithAck('subscribe', request) as Promise<SubscribeAck>;
}

/** Everything a client received, per channel, in arrival order. */
export function collect(socket: ClientSocket): Map<string, RealtimeNotification[]> {
  const received = new Map<string, RealtimeNotification[]>();
  socket.on('event', (message: EventMessage) => {
    let list = received.get(message.channel);
    if (!list) received.set(message.channel, (list = []));
    list.push(message.event);
  });
  return received;
}

/**
 * Stops reading the client's TCP socket (the websocket transport's), so the kernel buffers fill and the
 * gateway sees real backpressure; writes still go out. Returns the function that reads again.
 */
export function stopReading(socket: ClientSocket): () => void {
  const tcp = (socket.io.engine.transport as unknown as { ws: { _socket: { pause(): void; resume(): void } } }).ws
    ._socket;
  tcp.pause();
  return () => tcp.resume();
}
