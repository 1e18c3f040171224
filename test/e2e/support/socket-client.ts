import { io, type Socket } from 'socket.io-client';

export interface ReceivedEvent {
  channel: string;
  event: {
    id: string;
    topic: string;
    partition: number;
    offset: string;
    kind?: string;
    source: { type: string; id: string };
  };
}

/** A socket.io client of the gateway's `/events` namespace that records every `event` it gets. */
export interface TestSocket {
  socket: Socket;
  received: ReceivedEvent[];
  subscribe(request: { channel: string; from?: { topic: string; partition: number; offset: string } }): Promise<any>;
  close(): void;
}

export async function connectSocket(gatewayUrl: string, token: string): Promise<TestSocket> {
  const socket = io(`${gatewayUrl}/events`, { auth: { token }, transports: ['websocket'], reconnection: false });
  const received: ReceivedEvent[] = [];
  socket.on('event', (msg: ReceivedEvent) => received.push(msg));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
  return {
    socket,
    received,
    subscribe: (request) => socket.timeout(30_000).emitWithAck('subscribe', request),
    close: () => socket.close(),
  };
}
