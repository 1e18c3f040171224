import type { GatewaySocket, SocketSettings } from '../../libs/client/src/socket/gateway-socket.js';

export interface SentRequest {
  event: string;
  payload: any;
  answer(response: unknown): void;
  answered: boolean;
}

/**
 * A stand-in for the socket.io client socket, driven by the test as the gateway would: accept or refuse a
 * connection, answer requests, push server messages, drop the connection.
 */
export class FakeGatewaySocket implements GatewaySocket {
  connected = false;
  connectCalls = 0;
  readonly sent: SentRequest[] = [];
  /** Tokens the SDK's auth callback handed over, one per connection attempt. */
  readonly tokens: (string | undefined)[] = [];
  private readonly handlers = new Map<string, ((...args: any[]) => void)[]>();

  constructor(readonly settings: SocketSettings) {}

  connect(): void {
    this.connectCalls++;
    this.settings.auth((data) => this.tokens.push(data.token));
  }

  disconnect(): void {
    if (!this.connected) return;
    this.connected = false;
    this.fire('disconnect', 'io client disconnect');
  }

  on(event: string, listener: (...args: never[]) => void): void {
    const list = this.handlers.get(event) ?? [];
    list.push(listener as (...args: any[]) => void);
    this.handlers.set(event, list);
  }

  emit(event: string, payload: unknown, ack: (response: unknown) => void): void {
    const request: SentRequest = {
      event,
      payload,
      answered: false,
      answer: (response) => {
        request.answered = true;
        ack(response);
      },
    };
    this.sent.push(request);
  }

  // --- the gateway's side ---

  accept(): void {
    this.connected = true;
    this.fire('connect');
  }

  /** A handshake refusal as the gateway sends it: `message`, and `data` (`{ error: 'unauthorized' }` for a token). */
  refuse(message: string, data?: unknown): void {
    this.fire('connect_error', Object.assign(new Error(message), data === undefined ? {} : { data }));
  }

  unreachable(): void {
    this.fire('connect_error', Object.assign(new Error('websocket error'), { type: 'TransportError' }));
  }

  drop(reason = 'transport close'): void {
    this.connected = false;
    this.fire('disconnect', reason);
  }

  push(event: string, payload: unknown): void {
    this.fire(event, payload);
  }

  /** Unanswered requests of one kind, oldest first. */
  open(event: string): SentRequest[] {
    return this.sent.filter((r) => r.event === event && !r.answered);
  }

  private fire(event: string, ...args: unknown[]): void {
    for (const handler of this.handlers.get(event) ?? []) handler(...args);
  }
}
