import type { Socket as NetSocket } from 'node:net';
import WebSocket from 'ws';

/**
 * A socket.io client of `/events` speaking the engine.io v4 / socket.io v5 protocol by hand over one raw
 * WebSocket. It lets a test do what a polite client never does: write many packets in one TCP segment
 * (`emitBatch`), keep talking after the server said goodbye, send malformed packets.
 */
export class RawSocketIo {
  readonly events: [string, unknown][] = [];
  readonly acks = new Map<number, unknown>();
  /** The namespace was left by the server (`41/events,`) or the connection closed. */
  disconnected = false;
  closed = false;
  private nextAck = 1;

  private constructor(
    private readonly ws: WebSocket,
    private readonly namespace: string,
  ) {
    ws.on('message', (data) => this.onPacket(String(data)));
    ws.on('close', () => {
      this.closed = true;
      this.disconnected = true;
    });
  }

  /** Opens the websocket, joins the namespace with `auth: { token }`; rejects with the server's refusal. */
  static async connect(baseUrl: string, token: string, namespace = '/events'): Promise<RawSocketIo> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const client = new RawSocketIo(ws, namespace);
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.once('message', () => resolve()); // engine.io `0{...}` open packet
    });
    const joined = new Promise<void>((resolve, reject) => {
      const onMessage = (data: WebSocket.RawData) => {
        const text = String(data);
        if (text.startsWith(`40${namespace},`)) resolve();
        else if (text.startsWith(`44${namespace},`)) {
          reject(new Error(JSON.parse(text.slice(namespace.length + 3)).message));
        } else return;
        ws.off('message', onMessage);
      };
      ws.on('message', onMessage);
    });
    ws.send(`40${namespace},${JSON.stringify({ token })}`);
    await joined;
    return client;
  }

  /** Encodes `event` with an ack id; returns the id (its answer lands in `acks`). */
  packet(event: string, payload: unknown): { id: number; text: string } {
    const id = this.nextAck++;
    return { id, text: `42${this.namespace},${id}${JSON.stringify([event, payload])}` };
  }

  /** Writes `event` once per payload, all in one TCP write; see `emitPackets`. */
  emitBatch(event: string, payloads: unknown[]): number[] {
    return this.emitPackets(payloads.map((payload) => [event, payload]));
  }

  /** Writes every packet as its own WebSocket message, all in one TCP write (corked socket); their ack ids. */
  emitPackets(list: (readonly [string, unknown])[]): number[] {
    const packets = list.map(([event, payload]) => this.packet(event, payload));
    const tcp = (this.ws as unknown as { _socket: NetSocket })._socket;
    tcp.cork();
    for (const { text } of packets) this.ws.send(text);
    tcp.uncork();
    return packets.map((p) => p.id);
  }

  emit(event: string, payload: unknown): number {
    return this.emitBatch(event, [payload])[0];
  }

  eventsNamed<T>(name: string): T[] {
    return this.events.filter(([event]) => event === name).map(([, payload]) => payload as T);
  }

  close(): void {
    this.ws.terminate();
  }

  private onPacket(text: string): void {
    if (text === '2') {
      this.ws.send('3'); // engine.io ping → pong
      return;
    }
    const prefix = `${this.namespace},`;
    if (text[0] !== '4' || !text.startsWith(prefix, 2)) return;
    const type = text[1];
    const body = text.slice(2 + prefix.length);
    if (type === '1') this.disconnected = true;
    else if (type === '2') {
      const [event, payload] = JSON.parse(body) as [string, unknown];
      this.events.push([event, payload]);
    } else if (type === '3') {
      const bracket = body.indexOf('[');
      this.acks.set(Number(body.slice(0, bracket)), (JSON.parse(body.slice(bracket)) as unknown[])[0]);
    }
  }
}
