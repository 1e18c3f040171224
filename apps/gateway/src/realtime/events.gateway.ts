import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayInit,
} from '@nestjs/websockets';
import { RealtimeHub, type SubscribeAck, type UnsubscribeAck } from '@dual-stream/nestjs';
import type { Namespace, Socket } from 'socket.io';
import { TokenVerifier, type GatewayPrincipal } from '@app/service-kit';

/**
 * The `/events` namespace (docs/protocol.md "Socket protocol"): `auth: { token }` is checked in the handshake
 * (a refused client gets `connect_error`), then `subscribe {channel|pattern, from?}` / `unsubscribe` are
 * handed to the hub, which disconnects the socket when the token expires.
 */
@WebSocketGateway({ namespace: '/events' })
export class EventsGateway implements OnGatewayInit<Namespace>, OnGatewayConnection<Socket> {
  private readonly logger = new Logger('EventsGateway');

  constructor(
    private readonly hub: RealtimeHub,
    private readonly verifier: TokenVerifier,
  ) {}

  afterInit(namespace: Namespace): void {
    namespace.use((socket, next) => {
      const token: unknown = socket.handshake.auth?.token;
      if (typeof token !== 'string' || token.length === 0 || token.length > 8192) {
        next(unauthorized('send auth: { token }'));
        return;
      }
      this.verifier.verify(token).then(
        (principal) => {
          socket.data.principal = principal;
          next();
        },
        (err: Error) => {
          this.logger.warn(`handshake refused from ${socket.handshake.address}: ${err.name}`);
          next(unauthorized('invalid or expired token'));
        },
      );
    });
  }

  handleConnection(socket: Socket): void {
    const principal = socket.data.principal as GatewayPrincipal;
    this.hub.attach(socket, principal, { expiresAt: principal.expiresAt });
  }

  @SubscribeMessage('subscribe')
  async subscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<SubscribeAck> {
    try {
      return await this.hub.subscribe(socket, body);
    } catch (err) {
      // Always answer the ack: a client waiting on it must not hang because of a server-side fault.
      this.logger.error(`subscribe failed: ${(err as Error).message}`);
      return { ok: false, error: 'internal error' };
    }
  }

  @SubscribeMessage('unsubscribe')
  unsubscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<UnsubscribeAck> {
    return this.hub.unsubscribe(socket, body);
  }
}

/**
 * A handshake refusal (docs/protocol.md "Socket protocol"): `connect_error` whose `data.error` is
 * `unauthorized`, so a client tells it from other failures without reading the message.
 */
function unauthorized(detail: string): Error & { data: { error: 'unauthorized' } } {
  return Object.assign(new Error(`unauthorized: ${detail}`), { data: { error: 'unauthorized' as const } });
}
