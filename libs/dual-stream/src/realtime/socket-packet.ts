import * as ws from 'ws';
import type { RealtimeNotification } from '../interfaces/dual-stream-event.interface.js';
import { SseEventFrames } from './sse/sse-event-frames.js';

/**
 * A socket.io EVENT packet as it goes on the wire (socket.io protocol v5: `2[/nsp,]["event",payload]`), built
 * once per message and written to each subscriber's engine.io socket. This is what socket.io's own room
 * broadcast does (encode once, write to every socket); `socket.emit()` would re-encode per socket.
 * `payloadJson` must be JSON without binary data, which holds for notifications.
 */
export function eventPacket(namespace: string, event: string, payloadJson: string): string {
  return `2${namespace === '/' ? '' : `${namespace},`}[${JSON.stringify(event)},${payloadJson}]`;
}

/** `{"channel":...,"event":<notification>}` from the notification's JSON, without re-serializing it. */
export function eventMessageJson(channel: string, notificationJson: string, pattern?: string): string {
  const head = pattern === undefined ? '' : `"pattern":${JSON.stringify(pattern)},`;
  return `{"channel":${JSON.stringify(channel)},${head}"event":${notificationJson}}`;
}

/** A server frame: unmasked, final, text (engine.io sends string packets as text). */
const TEXT_FRAME = { fin: true, opcode: 1, mask: false, rsv1: false, readOnly: false } as const;

/** `ws`' frame encoder, the one socket.io's broadcast uses for pre-encoded frames (@types/ws omits `Sender`). */
const frameOf = (ws as unknown as { Sender: { frame(data: Buffer, options: typeof TEXT_FRAME): Buffer[] } }).Sender
  .frame;

/**
 * An encoded socket.io packet shared by every socket it is written to. Its WebSocket frame is built on first
 * use and then reused: engine.io's websocket transport writes a frame handed over as `wsPreEncodedFrame` as
 * is (the same path socket.io's room broadcast takes), so a fan-out to N sockets converts and frames the
 * bytes once instead of N times. Header and payload are joined into one buffer so each socket costs one
 * `write` rather than a corked two-buffer `writev`.
 */
export class OutgoingPacket {
  private frame?: Buffer[];

  constructor(readonly packet: string) {}

  /** The engine.io message (`4` + packet) as one complete WebSocket text frame. */
  wsFrame(): Buffer[] {
    this.frame ??= [Buffer.concat(frameOf(Buffer.from(`4${this.packet}`), TEXT_FRAME))];
    return this.frame;
  }
}

/**
 * A live notification as it came from Redis, delivered to every local subscriber of its channel: the
 * `event` packet (socket.io) and message (SSE) are encoded for the first subscriber and reused by the others
 * (they share namespace, channel and pattern, since Redis routes by exactly those).
 */
export class LiveMessage<E extends { offset: string }> {
  private static received = 0;
  /** Arrival order of messages in this process (`LiveMessage.lastSeq` is the newest). */
  readonly seq = ++LiveMessage.received;
  private packet?: OutgoingPacket;
  private packetTarget: [namespace?: string, channel?: string, pattern?: string] = [];
  private parsedOffset?: bigint | null;
  private sse?: SseEventFrames;

  /** `offset`: the event's offset when the caller already parsed it. */
  constructor(
    readonly event: E,
    readonly json: string,
    offset?: bigint,
  ) {
    this.parsedOffset = offset;
  }

  /** The `seq` of the newest message created so far. */
  static get lastSeq(): number {
    return LiveMessage.received;
  }

  /** The event's Kafka offset, or undefined when it is not a decimal integer. */
  get offset(): bigint | undefined {
    if (this.parsedOffset === undefined) {
      try {
        this.parsedOffset = BigInt(this.event.offset);
      } catch {
        this.parsedOffset = null;
      }
    }
    return this.parsedOffset ?? undefined;
  }

  /** The `event` packet for `channel` (and `pattern`) in `namespace`, encoded once per distinct target. */
  eventPacket(namespace: string, channel: string, pattern?: string): OutgoingPacket {
    const [ns, ch, pa] = this.packetTarget;
    if (this.packet === undefined || ns !== namespace || ch !== channel || pa !== pattern) {
      this.packet = new OutgoingPacket(eventPacket(namespace, 'event', eventMessageJson(channel, this.json, pattern)));
      this.packetTarget = [namespace, channel, pattern];
    }
    return this.packet;
  }

  /** The SSE encodings of this event on `channel`, built once per distinct channel. */
  sseFrames(this: LiveMessage<RealtimeNotification>, channel: string): SseEventFrames {
    if (this.sse?.channel !== channel) {
      const { partition, offset } = this.event;
      this.sse = new SseEventFrames(channel, eventMessageJson(channel, this.json), partition, offset);
    }
    return this.sse;
  }
}
